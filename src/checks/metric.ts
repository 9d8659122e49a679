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
import { checkChoice, checkNumber, checkOptionKeys, describeValue, didYouMean } from '../guard.js'
import { delongAuc, delongInterval, delongOneVsRest } from '../stats/delong.js'
import { MAX_SKIPPED_SHARE, bootstrapInterval, logitInterval, meanInterval, normalQuantile, tableBootstrapInterval, weightedBootstrapInterval, wilsonInterval, type Interval } from '../stats/intervals.js'
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

/** The settings an interval is made with: the metric's settings, the confidence set. */
export type IntervalSettings = MetricSettings & { confidence: number }

/**
 * A metric as registerMetric takes it. Its interval is `interval`: a function of the rows (a
 * closed form such as Wilson's, or undefined to fall back to the bootstrap), 'normal' for a mean of
 * per-row terms (`meanOf`), or 'bootstrap' (the default): a seeded percentile bootstrap, within each
 * class for class metrics, redrawing counts where `ofConfusion` or `ofCounts` allow it and rows otherwise.
 */
export interface MetricDefinition {
  /** How messages name it: `Accuracy`, `ROC AUC`; the registered name by default. */
  title?: string
  /** Whether the check requires at least the threshold ('higher') or at most ('lower', for losses and errors). */
  direction: 'higher' | 'lower'
  /** What the model is asked for: classes and scores ('classification') or numbers ('regression'). */
  kind: 'classification' | 'regression'
  compute: (rows: Evaluation, options: MetricSettings) => number
  interval?: 'bootstrap' | 'normal' | ((rows: Evaluation, value: number, settings: IntervalSettings) => Interval | undefined)
  /** The value and its interval in one, where the two share a pass over the rows (R²'s sums); toMeetMetric then calls it instead of compute and interval. */
  measure?: (rows: Evaluation, settings: IntervalSettings) => { value: number; interval: Interval }
  /**
   * For a mean of per-row terms (a loss or an error, never negative): the terms, and the map from
   * their mean to the metric (RMSE: the root). Its interval is then the normal interval of the mean.
   */
  meanOf?: { terms: (rows: Evaluation, options: MetricSettings) => Float64Array; metricOfMean?: (mean: number) => number }
  /** For a metric of the confusion matrix alone: its value from a k × k matrix, which lets the bootstrap redraw counts instead of rows. */
  ofConfusion?: (matrix: Float64Array, k: number, options: MetricSettings, width: number) => number
  /** For the curve metrics: prepared once from the rows (sorted), the metric of a resample given as each row's count. */
  ofCounts?: (rows: Evaluation, options: MetricSettings) => (counts: Int32Array) => number
}

/** A registered metric. */
export interface Metric extends Omit<MetricDefinition, 'direction' | 'title'> {
  title: string
  higherIsBetter: boolean
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

/** The metrics toMeetMetric and toNotRegressFrom know, by name: the built-in ones and those registerMetric adds. */
export const METRICS: Record<string, Metric> = {}

const BUILT_IN = new Set<string>()

/**
 * Registers a metric by name for toMeetMetric(name, threshold) and toNotRegressFrom({ metric: name }),
 * the way the built-in metrics are registered. A user's metric may be registered again (a setup file
 * run once more); a built-in one cannot be replaced.
 *
 *     registerMetric('youden_j', { direction: 'higher', kind: 'classification', compute: (rows) => … })
 */
export function registerMetric(name: string, definition: MetricDefinition): void {
  const where = `registerMetric('${String(name)}')`
  if (typeof name !== 'string' || !/^[A-Za-z][\w.-]*$/.test(name)) {
    throw new ModeltestError({ what: `registerMetric: the name must be a word (letters, digits, _), got ${describeValue(name)}`, fix: "Name it as its record will read: registerMetric('youden_j', { … })." })
  }
  if (BUILT_IN.has(name)) throw new ModeltestError({ what: `${where}: '${name}' is a built-in metric`, fix: `Register yours under another name, such as '${name}_custom'.` })
  checkOptionKeys(definition, ['title', 'direction', 'kind', 'compute', 'interval', 'measure', 'meanOf', 'ofConfusion', 'ofCounts'], where)
  const { title = name, direction, kind, compute, interval, ...rest } = definition ?? ({} as MetricDefinition)
  if (direction === undefined) throw new ModeltestError({ what: `${where}: direction is missing`, fix: "Write direction: 'higher' when higher is better, 'lower' for a loss or an error." })
  checkChoice(direction, ['higher', 'lower'], 'direction', where)
  if (kind === undefined) throw new ModeltestError({ what: `${where}: kind is missing`, fix: "Write kind: 'classification' for a metric of classes and scores, 'regression' for one of numbers." })
  checkChoice(kind, ['classification', 'regression'], 'kind', where)
  if (typeof compute !== 'function') throw new ModeltestError({ what: `${where}: compute must be a function, got ${describeValue(compute)}`, fix: 'Write compute: (rows, options) => number, rows being { labels, predicted, scores }.' })
  if (typeof interval !== 'function') checkChoice(interval, ['bootstrap', 'normal'], 'interval', where)
  if (interval === 'normal' && !rest.meanOf)
    throw new ModeltestError({ what: `${where}: interval 'normal' needs meanOf.terms, the per-row terms whose mean is the metric`, fix: "Add meanOf: { terms: (rows) => Float64Array }, or use interval: 'bootstrap'." })
  METRICS[name] = { title, higherIsBetter: direction === 'higher', kind, compute, interval, ...rest }
}

function registerBuiltIn(name: string, definition: MetricDefinition): void {
  registerMetric(name, definition)
  BUILT_IN.add(name)
}

/** The names toMeetMetric knows now, built-in ones first. */
export function metricNames(): string[] {
  return Object.keys(METRICS)
}

/** Wilson's interval of binary precision (a proportion of the predicted positives) or recall (of the actual positives). */
function proportionInterval(which: 'precision' | 'recall') {
  return (rows: Evaluation, _value: number, settings: IntervalSettings): Interval | undefined => {
    if (averageOf(settings, rows.scores.width) !== 'binary') return undefined
    const positive = settings.positive ?? 1
    let hits = 0
    let trials = 0
    for (let i = 0; i < rows.labels.length; i++) {
      const counted = which === 'precision' ? rows.predicted[i] === positive : rows.labels[i] === positive
      if (!counted) continue
      trials++
      if (rows.labels[i] === rows.predicted[i]) hits++
    }
    return trials > 0 ? wilsonInterval(hits, trials, settings.confidence) : undefined
  }
}

/** DeLong's interval where each class has the two rows its variance needs (one-vs-rest: every class). */
function rocAucInterval(rows: Evaluation, _value: number, settings: IntervalSettings): Interval | undefined {
  const n = rows.labels.length
  if (rows.scores.width <= 2) {
    const positive = settings.positive ?? 1
    const isPositive = positiveIndicator(rows.labels, positive)
    const positives = isPositive.reduce((sum, bit) => sum + bit, 0)
    return positives >= 2 && n - positives >= 2 ? delongInterval(delongAuc(isPositive, positiveScores(rows.scores, positive)), settings.confidence) : undefined
  }
  const classCounts = new Float64Array(rows.scores.width)
  for (let i = 0; i < n; i++) classCounts[rows.labels[i]]++
  return classCounts.every((count) => count >= 2) ? delongInterval(delongOneVsRest(rows.labels, rows.scores, oneVsRestAverage(settings)), settings.confidence) : undefined
}

registerBuiltIn('accuracy', {
  title: 'Accuracy',
  direction: 'higher',
  kind: 'classification',
  compute: (rows) => accuracy(rows.labels, rows.predicted),
  interval: (rows, value, settings) => wilsonInterval(Math.round(value * rows.labels.length), rows.labels.length, settings.confidence),
})
registerBuiltIn('balanced_accuracy', {
  title: 'Balanced accuracy',
  direction: 'higher',
  kind: 'classification',
  compute: (rows) => balancedAccuracy(rows.labels, rows.predicted),
  ofConfusion: (matrix, k) => balancedAccuracyOfMatrix(matrix, k),
})
registerBuiltIn('precision', { title: 'Precision', direction: 'higher', kind: 'classification', ...prf('precision'), interval: proportionInterval('precision') })
registerBuiltIn('recall', { title: 'Recall', direction: 'higher', kind: 'classification', ...prf('recall'), interval: proportionInterval('recall') })
registerBuiltIn('f1', { title: 'F1', direction: 'higher', kind: 'classification', ...prf('f1') })
registerBuiltIn('roc_auc', {
  title: 'ROC AUC',
  direction: 'higher',
  kind: 'classification',
  compute: (rows, options) => (rows.scores.width <= 2 ? binary(rocAuc)(rows, options) : rocAucOneVsRest(rows.labels, rows.scores, oneVsRestAverage(options))),
  interval: rocAucInterval,
  ofCounts: (rows, options) => (rows.scores.width <= 2 ? binary(rocAucOfCounts)(rows, options) : rocAucOneVsRestOfCounts(rows.labels, rows.scores, oneVsRestAverage(options))),
})
registerBuiltIn('average_precision', {
  title: 'Average precision',
  direction: 'higher',
  kind: 'classification',
  compute: binary(averagePrecision),
  // AP = 1 (every positive above every negative) leaves the logit undefined: the bootstrap of row counts gives it.
  interval: (rows, value, settings) =>
    value > 0 && value < 1
      ? logitInterval(
          value,
          positiveIndicator(rows.labels, settings.positive ?? 1).reduce((sum, bit) => sum + bit, 0),
          settings.confidence,
        )
      : undefined,
  ofCounts: binary(averagePrecisionOfCounts),
})
registerBuiltIn('log_loss', { title: 'Log loss', direction: 'lower', kind: 'classification', compute: (rows) => logLoss(rows.labels, rows.scores), meanOf: { terms: (rows) => logLosses(rows.labels, rows.scores) } })
registerBuiltIn('brier', { title: 'Brier score', direction: 'lower', kind: 'classification', compute: binary(brierScore), meanOf: { terms: binary(brierTerms) } })
registerBuiltIn('ece', {
  title: 'Expected calibration error',
  direction: 'lower',
  kind: 'classification',
  compute: binary((labels, scores, positive) => expectedCalibrationError(labels, scores, CALIBRATION_BINS, positive)),
  interval: (rows, _value, settings) => {
    const { table, statistic } = binary((labels, scores, positive) => expectedCalibrationErrorOfCells(labels, scores, CALIBRATION_BINS, positive))(rows, settings)
    return tableBootstrapInterval(table, CALIBRATION_BINS, statistic, settings)
  },
})
registerBuiltIn('mae', { title: 'MAE', direction: 'lower', kind: 'regression', compute: (rows) => meanAbsoluteError(rows.labels, rows.predicted), meanOf: { terms: (rows) => absoluteErrors(rows.labels, rows.predicted) } })
registerBuiltIn('rmse', {
  title: 'RMSE',
  direction: 'lower',
  kind: 'regression',
  compute: (rows) => rootMeanSquaredError(rows.labels, rows.predicted),
  meanOf: { terms: (rows) => squaredErrors(rows.labels, rows.predicted), metricOfMean: Math.sqrt },
})
registerBuiltIn('r2', {
  title: 'R²',
  direction: 'higher',
  kind: 'regression',
  compute: (rows) => r2Score(rows.labels, rows.predicted),
  // The delta method's standard error takes one more pass over R²'s own sums; the interval stops at R²'s maximum, 1.
  measure: (rows, { confidence }) => {
    const { r2, standardError } = r2WithStandardError(rows.labels, rows.predicted)
    const half = normalQuantile(1 - (1 - confidence) / 2) * standardError
    return { value: r2, interval: { low: r2 - half, high: Math.min(1, r2 + half), confidence, method: 'normal' } }
  },
})
registerBuiltIn('mape', {
  title: 'MAPE',
  direction: 'lower',
  kind: 'regression',
  compute: (rows) => meanAbsolutePercentageError(rows.labels, rows.predicted),
  meanOf: { terms: (rows) => absolutePercentageErrors(rows.labels, rows.predicted) },
})

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
  const settings = { ...options, confidence: options.confidence ?? 0.95 }
  if (metric.measure) return metric.measure(rows, settings)
  const bootstrap = { confidence: settings.confidence, resamples: options.resamples, seed: options.seed }
  if (metric.ofConfusion && metric.interval === undefined) {
    // Of the confusion matrix alone, so one tally gives both the value and the table the bootstrap redraws.
    return confusionBootstrap(rows, options, bootstrap, metric.ofConfusion)
  }
  const value = metric.compute(rows, options)
  const closedForm = typeof metric.interval === 'function' ? metric.interval(rows, value, settings) : undefined
  if (closedForm) return { value, interval: closedForm }
  if (metric.meanOf && metric.interval !== 'bootstrap') {
    // Clipped at 0, as the terms are; a monotone map of the mean (a root) maps its bounds.
    const { low, high } = meanInterval(metric.meanOf.terms(rows, options), settings.confidence)
    const { metricOfMean = (mean: number) => mean } = metric.meanOf
    return { value, interval: { low: metricOfMean(Math.max(0, low)), high: metricOfMean(high), confidence: settings.confidence, method: 'normal' } }
  }
  const n = rows.labels.length
  // Class metrics resample within each class, so that every resample holds the classes of the data.
  const strata = metric.kind === 'classification' ? rows.labels : undefined
  if (metric.ofConfusion) return { value, interval: confusionBootstrap(rows, options, bootstrap, metric.ofConfusion).interval }
  if (metric.ofCounts) return { value, interval: weightedBootstrapInterval(n, metric.ofCounts(rows, options), { ...bootstrap, strata }) }
  return { value, interval: bootstrapInterval(n, (indices) => metric.compute(resample(rows, indices), options), { ...bootstrap, strata }) }
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
  const metric = Object.hasOwn(METRICS, name) ? METRICS[name] : undefined
  if (!metric)
    throw new ModeltestError({ what: `unknown metric '${name}'${didYouMean(String(name), metricNames())}`, fix: `Use one of ${metricNames().join(', ')}, or register it first with registerMetric('${name}', { compute, direction, kind }).` })
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
