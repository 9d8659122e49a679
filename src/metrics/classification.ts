import { ModeltestError } from '../errors.js'
import { normal } from '../stats/sampling.js'
import { countBelow } from '../stats/sorted.js'
import { binaryIndicator, binaryIndicators, checkClassIndices, checkFinite, checkPaired, checkProbabilities, checkScoreMatrix, type Label } from './validate.js'

export type { Label }

/** A row-major n × width matrix of scores or probabilities, one row per example, one column per class. */
export interface ScoreMatrix {
  rows: number
  width: number
  values: ArrayLike<number>
}

/**
 * Fraction of rows whose predicted class equals the label.
 * accuracy = (1/n) Σ 1[ŷᵢ = yᵢ]   (scikit-learn: sklearn.metrics.accuracy_score)
 */
export function accuracy(labels: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const n = checkPaired(labels, predicted, 'accuracy')
  let hits = 0
  for (let i = 0; i < n; i++) if (labels[i] === predicted[i]) hits++
  return hits / n
}

/**
 * The predicted class of each row of a score matrix (n × width, row-major): the index of the
 * largest score (first on ties, as numpy.argmax), or, for one score per row, 1 when the score
 * is ≥ 0.5 (a positive-class probability).
 */
export function predictedClasses(scores: { rows: number; width: number; values: ArrayLike<number> }): Int32Array {
  const { rows, width, values } = scores
  const classes = new Int32Array(rows)
  if (width === 1) {
    for (let i = 0; i < rows; i++) classes[i] = values[i] >= 0.5 ? 1 : 0
    return classes
  }
  for (let i = 0; i < rows; i++) {
    let best = 0
    for (let k = 1; k < width; k++) if (values[i * width + k] > values[i * width + best]) best = k
    classes[i] = best
  }
  return classes
}

/**
 * Mean recall over the classes that occur in the labels; a class only ever predicted is left out.
 * balanced = (1/|C|) Σ_{c ∈ C} TP_c / (TP_c + FN_c),  C = {classes present in labels}
 * (scikit-learn: sklearn.metrics.balanced_accuracy_score, adjusted=False)
 */
export function balancedAccuracy(labels: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const { k, matrix } = tally(labels, predicted, undefined, 'balancedAccuracy')
  return balancedAccuracyOfMatrix(matrix, k)
}

/** balancedAccuracy from a k × k confusion matrix (row-major, rows the true class): the mean recall of the classes that occur. */
export function balancedAccuracyOfMatrix(matrix: ArrayLike<number>, k: number): number {
  const { counts } = countsOf(matrix, k)
  let total = 0
  let present = 0
  for (let c = 0; c < k; c++) {
    if (counts.support[c] === 0) continue
    total += counts.tp[c] / counts.support[c]
    present++
  }
  return total / present
}

/**
 * The k × k matrix M with M[i][j] = #{rows with label i predicted as j}: rows are the true class,
 * columns the predicted class, k = classes ?? (largest label or prediction + 1).
 * (scikit-learn: sklearn.metrics.confusion_matrix(labels=range(k)); where sklearn silently drops
 * rows whose class is ≥ k, this throws.)
 */
export function confusionMatrix(labels: ArrayLike<number>, predicted: ArrayLike<number>, classes?: number): number[][] {
  const { k, matrix } = tally(labels, predicted, classes, 'confusionMatrix')
  return Array.from({ length: k }, (_, i) => Array.from(matrix.subarray(i * k, (i + 1) * k)))
}

/**
 * The confusion matrix of class indices as one row-major k × k table (rows the true class), over at
 * least `atLeast` classes (more when a label or prediction is larger): what a bootstrap of its cells reads.
 */
export function confusionTable(labels: ArrayLike<number>, predicted: ArrayLike<number>, atLeast = 1): { k: number; matrix: Float64Array } {
  const { k, matrix } = tally(labels, predicted, undefined, 'confusionMatrix')
  if (k >= atLeast) return { k, matrix }
  const wider = new Float64Array(atLeast * atLeast)
  for (let y = 0; y < k; y++) wider.set(matrix.subarray(y * k, (y + 1) * k), y * atLeast)
  return { k: atLeast, matrix: wider }
}

export type PrfAverage = 'binary' | 'macro' | 'micro' | 'weighted' | 'none'

export interface PrfOptions {
  average: PrfAverage
  /** The positive class of average 'binary' (default 1), any label value (1, 0, −1, a class name); ignored by the other averages. */
  positive?: Label
  /** The number of classes k: classes are 0 … k−1 (default: largest label or prediction + 1). */
  classes?: number
}

/**
 * Precision, recall and F1 per class, or averaged.
 * For class c: P_c = TP_c / (TP_c + FP_c), R_c = TP_c / (TP_c + FN_c), F1_c = 2·P_c·R_c / (P_c + R_c).
 * An undefined ratio (0/0: a class never predicted, never present, or P_c = R_c = 0) is 0.0, as
 * scikit-learn's default zero_division="warn" gives (without the warning).
 * - 'binary': the scores of class `positive` (default 1); labels and predictions hold at most two
 *   classes, any two values (0/1, −1/+1, class names). The other averages take class indices.
 * - 'none': one entry per class 0 … k−1 (index = class).
 * - 'macro': the unweighted mean of the per-class scores; 'weighted': their mean weighted by support
 *   (TP_c + FN_c); 'micro': the scores of the summed TP, FP and FN. These average over the classes
 *   present in labels or predictions, or over 0 … classes−1 when `classes` is given.
 * (scikit-learn: sklearn.metrics.precision_recall_fscore_support(average=…, pos_label=positive,
 * labels=range(classes) when given; average=None with labels=range(k) for 'none'). F1 is formed from
 * P and R as scikit-learn 1.2 does.)
 */
export function precisionRecallF1(labels: ArrayLike<number>, predicted: ArrayLike<number>, options: PrfOptions & { average: 'none' }): { precision: number[]; recall: number[]; f1: number[] }
export function precisionRecallF1(labels: ArrayLike<Label>, predicted: ArrayLike<Label>, options: PrfOptions & { average: 'binary' }): { precision: number; recall: number; f1: number }
export function precisionRecallF1(labels: ArrayLike<number>, predicted: ArrayLike<number>, options: PrfOptions & { average: Exclude<PrfAverage, 'none'> }): { precision: number; recall: number; f1: number }
export function precisionRecallF1(labels: ArrayLike<Label>, predicted: ArrayLike<Label>, options: PrfOptions): { precision: number | number[]; recall: number | number[]; f1: number | number[] }
export function precisionRecallF1(labels: ArrayLike<Label>, predicted: ArrayLike<Label>, options: PrfOptions): { precision: number | number[]; recall: number | number[]; f1: number | number[] } {
  const metric = 'precisionRecallF1'
  const { average } = options
  if (!['binary', 'macro', 'micro', 'weighted', 'none'].includes(average)) {
    throw new ModeltestError({ what: `${metric}: unknown average '${String(average)}'`, fix: "Use 'binary', 'macro', 'micro', 'weighted' or 'none'." })
  }
  if (average === 'binary') return binaryPrf(labels, predicted, options.positive ?? 1, metric)
  const { k, matrix } = tally(labels as ArrayLike<number>, predicted as ArrayLike<number>, options.classes, metric)
  return precisionRecallF1OfMatrix(matrix, k, options)
}

/**
 * precisionRecallF1 from a k × k confusion matrix of class indices (row-major, rows the true class),
 * as a bootstrap over the matrix's cells needs it; 'binary' takes the row and column of `positive`.
 */
export function precisionRecallF1OfMatrix(matrix: ArrayLike<number>, k: number, options: PrfOptions): { precision: number | number[]; recall: number | number[]; f1: number | number[] } {
  const { average } = options
  const { counts, present } = countsOf(matrix, k)
  if (average === 'binary') {
    const positive = Number(options.positive ?? 1)
    return positive < k ? scores(counts.tp[positive], counts.predicted[positive], counts.support[positive]) : scores(0, 0, 0)
  }
  const perClass = Array.from({ length: k }, (_, c) => scores(counts.tp[c], counts.predicted[c], counts.support[c]))
  if (average === 'none') {
    return { precision: perClass.map((s) => s.precision), recall: perClass.map((s) => s.recall), f1: perClass.map((s) => s.f1) }
  }
  const included = options.classes === undefined ? [...present].sort((a, b) => a - b) : Array.from({ length: k }, (_, c) => c)
  if (average === 'micro') {
    let tp = 0
    let predictedCount = 0
    let support = 0
    for (const c of included) {
      tp += counts.tp[c]
      predictedCount += counts.predicted[c]
      support += counts.support[c]
    }
    return scores(tp, predictedCount, support)
  }
  const weights = included.map((c) => (average === 'weighted' ? counts.support[c] : 1))
  const totalWeight = weights.reduce((a, b) => a + b, 0)
  const mean = (key: 'precision' | 'recall' | 'f1') => {
    let total = 0
    included.forEach((c, i) => (total += weights[i] * perClass[c][key]))
    return total / totalWeight
  }
  return { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') }
}

/**
 * Area under the ROC curve of a binary problem, scores = the positive class's score per row
 * (higher = more likely 1). The curve has one point per distinct score (all rows with that score
 * cross the threshold together, so ties make a diagonal segment), from (0, 0) to (1, 1), and the
 * area is the trapezoid rule: AUC = Σ (FPR_t − FPR_{t−1})(TPR_t + TPR_{t−1})/2 — equal to the
 * probability that a random positive outscores a random negative, ties counting ½.
 * Needs both classes among the labels; `positive` names the positive class (default 1), the labels
 * being any two values. (scikit-learn: sklearn.metrics.roc_auc_score; with `positive`, of
 * `y_true == pos_label`)
 */
export function rocAuc(labels: ArrayLike<Label>, scores: ArrayLike<number>, positive: Label = 1): number {
  return binaryAuc(binaryCurveInput(labels, scores, positive, 'rocAuc'), scores, 'rocAuc')
}

/** The checks of rocAucOneVsRest's input (probability rows summing to 1, every class among the labels); the number of rows. */
function checkOneVsRest(labels: ArrayLike<number>, scoreMatrix: ScoreMatrix, average: 'macro' | 'weighted'): number {
  const metric = 'rocAucOneVsRest'
  if (average !== 'macro' && average !== 'weighted') {
    throw new ModeltestError({ what: `${metric}: unknown average '${String(average)}'`, fix: "Use 'macro' or 'weighted'." })
  }
  const n = labels.length
  if (n === 0) throw new ModeltestError({ what: `${metric}: no rows to score`, fix: 'Evaluate on a dataset with at least one row.' })
  checkScoreMatrix(scoreMatrix, n, metric, 2)
  const { width, values } = scoreMatrix
  checkProbabilities(values, metric, 'scoreMatrix.values')
  const maxLabel = checkClassIndices(labels, metric, 'labels')
  if (maxLabel >= width) {
    throw new ModeltestError({ what: `${metric}: label ${maxLabel} but only ${width} score columns`, fix: 'Give one probability column per class, column c for class c.' })
  }
  for (let i = 0; i < n; i++) {
    let sum = 0
    for (let c = 0; c < width; c++) sum += values[i * width + c]
    if (!(Math.abs(1 - sum) <= 1e-8 + 1e-5 * Math.abs(sum))) {
      throw new ModeltestError({ what: `${metric}: row ${i}'s probabilities sum to ${sum}, not 1`, fix: 'Give class probabilities (apply a softmax to raw scores).' })
    }
  }
  return n
}

/**
 * One-vs-rest ROC AUC of a multiclass problem: for each class c, the binary AUC of
 * "label = c" against column c of the probability matrix, then their mean ('macro') or their mean
 * weighted by each class's number of rows ('weighted'). Rows must be probabilities summing to 1
 * (within numpy.allclose's tolerance, as scikit-learn checks) and every class 0 … width−1 must occur
 * among the labels. (scikit-learn: sklearn.metrics.roc_auc_score(multi_class='ovr', average=…))
 */
export function rocAucOneVsRest(labels: ArrayLike<number>, scoreMatrix: ScoreMatrix, average: 'macro' | 'weighted'): number {
  const metric = 'rocAucOneVsRest'
  const n = checkOneVsRest(labels, scoreMatrix, average)
  const { width, values } = scoreMatrix
  const column = new Float64Array(n)
  let total = 0
  let totalWeight = 0
  for (let c = 0; c < width; c++) {
    let support = 0
    for (let i = 0; i < n; i++) {
      column[i] = values[i * width + c]
      if (labels[i] === c) support++
    }
    if (support === 0) {
      throw new ModeltestError({ what: `${metric}: class ${c} never occurs among the labels, so its one-vs-rest AUC is undefined`, fix: 'Evaluate on rows that include every class, or drop the unused column.' })
    }
    const weight = average === 'weighted' ? support : 1
    total +=
      weight *
      binaryAuc(
        Uint8Array.from(labels, (label) => (label === c ? 1 : 0)),
        column,
        metric,
      )
    totalWeight += weight
  }
  return total / totalWeight
}

/** rocAuc of bootstrap resamples given as row counts, in one weighted pass each (see averagePrecisionOfCounts). */
export function rocAucOfCounts(labels: ArrayLike<Label>, scores: ArrayLike<number>, positive: Label = 1): (counts: ArrayLike<number>) => number {
  const thresholds = countsAtThresholds(binaryCurveInput(labels, scores, positive, 'rocAuc'), scores)
  return (counts) => aucOfThresholdCounts(thresholds(counts), 'rocAuc')
}

/**
 * rocAucOneVsRest of bootstrap resamples given as row counts: each column's distinct scores are found
 * once, and each resample is one weighted pass per class (see averagePrecisionOfCounts). Equal to
 * rocAucOneVsRest of the materialised resample; one that lacks a class is undefined (throws).
 */
export function rocAucOneVsRestOfCounts(labels: ArrayLike<number>, scoreMatrix: ScoreMatrix, average: 'macro' | 'weighted'): (counts: ArrayLike<number>) => number {
  checkOneVsRest(labels, scoreMatrix, average)
  const { width, values } = scoreMatrix
  const perClass = Array.from({ length: width }, (_, c) =>
    countsAtThresholds(
      Uint8Array.from(labels, (label) => (label === c ? 1 : 0)),
      Float64Array.from(labels, (_, i) => values[i * width + c]),
    ),
  )
  return (counts) => {
    let total = 0
    let totalWeight = 0
    for (const thresholds of perClass) {
      const resampled = thresholds(counts)
      const weight = average === 'weighted' ? resampled.positives : 1
      total += weight * aucOfThresholdCounts(resampled, 'rocAucOneVsRest')
      totalWeight += weight
    }
    return total / totalWeight
  }
}

/**
 * Average precision of a binary problem, scores = the positive class's score per row: the
 * precision-recall curve taken at each distinct score as threshold (descending), summed without
 * interpolation, AP = Σ_n (R_n − R_{n−1}) P_n. Needs at least one positive label; `positive` names
 * the positive class (default 1). (scikit-learn: sklearn.metrics.average_precision_score(pos_label=positive))
 */
export function averagePrecision(labels: ArrayLike<Label>, scores: ArrayLike<number>, positive: Label = 1): number {
  const metric = 'averagePrecision'
  const { tps, fps, positives } = binaryCurveCounts(labels, scores, positive, metric)
  if (positives === 0) throw noPositives(metric, positive)
  let sum = 0
  let previous = 0
  for (let t = 0; t < tps.length; t++) {
    sum += ((tps[t] - previous) / positives) * (tps[t] / (tps[t] + fps[t]))
    previous = tps[t]
  }
  return sum
}

/**
 * averagePrecision of bootstrap resamples given as row counts (how many times each row was drawn):
 * the distinct scores are found once, and each resample is one pass adding its counts at their
 * thresholds and one pass down the thresholds (those the resample does not reach add nothing). Equal
 * to averagePrecision of the materialised resample; one with no positive row is undefined (throws).
 */
export function averagePrecisionOfCounts(labels: ArrayLike<Label>, scores: ArrayLike<number>, positive: Label = 1): (counts: ArrayLike<number>) => number {
  const metric = 'averagePrecision'
  const thresholds = countsAtThresholds(binaryCurveInput(labels, scores, positive, metric), scores)
  return (counts) => {
    const { at, positives } = thresholds(counts)
    if (positives === 0) throw noPositives(metric, positive)
    let sum = 0
    let tpCumulative = 0
    let fpCumulative = 0
    for (let t = at.length / 2 - 1; t >= 0; t--) {
      const tp = at[2 * t + 1]
      const fp = at[2 * t]
      if (tp > 0) sum += (tp / positives) * ((tpCumulative + tp) / (tpCumulative + tp + fpCumulative + fp))
      tpCumulative += tp
      fpCumulative += fp
    }
    return sum
  }
}

/**
 * The ROC curve of a binary problem: from (0, 0), one point per distinct score taken as threshold
 * (descending), FPR_t = FP_t / negatives and TPR_t = TP_t / positives, ending at (1, 1). Needs both
 * classes. (scikit-learn: sklearn.metrics.roc_curve(drop_intermediate=False, pos_label=positive))
 */
export function rocCurve(labels: ArrayLike<Label>, scores: ArrayLike<number>, positive: Label = 1): { fpr: number[]; tpr: number[] } {
  const { tps, fps, positives, negatives } = binaryCurveCounts(labels, scores, positive, 'rocCurve')
  if (positives === 0 || negatives === 0) throw new ModeltestError({ what: 'rocCurve: only one class among the labels, so the ROC curve is undefined', fix: 'Evaluate on rows that include both positive and negative examples.' })
  return { fpr: [0, ...fps.map((fp) => fp / negatives)], tpr: [0, ...tps.map((tp) => tp / positives)] }
}

/**
 * The precision-recall curve of a binary problem, in the order of descending thresholds: from
 * (recall 0, precision 1), then per distinct score R_t = TP_t / positives and P_t = TP_t / (TP_t + FP_t).
 * Needs a positive label. (scikit-learn: sklearn.metrics.precision_recall_curve(pos_label=positive), its
 * arrays reversed)
 */
export function precisionRecallCurve(labels: ArrayLike<Label>, scores: ArrayLike<number>, positive: Label = 1): { precision: number[]; recall: number[] } {
  const { tps, fps, positives } = binaryCurveCounts(labels, scores, positive, 'precisionRecallCurve')
  if (positives === 0) throw noPositives('precisionRecallCurve', positive)
  return { precision: [1, ...tps.map((tp, t) => tp / (tp + fps[t]))], recall: [0, ...tps.map((tp) => tp / positives)] }
}

/** The validated input of a curve metric: paired, finite scores, the labels as a positive-class indicator. */
function binaryCurveInput(labels: ArrayLike<Label>, scores: ArrayLike<number>, positive: Label, metric: string): Uint8Array {
  checkPaired(labels, scores, metric)
  checkFinite(scores, metric, 'scores')
  return binaryIndicator(labels, positive, metric)
}

function binaryCurveCounts(labels: ArrayLike<Label>, scores: ArrayLike<number>, positive: Label, metric: string) {
  return thresholdCounts(binaryCurveInput(labels, scores, positive, metric), scores)
}

function noPositives(metric: string, positive: Label): ModeltestError {
  return new ModeltestError({ what: `${metric}: no positive labels (none is ${JSON.stringify(positive)}), so recall is undefined`, fix: 'Evaluate on rows that include the positive class, or name it with { positive }.' })
}

/**
 * Mean cross-entropy of the true class's probability, natural log:
 * logLoss = −(1/n) Σᵢ ln p̂ᵢ,yᵢ, where each probability is first clipped to [eps, 1 − eps] and each row
 * then divided by its sum (scikit-learn 1.2 renormalizes rows that do not sum to 1, silently).
 * A matrix of width 1 holds the positive-class probability p of a binary problem (the row becomes
 * [1 − p, p] after clipping). Classes are the columns 0 … width−1, so not every class need occur.
 * eps defaults to float64 machine epsilon (2.22e-16), scikit-learn 1.2's eps="auto".
 * (scikit-learn 1.2: sklearn.metrics.log_loss(labels=range(width)))
 */
export function logLoss(labels: ArrayLike<number>, probabilities: ScoreMatrix, eps: number = Number.EPSILON): number {
  return compensatedSum(logLosses(labels, probabilities, eps)) / labels.length
}

/** Each row's term of logLoss, −ln p̂ᵢ,yᵢ after clipping and renormalizing: what an interval of their mean reads. */
export function logLosses(labels: ArrayLike<number>, probabilities: ScoreMatrix, eps: number = Number.EPSILON): Float64Array {
  const metric = 'logLoss'
  const n = labels.length
  if (n === 0) throw new ModeltestError({ what: `${metric}: no rows to score`, fix: 'Evaluate on a dataset with at least one row.' })
  checkScoreMatrix(probabilities, n, metric)
  const { width, values } = probabilities
  checkProbabilities(values, metric, 'probabilities.values')
  if (!(eps >= 0 && eps < 0.5)) throw new ModeltestError({ what: `${metric}: eps is ${eps}`, fix: 'Give eps within [0, 0.5), e.g. 1e-15.' })
  const maxLabel = checkClassIndices(labels, metric, 'labels')
  const classes = width === 1 ? 2 : width
  if (maxLabel >= classes) {
    throw new ModeltestError({
      what: `${metric}: label ${maxLabel} but probabilities for ${classes} classes`,
      fix: width === 1 ? 'A single probability column is binary: labels 0 or 1.' : 'Give one probability column per class, column c for class c.',
    })
  }
  const clip = (p: number) => Math.min(Math.max(p, eps), 1 - eps)
  const losses = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let sum = 0
    let own: number
    if (width === 1) {
      const positive = clip(values[i])
      sum = 1 - positive + positive
      own = labels[i] === 1 ? positive : 1 - positive
    } else {
      for (let c = 0; c < width; c++) sum += clip(values[i * width + c])
      own = clip(values[i * width + labels[i]])
    }
    losses[i] = -Math.log(own / sum)
  }
  return losses
}

/**
 * Mean squared difference between the positive-class probability and the label as 1 for the
 * positive class (`positive`, default 1) and 0 for the other: brier = (1/n) Σ (pᵢ − yᵢ)².
 * (scikit-learn: sklearn.metrics.brier_score_loss(pos_label=positive))
 */
export function brierScore(labels: ArrayLike<Label>, positiveProbabilities: ArrayLike<number>, positive: Label = 1): number {
  return compensatedSum(brierTerms(labels, positiveProbabilities, positive)) / labels.length
}

/** Each row's term of brierScore, (pᵢ − yᵢ)²: what an interval of their mean reads. */
export function brierTerms(labels: ArrayLike<Label>, positiveProbabilities: ArrayLike<number>, positive: Label = 1): Float64Array {
  const metric = 'brierScore'
  const n = checkPaired(labels, positiveProbabilities, metric)
  const isPositive = binaryIndicator(labels, positive, metric)
  checkProbabilities(positiveProbabilities, metric, 'positiveProbabilities')
  const squares = new Float64Array(n)
  for (let i = 0; i < n; i++) squares[i] = (isPositive[i] - positiveProbabilities[i]) ** 2
  return squares
}

/** One non-empty bin of a reliability diagram. */
export interface CalibrationBin {
  /** The bin's index, 0 … bins−1; it holds probabilities in (bin/bins, (bin+1)/bins], bin 0 also 0. */
  bin: number
  count: number
  /** The fraction of the bin's rows of the positive class. */
  fractionPositive: number
  /** The mean predicted probability of the bin's rows. */
  meanProbability: number
}

/**
 * The non-empty bins of a reliability diagram: `bins` equal-width bins over [0, 1] with edges
 * eⱼ = j·(1/bins); bin j holds the probabilities p with eⱼ < p ≤ eⱼ₊₁ (closed on the right), and the
 * first bin also p = 0. (scikit-learn: sklearn.calibration.calibration_curve(strategy='uniform',
 * n_bins=bins, pos_label=positive) gives fractionPositive and meanProbability of these bins, as prob_true
 * and prob_pred.)
 */
export function calibrationBins(labels: ArrayLike<Label>, positiveProbabilities: ArrayLike<number>, bins = 10, positive: Label = 1): CalibrationBin[] {
  return binnedRows(labels, positiveProbabilities, bins, positive, 'calibrationBins')()
}

/**
 * The rows' bins of a reliability diagram, found once: a function of the rows' counts (each row once
 * by default, or a bootstrap resample's counts) to the non-empty bins of those rows.
 */
function binnedRows(labels: ArrayLike<Label>, positiveProbabilities: ArrayLike<number>, bins: number, positive: Label, metric: string): (counts?: ArrayLike<number>) => CalibrationBin[] {
  const n = checkPaired(labels, positiveProbabilities, metric)
  const isPositive = binaryIndicator(labels, positive, metric)
  checkProbabilities(positiveProbabilities, metric, 'positiveProbabilities')
  if (!(Number.isInteger(bins) && bins >= 1)) throw new ModeltestError({ what: `${metric}: bins is ${bins}`, fix: 'Give a whole number of bins, at least 1 (10 is usual).' })
  const binIndex = new Int32Array(n)
  for (let i = 0; i < n; i++) binIndex[i] = binOf(positiveProbabilities[i], bins)
  const count = new Float64Array(bins)
  const positives = new Float64Array(bins)
  const probabilitySum = new Float64Array(bins)
  return (counts) => {
    count.fill(0)
    positives.fill(0)
    probabilitySum.fill(0)
    for (let i = 0; i < n; i++) {
      const times = counts ? counts[i] : 1
      const b = binIndex[i]
      count[b] += times
      positives[b] += times * isPositive[i]
      probabilitySum[b] += times * positiveProbabilities[i]
    }
    const result: CalibrationBin[] = []
    for (let b = 0; b < bins; b++) {
      if (count[b] > 0) result.push({ bin: b, count: count[b], fractionPositive: positives[b] / count[b], meanProbability: probabilitySum[b] / count[b] })
    }
    return result
  }
}

/** A probability's bin of calibrationBins: eⱼ < p ≤ eⱼ₊₁ with eⱼ = j/bins, the first bin also holding 0. */
function binOf(p: number, bins: number): number {
  // As numpy.searchsorted(inner edges, p, side='left'): the number of inner edges strictly below p.
  // The edges are j·(1/bins), as numpy.linspace makes them (3·0.1 is not 0.3).
  const step = 1 / bins
  let b = Math.min(Math.max(Math.ceil(p * bins) - 1, 0), bins - 1)
  while (b > 0 && p <= b * step) b--
  while (b < bins - 1 && p > (b + 1) * step) b++
  return b
}

/**
 * Expected calibration error: the bins of calibrationBins (equal width over [0, 1], each closed on
 * the right, the first also holding 0), ECE = Σ_b (|b| / n) · |mean label in b − mean probability in b|,
 * empty bins contributing nothing. There is no scikit-learn function; the golden values are computed
 * with numpy by this definition, and the bins are checked against sklearn.calibration.calibration_curve.
 */
export function expectedCalibrationError(labels: ArrayLike<Label>, positiveProbabilities: ArrayLike<number>, bins = 10, positive: Label = 1): number {
  return calibrationError(binnedRows(labels, positiveProbabilities, bins, positive, 'calibrationBins')())
}

/** expectedCalibrationError of bootstrap resamples given as row counts: the rows are binned once, each resample is one weighted pass. */
export function expectedCalibrationErrorOfCounts(labels: ArrayLike<Label>, positiveProbabilities: ArrayLike<number>, bins = 10, positive: Label = 1): (counts: ArrayLike<number>) => number {
  const binned = binnedRows(labels, positiveProbabilities, bins, positive, 'calibrationBins')
  return (counts) => calibrationError(binned(counts))
}

/**
 * expectedCalibrationError of bootstrap resamples drawn within each class, from per-cell sufficient
 * statistics instead of rows. The rows are binned once into 2 × bins cells (class × bin), each cell
 * keeping its row count, probability sum and sum of squares. `table` is the cells' row counts, row 0 the
 * negative class, row 1 the positive class (for tableBootstrapInterval, which redraws each class's row
 * of counts multinomially: exactly the class's resampled rows falling into the bins). The statistic of
 * a resampled table draws each cell's probability sum given its count m: the sum of m draws from the
 * cell's probabilities, approximated by Normal(m·μ, m·σ²) with μ and σ² the cell's mean and variance
 * (exact for a cell of one value, and by the central limit theorem as m grows). The positives in each
 * bin are exact, being the positive class's counts. Then ECE = (1/n) Σ_b |positives_b − probability sum_b|.
 * Each resample costs O(bins), not O(n).
 */
export function expectedCalibrationErrorOfCells(
  labels: ArrayLike<Label>,
  positiveProbabilities: ArrayLike<number>,
  bins = 10,
  positive: Label = 1,
): { table: Float64Array; statistic: (counts: Float64Array, random: () => number) => number } {
  const metric = 'calibrationBins'
  const n = checkPaired(labels, positiveProbabilities, metric)
  const isPositive = binaryIndicator(labels, positive, metric)
  checkProbabilities(positiveProbabilities, metric, 'positiveProbabilities')
  const table = new Float64Array(2 * bins)
  const sums = new Float64Array(2 * bins)
  const squares = new Float64Array(2 * bins)
  for (let i = 0; i < n; i++) {
    const p = positiveProbabilities[i]
    const cell = isPositive[i] * bins + binOf(p, bins)
    table[cell]++
    sums[cell] += p
    squares[cell] += p * p
  }
  const means = sums.map((sum, cell) => (table[cell] > 0 ? sum / table[cell] : 0))
  const variances = squares.map((square, cell) => (table[cell] > 0 ? Math.max(0, square / table[cell] - means[cell] ** 2) : 0))
  return {
    table,
    statistic: (counts, random) => {
      let total = 0
      for (let b = 0; b < bins; b++) {
        let probabilitySum = 0
        for (const cell of [b, bins + b]) {
          const m = counts[cell]
          if (m > 0) probabilitySum += m * means[cell] + Math.sqrt(m * variances[cell]) * normal(random)
        }
        total += Math.abs(counts[bins + b] - probabilitySum)
      }
      return total / n
    },
  }
}

/** Σ_b (|b| / n) · |mean label in b − mean probability in b| over the non-empty bins. */
function calibrationError(bins: CalibrationBin[]): number {
  let n = 0
  for (const bin of bins) n += bin.count
  let total = 0
  for (const bin of bins) total += (bin.count / n) * Math.abs(bin.fractionPositive - bin.meanProbability)
  return total
}

// ---- internals

interface ClassCounts {
  tp: Float64Array
  predicted: Float64Array
  support: Float64Array
}

/** The validated confusion counts of class-index labels and predictions over k classes. */
function tally(labels: ArrayLike<number>, predicted: ArrayLike<number>, classes: number | undefined, metric: string) {
  const n = checkPaired(labels, predicted, metric)
  const largest = Math.max(checkClassIndices(labels, metric, 'labels'), checkClassIndices(predicted, metric, 'predictions'))
  if (classes !== undefined) {
    if (!(Number.isInteger(classes) && classes >= 1)) throw new ModeltestError({ what: `${metric}: classes is ${classes}`, fix: 'Give the number of classes, a whole number ≥ 1.' })
    if (largest >= classes) throw new ModeltestError({ what: `${metric}: class ${largest} occurs but classes is ${classes}`, fix: `Pass classes ≥ ${largest + 1}, or check the labels and predictions.` })
  }
  const k = classes ?? largest + 1
  const matrix = new Float64Array(k * k)
  for (let i = 0; i < n; i++) matrix[labels[i] * k + predicted[i]]++
  return { k, matrix, ...countsOf(matrix, k) }
}

/** Per-class counts of a confusion matrix, and the classes that occur as a label or a prediction. */
function countsOf(matrix: ArrayLike<number>, k: number) {
  const counts: ClassCounts = { tp: new Float64Array(k), predicted: new Float64Array(k), support: new Float64Array(k) }
  const present = new Set<number>()
  for (let y = 0; y < k; y++) {
    for (let p = 0; p < k; p++) {
      const count = matrix[y * k + p]
      if (count === 0) continue
      counts.support[y] += count
      counts.predicted[p] += count
      if (y === p) counts.tp[y] += count
      present.add(y)
      present.add(p)
    }
  }
  return { counts, present }
}

/** Precision, recall and F1 of the positive class, labels and predictions together holding at most two classes. */
function binaryPrf(labels: ArrayLike<Label>, predicted: ArrayLike<Label>, positive: Label, metric: string) {
  const n = checkPaired(labels, predicted, metric)
  // Labels and predictions together, so that three classes between them are refused.
  const [truth, guess] = binaryIndicators([labels, predicted], positive, metric)
  let tp = 0
  let predictedCount = 0
  let support = 0
  for (let i = 0; i < n; i++) {
    support += truth[i]
    predictedCount += guess[i]
    tp += truth[i] & guess[i]
  }
  return scores(tp, predictedCount, support)
}

/** Precision, recall and F1 from counts; 0/0 is 0 (scikit-learn's zero_division="warn"). */
function scores(tp: number, predictedCount: number, support: number) {
  const precision = predictedCount === 0 ? 0 : tp / predictedCount
  const recall = support === 0 ? 0 : tp / support
  const denominator = precision + recall
  return { precision, recall, f1: denominator === 0 ? 0 : (2 * precision * recall) / denominator }
}

/**
 * Cumulative true and false positives at each distinct score taken as threshold, highest first
 * (scikit-learn's _binary_clf_curve): rows with equal scores cross the threshold together.
 * The positives' and the negatives' scores are sorted apart (native typed-array sorts) and merged
 * from the top, so a million rows take one sort, not a comparator call per comparison.
 */
function thresholdCounts(isPositive: ArrayLike<number>, scores: ArrayLike<number>) {
  const { positive, negative } = scoresByClass(isPositive, scores)
  const tps: number[] = []
  const fps: number[] = []
  let p = positive.length - 1
  let q = negative.length - 1
  while (p >= 0 || q >= 0) {
    const threshold = Math.max(p >= 0 ? positive[p] : -Infinity, q >= 0 ? negative[q] : -Infinity)
    while (p >= 0 && positive[p] === threshold) p--
    while (q >= 0 && negative[q] === threshold) q--
    tps.push(positive.length - 1 - p)
    fps.push(negative.length - 1 - q)
  }
  return { tps, fps, positives: positive.length, negatives: negative.length }
}

/** A resample's counts at each distinct score (ascending): at[2t] its negative rows with score t, at[2t + 1] its positive rows. */
interface ThresholdCounts {
  at: Float64Array
  positives: number
  negatives: number
}

/**
 * ThresholdCounts of resamples given as row counts, for curve metrics: the scores are sorted and each
 * row's slot found once; a resample then costs one pass over the rows, without branches (a row drawn
 * no time adds 0), into an array that is reused.
 */
function countsAtThresholds(isPositive: Uint8Array, scores: ArrayLike<number>): (counts: ArrayLike<number>) => ThresholdCounts {
  const sorted = Float64Array.from(scores).sort()
  let distinct = 0
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[distinct - 1]) sorted[distinct++] = sorted[i]
  const thresholds = sorted.subarray(0, distinct)
  const slotOf = Int32Array.from(scores, (score, i) => 2 * countBelow(thresholds, score) + isPositive[i])
  const at = new Float64Array(2 * distinct)
  return (counts) => {
    at.fill(0)
    let rows = 0
    let positives = 0
    for (let i = 0; i < slotOf.length; i++) {
      const times = counts[i]
      at[slotOf[i]] += times
      rows += times
      positives += times * isPositive[i]
    }
    return { at, positives, negatives: rows - positives }
  }
}

/** The positive rows' scores and the negative rows' scores, each sorted ascending. */
export function scoresByClass(isPositive: ArrayLike<number>, scores: ArrayLike<number>): { positive: Float64Array; negative: Float64Array } {
  let positives = 0
  for (let i = 0; i < isPositive.length; i++) positives += isPositive[i]
  const positive = new Float64Array(positives)
  const negative = new Float64Array(isPositive.length - positives)
  let p = 0
  let q = 0
  for (let i = 0; i < isPositive.length; i++) {
    if (isPositive[i] === 1) positive[p++] = scores[i]
    else negative[q++] = scores[i]
  }
  return { positive: positive.sort(), negative: negative.sort() }
}

/** The trapezoidal ROC AUC of a positive-class indicator against scores, in whole counts until one division. */
function binaryAuc(isPositive: ArrayLike<number>, scores: ArrayLike<number>, metric: string): number {
  const { tps, fps, positives, negatives } = thresholdCounts(isPositive, scores)
  if (positives === 0 || negatives === 0) throw oneClass(metric)
  let twiceArea = 0
  let tpPrevious = 0
  let fpPrevious = 0
  for (let t = 0; t < tps.length; t++) {
    twiceArea += (fps[t] - fpPrevious) * (tps[t] + tpPrevious)
    tpPrevious = tps[t]
    fpPrevious = fps[t]
  }
  return twiceArea / (2 * positives * negatives)
}

/** binaryAuc from the counts at each distinct score (ascending): the same trapezoids, summed from the top. */
function aucOfThresholdCounts({ at, positives, negatives }: ThresholdCounts, metric: string): number {
  if (positives === 0 || negatives === 0) throw oneClass(metric)
  let twiceArea = 0
  let tpCumulative = 0
  for (let t = at.length / 2 - 1; t >= 0; t--) {
    twiceArea += at[2 * t] * (2 * tpCumulative + at[2 * t + 1])
    tpCumulative += at[2 * t + 1]
  }
  return twiceArea / (2 * positives * negatives)
}

function oneClass(metric: string): ModeltestError {
  return new ModeltestError({ what: `${metric}: only one class among the labels, so ROC AUC is undefined`, fix: 'Evaluate on rows that include both positive and negative examples.' })
}

/** Σ values with Neumaier's compensation, so long sums keep full precision. */
function compensatedSum(values: ArrayLike<number>): number {
  let sum = 0
  let compensation = 0
  for (let i = 0; i < values.length; i++) {
    const value = values[i]
    const t = sum + value
    compensation += Math.abs(sum) >= Math.abs(value) ? sum - t + value : value - t + sum
    sum = t
  }
  return sum + compensation
}
