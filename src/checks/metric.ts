import type { Dataset } from '../data/dataset.js'
import { ModeltestError } from '../errors.js'
import { classify, regress } from '../evaluate.js'
import {
  accuracy,
  averagePrecision,
  averagePrecisionOfCounts,
  balancedAccuracy,
  balancedAccuracyOfMatrix,
  brierScore,
  brierTerms,
  confusionTable,
  expectedCalibrationError,
  expectedCalibrationErrorOfCells,
  logLoss,
  logLosses,
  precisionRecallF1,
  precisionRecallF1OfMatrix,
  rocAuc,
  rocAucOfCounts,
  rocAucOneVsRest,
  rocAucOneVsRestOfCounts,
  type PrfAverage,
} from '../metrics/classification.js'
import { absoluteErrors, absolutePercentageErrors, meanAbsoluteError, meanAbsolutePercentageError, r2Score, r2WithStandardError, rootMeanSquaredError, squaredErrors } from '../metrics/regression.js'
import type { Model, Scores } from '../models/model.js'
import { classificationPlots, histogramPlot, positiveIndicator, positiveScores } from './figures.js'
import { checkNumber } from '../guard.js'
import { delongAuc, delongInterval, delongOneVsRest } from '../stats/delong.js'
import { MAX_SKIPPED_SHARE, logitInterval, meanInterval, normalQuantile, tableBootstrapInterval, weightedBootstrapInterval, wilsonInterval, type Interval } from '../stats/intervals.js'
import { formatAgainst, formatThreshold, makeCheck, relationFor, type CheckRecord } from './record.js'
import { datasetSubject, modelSubject } from './subjects.js'
import { sliceCheck } from './slices.js'

export interface MetricOptions {
  on: Dataset
  label: string
  /** Averaging of precision, recall and F1 (binary by default for two classes, macro otherwise) and of one-vs-rest ROC AUC (macro). */
  average?: Exclude<PrfAverage, 'none'>
  /** The positive class of binary metrics (its score column, and the label counted as positive); 1 by default. */
  positive?: number
  /** Gate on the interval's bound on the requirement's side instead of the estimate. */
  confidence?: number
  /** Bootstrap resamples (1,000) and seed (0), for metrics that are not proportions. */
  resamples?: number
  seed?: number
  /** Check each slice of rows sharing this column's value instead of the whole (see sliceCheck). */
  by?: string
  minSliceSize?: number
  alpha?: number
}

/** What a metric's computation reads of the options: the averaging, the positive class, the interval's settings. */
export type MetricSettings = Omit<MetricOptions, 'on' | 'label'>

/** Rows of one evaluation, for a metric to read: class metrics get classes and scores, regression metrics numbers. */
export interface Evaluation {
  labels: ArrayLike<number>
  predicted: ArrayLike<number>
  scores: Scores
}

export interface Metric {
  title: string
  higherIsBetter: boolean
  kind: 'classification' | 'regression'
  compute: (rows: Evaluation, options: MetricSettings) => number
  /**
   * For a mean of per-row terms (a loss or an error, never negative): the terms, and the map from
   * their mean to the metric (RMSE: the root).
   */
  meanOf?: { terms: (rows: Evaluation, options: MetricSettings) => Float64Array; metricOfMean?: (mean: number) => number }
  /** For a metric of the confusion matrix alone: its value from a k × k matrix, which lets the bootstrap redraw counts instead of rows. */
  ofConfusion?: (matrix: Float64Array, k: number, options: MetricSettings, width: number) => number
  /** For the curve metrics: prepared once from the rows (sorted), the metric of a resample given as each row's count. */
  ofCounts?: (rows: Evaluation, options: MetricSettings) => (counts: Int32Array) => number
}

/** The averaging of precision, recall and F1: binary by default for two classes, macro otherwise. */
function averageOf(options: MetricSettings, width: number): Exclude<PrfAverage, 'none'> {
  return options.average ?? (width <= 2 ? 'binary' : 'macro')
}

function prf(which: 'precision' | 'recall' | 'f1'): Pick<Metric, 'compute' | 'ofConfusion'> {
  return {
    compute: (rows, options) => precisionRecallF1(rows.labels, rows.predicted, { average: averageOf(options, rows.scores.width), positive: options.positive ?? 1 })[which],
    ofConfusion: (matrix, k, options, width) => precisionRecallF1OfMatrix(matrix, k, { average: averageOf(options, width), positive: options.positive ?? 1 })[which] as number,
  }
}

/** The averaging of one-vs-rest ROC AUC: macro unless weighted is asked for. */
function oneVsRestAverage(options: MetricSettings): 'macro' | 'weighted' {
  return options.average === 'weighted' ? 'weighted' : 'macro'
}

/** A binary score metric of the positive class: its score column against "label = positive" (scikit-learn's pos_label). */
function binary<T>(metric: (labels: ArrayLike<number>, scores: ArrayLike<number>, positive: number) => T) {
  return (rows: Evaluation, options: MetricSettings) => {
    const positive = options.positive ?? 1
    return metric(rows.labels, positiveScores(rows.scores, positive), positive)
  }
}

/** ECE's bins: ten of equal width, as is usual. */
const CALIBRATION_BINS = 10

/** The metrics toMeetMetric knows, by name: each is a function of src/metrics, checked against scikit-learn. */
export const METRICS: Record<string, Metric> = {
  accuracy: { title: 'Accuracy', higherIsBetter: true, kind: 'classification', compute: (rows) => accuracy(rows.labels, rows.predicted) },
  balanced_accuracy: {
    title: 'Balanced accuracy',
    higherIsBetter: true,
    kind: 'classification',
    compute: (rows) => balancedAccuracy(rows.labels, rows.predicted),
    ofConfusion: (matrix, k) => balancedAccuracyOfMatrix(matrix, k),
  },
  precision: { title: 'Precision', higherIsBetter: true, kind: 'classification', ...prf('precision') },
  recall: { title: 'Recall', higherIsBetter: true, kind: 'classification', ...prf('recall') },
  f1: { title: 'F1', higherIsBetter: true, kind: 'classification', ...prf('f1') },
  roc_auc: {
    title: 'ROC AUC',
    higherIsBetter: true,
    kind: 'classification',
    compute: (rows, options) => (rows.scores.width <= 2 ? binary(rocAuc)(rows, options) : rocAucOneVsRest(rows.labels, rows.scores, oneVsRestAverage(options))),
    ofCounts: (rows, options) => (rows.scores.width <= 2 ? binary(rocAucOfCounts)(rows, options) : rocAucOneVsRestOfCounts(rows.labels, rows.scores, oneVsRestAverage(options))),
  },
  average_precision: { title: 'Average precision', higherIsBetter: true, kind: 'classification', compute: binary(averagePrecision), ofCounts: binary(averagePrecisionOfCounts) },
  log_loss: { title: 'Log loss', higherIsBetter: false, kind: 'classification', compute: (rows) => logLoss(rows.labels, rows.scores), meanOf: { terms: (rows) => logLosses(rows.labels, rows.scores) } },
  brier: { title: 'Brier score', higherIsBetter: false, kind: 'classification', compute: binary(brierScore), meanOf: { terms: binary(brierTerms) } },
  ece: {
    title: 'Expected calibration error',
    higherIsBetter: false,
    kind: 'classification',
    compute: binary((labels, scores, positive) => expectedCalibrationError(labels, scores, CALIBRATION_BINS, positive)),
  },
  mae: { title: 'MAE', higherIsBetter: false, kind: 'regression', compute: (rows) => meanAbsoluteError(rows.labels, rows.predicted), meanOf: { terms: (rows) => absoluteErrors(rows.labels, rows.predicted) } },
  rmse: {
    title: 'RMSE',
    higherIsBetter: false,
    kind: 'regression',
    compute: (rows) => rootMeanSquaredError(rows.labels, rows.predicted),
    meanOf: { terms: (rows) => squaredErrors(rows.labels, rows.predicted), metricOfMean: Math.sqrt },
  },
  r2: { title: 'R²', higherIsBetter: true, kind: 'regression', compute: (rows) => r2Score(rows.labels, rows.predicted) },
  mape: { title: 'MAPE', higherIsBetter: false, kind: 'regression', compute: (rows) => meanAbsolutePercentageError(rows.labels, rows.predicted), meanOf: { terms: (rows) => absolutePercentageErrors(rows.labels, rows.predicted) } },
}

/**
 * A named metric on `on` against a threshold: at least `threshold` for metrics where higher is
 * better, at most for losses and errors. The record holds n and a confidence interval: Wilson for
 * accuracy (a proportion), a seeded percentile bootstrap over rows for every other metric.
 */
export async function metricCheck(model: Model, name: string, threshold: number, options: MetricOptions, negate = false): Promise<CheckRecord> {
  if (options?.by !== undefined) return sliceCheck(model, name, threshold, { ...options, by: options.by }, negate)
  const metric = metricNamed(name)
  if (typeof threshold !== 'number' || !Number.isFinite(threshold)) throw new ModeltestError({ what: `toMeetMetric('${name}') needs a numeric threshold, got ${String(threshold)}`, fix: `Write toMeetMetric('${name}', 0.8, { on, label }).` })
  if (!options?.on || typeof options.on.rowCount !== 'number') throw new ModeltestError({ what: 'toMeetMetric needs { on: dataset, label: column }', fix: "Write toMeetMetric('f1', 0.8, { on: holdout, label: 'label' })." })
  const data = options.on
  const rows = await evaluateFor(metric, model, data, options.label)
  if (options.positive !== undefined && metric.kind === 'classification') {
    checkNumber(options.positive, 'positive', `toMeetMetric('${name}')`, { min: 0, max: Math.max(rows.scores.width, 2) - 1, whole: true })
  }
  const n = rows.labels.length
  const confidence = options.confidence ?? 0.95
  const { value, interval } = measureMetric(name, rows, options)
  const comparator = metric.higherIsBetter ? '>=' : '<='
  const title = metric.kind === 'classification' && ['precision', 'recall', 'f1'].includes(name) ? `${metric.title} (${averageOf(options, rows.scores.width)})` : metric.title
  const ci = `${Math.round(confidence * 100)}% CI ${interval.low.toFixed(4)}–${interval.high.toFixed(4)} ${interval.method}${skippedNote(interval)}`
  return makeCheck(
    {
      name: `metric_${name}`,
      kind: 'model',
      actual: value,
      threshold,
      comparator,
      n,
      interval,
      gateOnInterval: options.confidence !== undefined,
      message: `${title} ${formatAgainst(value, threshold)} ${relationFor(value, threshold, comparator)} ${formatThreshold(threshold)} (${ci}, n=${n})`,
      details: { metric: name, average: options.average, positive: options.positive },
      plots: metric.kind === 'classification' ? classificationPlots(rows, options.positive ?? 1) : [residualHistogram(rows)],
      data: datasetSubject(data),
      model: modelSubject(model),
    },
    negate,
  )
}

/**
 * A metric's value on evaluated rows and its interval: Wilson for the proportions (accuracy; binary
 * precision, of the predicted positives; binary recall, of the actual positives), DeLong's for ROC AUC
 * (exact and O(n log n); one-vs-rest: DeLong's variance of the mean of the class AUCs), the logit
 * interval of Boyd, Eng & Page (2013) for average precision, a stratified bootstrap of per-cell
 * statistics for ECE (expectedCalibrationErrorOfCells), the normal interval of a mean for the losses and errors that are
 * means of per-row terms (log loss, Brier, MAE, MSE under RMSE's root, MAPE) and for R² (delta
 * method, r2WithStandardError), and otherwise a seeded
 * percentile bootstrap, within each class for class metrics so that every resample holds the classes
 * of the data: for the metrics of the confusion matrix alone (F1, balanced accuracy, averaged
 * precision and recall) the resampled matrix is drawn as counts, one draw per cell; for the others
 * (average precision of 1, ROC AUC with a class of one row) each resample's row counts are drawn and the metric
 * recomputed in one weighted pass over rows sorted once.
 */
export function measureMetric(name: string, rows: Evaluation, options: MetricSettings = {}): { value: number; interval: Interval } {
  const metric = metricNamed(name)
  const n = rows.labels.length
  const confidence = options.confidence ?? 0.95
  const settings = { confidence, resamples: options.resamples, seed: options.seed }
  const { ofConfusion } = metric
  if (name === 'balanced_accuracy' && ofConfusion) {
    // Of the confusion matrix alone, so one tally gives both the value and the table the bootstrap redraws.
    return confusionBootstrap(rows, options, settings, ofConfusion)
  }
  if (name === 'r2') {
    // The delta method's standard error takes one more pass over R²'s own sums; the interval stops at R²'s maximum, 1.
    const { r2, standardError } = r2WithStandardError(rows.labels, rows.predicted)
    const half = normalQuantile(1 - (1 - confidence) / 2) * standardError
    return { value: r2, interval: { low: r2 - half, high: Math.min(1, r2 + half), confidence, method: 'normal' } }
  }
  const value = metric.compute(rows, options)
  if (name === 'accuracy') return { value, interval: wilsonInterval(Math.round(value * n), n, confidence) }
  const binaryAverage = averageOf(options, rows.scores.width) === 'binary'
  if ((name === 'precision' || name === 'recall') && binaryAverage) {
    // A proportion of the predicted positives (precision) or of the actual positives (recall).
    const positive = options.positive ?? 1
    let hits = 0
    let trials = 0
    for (let i = 0; i < n; i++) {
      const counted = name === 'precision' ? rows.predicted[i] === positive : rows.labels[i] === positive
      if (!counted) continue
      trials++
      if (rows.labels[i] === rows.predicted[i]) hits++
    }
    if (trials > 0) return { value, interval: wilsonInterval(hits, trials, confidence) }
  }
  if (name === 'roc_auc' && rows.scores.width <= 2) {
    const positive = options.positive ?? 1
    const isPositive = positiveIndicator(rows.labels, positive)
    const positives = isPositive.reduce((sum, bit) => sum + bit, 0)
    if (positives >= 2 && n - positives >= 2) return { value, interval: delongInterval(delongAuc(isPositive, positiveScores(rows.scores, positive)), confidence) }
  }
  if (name === 'roc_auc' && rows.scores.width > 2) {
    const classCounts = new Float64Array(rows.scores.width)
    for (let i = 0; i < n; i++) classCounts[rows.labels[i]]++
    if (classCounts.every((count) => count >= 2)) return { value, interval: delongInterval(delongOneVsRest(rows.labels, rows.scores, oneVsRestAverage(options)), confidence) }
  }
  if (name === 'average_precision' && value > 0 && value < 1) {
    // AP = 1 (every positive above every negative) leaves the logit undefined: the bootstrap below gives it.
    const positives = positiveIndicator(rows.labels, options.positive ?? 1).reduce((sum, bit) => sum + bit, 0)
    return { value, interval: logitInterval(value, positives, confidence) }
  }
  if (name === 'ece') {
    const { table, statistic } = binary((labels, scores, positive) => expectedCalibrationErrorOfCells(labels, scores, CALIBRATION_BINS, positive))(rows, options)
    return { value, interval: tableBootstrapInterval(table, CALIBRATION_BINS, statistic, settings) }
  }
  if (metric.meanOf) {
    // Clipped at 0, as the terms are; a monotone map of the mean (a root) maps its bounds.
    const { low, high } = meanInterval(metric.meanOf.terms(rows, options), confidence)
    const { metricOfMean = (mean: number) => mean } = metric.meanOf
    return { value, interval: { low: metricOfMean(Math.max(0, low)), high: metricOfMean(high), confidence, method: 'normal' } }
  }
  if (ofConfusion) return { value, interval: confusionBootstrap(rows, options, settings, ofConfusion).interval }
  // Only the curve metrics are left (every regression metric has its interval above): resample
  // within each class, each resample as row counts over the rows sorted once.
  const { ofCounts } = metric
  if (!ofCounts) throw new Error(`metric '${name}' has no interval`)
  return { value, interval: weightedBootstrapInterval(n, ofCounts(rows, options), { ...settings, strata: rows.labels }) }
}

/** A metric of the confusion matrix on the rows' matrix, with the bootstrap interval that redraws the matrix's counts. */
function confusionBootstrap(rows: Evaluation, options: MetricSettings, settings: { confidence: number; resamples?: number; seed?: number }, ofConfusion: NonNullable<Metric['ofConfusion']>): { value: number; interval: Interval } {
  const { width } = rows.scores
  const { k, matrix } = confusionTable(rows.labels, rows.predicted, Math.max(width, 2))
  return { value: ofConfusion(matrix, k, options, width), interval: tableBootstrapInterval(matrix, k, (resampled) => ofConfusion(resampled, k, options, width), settings) }
}

/** A note for the message when more resamples were skipped than an interval can bear. */
function skippedNote(interval: Interval): string {
  const { skipped = 0, resamples = 0 } = interval
  return skipped > MAX_SKIPPED_SHARE * resamples ? `; ${skipped} of ${resamples} resamples undefined, interval not trusted` : ''
}

/** Predicted minus true value per row, with zero marked: how a regression model errs. */
function residualHistogram(rows: Evaluation) {
  const residuals = Float64Array.from(rows.labels, (target, i) => rows.predicted[i] - target)
  return histogramPlot('Residuals (predicted − true)', residuals, [{ label: '0', value: 0 }])
}

export function metricNamed(name: string): Metric {
  const metric = METRICS[name]
  if (!metric) throw new ModeltestError({ what: `unknown metric '${name}'`, fix: `Use one of ${Object.keys(METRICS).join(', ')}.` })
  return metric
}

/** A model's predictions on `data` in the form the metric reads. */
export async function evaluateFor(metric: Metric, model: Model, data: Dataset, label: string): Promise<Evaluation> {
  if (metric.kind === 'classification') return classify(model, data, label)
  const r = await regress(model, data, label)
  return { labels: r.targets, predicted: r.predicted, scores: { rows: r.n, width: 1, values: r.predicted } }
}

/** The rows at `indices` (a bootstrap resample), labels, predictions and scores together, in plain loops over typed arrays. */
export function resample(rows: Evaluation, indices: Int32Array): Evaluation {
  const { width } = rows.scores
  const source = rows.scores.values
  const values = source instanceof Float64Array ? new Float64Array(indices.length * width) : new Float32Array(indices.length * width)
  const labels = new Float64Array(indices.length)
  const predicted = new Float64Array(indices.length)
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i]
    labels[i] = rows.labels[row]
    predicted[i] = rows.predicted[row]
    for (let j = 0; j < width; j++) values[i * width + j] = source[row * width + j]
  }
  return { labels, predicted, scores: { rows: indices.length, width, values } }
}
