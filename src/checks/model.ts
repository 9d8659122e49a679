import { Dataset, isDataset } from '../data/dataset.js'
import { ModeltestError } from '../errors.js'
import { classify } from '../evaluate.js'
import type { Model } from '../models/model.js'
import { measureLatency, type LatencyOptions } from '../perf/latency.js'
import { wilsonInterval } from '../stats/intervals.js'
import { formatThreshold, makeCheck, relationFor, type CheckRecord } from './record.js'
import { datasetSubject, modelSubject } from './subjects.js'

export interface EvaluationOptions {
  /** The labelled rows to evaluate on. */
  on: Dataset
  /** The column that holds the true class. */
  label: string
  /**
   * Gate on the confidence interval instead of the point estimate: with `{ confidence: 0.95 }` the
   * check passes only when the interval's lower bound clears the threshold. A 95% interval is
   * recorded either way.
   */
  confidence?: number
}

/** Accuracy on `on` is at least `min`. */
export async function accuracyCheck(model: Model, min: number, options: EvaluationOptions, negate = false): Promise<CheckRecord> {
  checkFraction(min, 'toMeetAccuracy', 'the minimum accuracy')
  const data = evaluationData(options, 'toMeetAccuracy')
  const result = await classify(model, data, options.label)
  const gate = options.confidence !== undefined
  const interval = wilsonInterval(Math.round(result.accuracy * result.n), result.n, options.confidence ?? 0.95)
  const bound = negate ? interval.high : interval.low
  const ci = `${Math.round(interval.confidence * 100)}% CI ${interval.low.toFixed(4)}–${interval.high.toFixed(4)}`
  return makeCheck(
    {
      name: 'accuracy_threshold',
      kind: 'model',
      actual: result.accuracy,
      threshold: min,
      comparator: '>=',
      n: result.n,
      interval,
      gateOnInterval: gate,
      message: gate
        ? `Accuracy ${result.accuracy.toFixed(4)}, ${negate ? 'upper' : 'lower'} ${Math.round(interval.confidence * 100)}% bound ${bound.toFixed(4)} ${relationFor(bound, min, '>=')} ${formatThreshold(min)} (${ci}, n=${result.n})`
        : `Accuracy ${result.accuracy.toFixed(4)} ${relationFor(result.accuracy, min, '>=')} ${formatThreshold(min)} (${ci}, n=${result.n})`,
      data: datasetSubject(data),
      model: modelSubject(model),
    },
    negate,
  )
}

export interface LatencyCheckOptions extends LatencyOptions {
  /** The rows of one call (the batch); `dataset.head(1)` for single-row latency. */
  input: Dataset
}

/** The 95th percentile of one prediction call's latency is at most `maxMs`. */
export async function latencyCheck(model: Model, maxMs: number, options: LatencyCheckOptions, negate = false): Promise<CheckRecord> {
  if (!(maxMs > 0)) throw new ModeltestError({ what: `toHaveP95LatencyBelow(${maxMs}) needs a positive number of milliseconds`, fix: 'Write toHaveP95LatencyBelow(50, { input: holdout.head(1) }).' })
  if (!isDataset(options?.input)) {
    throw new ModeltestError({ what: 'toHaveP95LatencyBelow needs { input: dataset }', fix: 'Pass the rows of one call, e.g. { input: holdout.head(1) }.' })
  }
  const rows = await options.input.rows()
  const latency = await measureLatency(() => model.predictRows(rows), options)
  return makeCheck(
    {
      name: 'latency_p95',
      kind: 'model',
      actual: latency.p95,
      threshold: maxMs,
      comparator: '<=',
      unit: 'ms',
      n: latency.runs,
      message: `P95 latency ${latency.p95.toFixed(2)} ms ${relationFor(latency.p95, maxMs, '<=')} ${maxMs} ms (p50 ${latency.p50.toFixed(2)}, p99 ${latency.p99.toFixed(2)}; batch ${rows.length}, ${latency.runs} runs after ${latency.warmup} warm-up)`,
      details: { p50: latency.p50, p95: latency.p95, p99: latency.p99, mean: latency.mean, batch: rows.length, warmup: latency.warmup, samples: latency.samples },
      data: datasetSubject(options.input),
      model: modelSubject(model),
    },
    negate,
  )
}

export interface RegressionOptions extends EvaluationOptions {
  /** The largest accepted fall in accuracy from the baseline, as a fraction (0.02 = two points). */
  maxDrop: number
}

/** Candidate and baseline scored on the same rows: the candidate's accuracy falls by at most `maxDrop`. */
export async function regressionCheck(candidate: Model, baseline: Model, options: RegressionOptions, negate = false): Promise<CheckRecord> {
  checkFraction(options?.maxDrop, 'toNotRegressFrom', 'maxDrop')
  const data = evaluationData(options, 'toNotRegressFrom')
  const [ours, theirs] = await Promise.all([classify(candidate, data, options.label), classify(baseline, data, options.label)])
  const drop = theirs.accuracy - ours.accuracy
  const change = ours.accuracy - theirs.accuracy
  return makeCheck(
    {
      name: 'no_regression',
      kind: 'model',
      actual: drop,
      threshold: options.maxDrop,
      comparator: '<=',
      n: ours.n,
      baseline: theirs.accuracy,
      message: `Accuracy ${ours.accuracy.toFixed(4)} vs baseline ${theirs.accuracy.toFixed(4)}: change ${change >= 0 ? '+' : ''}${change.toFixed(4)}, drop ${Math.max(drop, 0).toFixed(4)} ${relationFor(drop, options.maxDrop, '<=')} max drop ${formatThreshold(options.maxDrop)} (n=${ours.n})`,
      details: { candidate_accuracy: ours.accuracy, baseline_accuracy: theirs.accuracy, drop },
      data: datasetSubject(data),
      model: modelSubject(candidate),
      baselineModel: modelSubject(baseline),
    },
    negate,
  )
}

function evaluationData(options: EvaluationOptions | undefined, matcher: string): Dataset {
  if (!isDataset(options?.on)) {
    throw new ModeltestError({ what: `${matcher} needs { on: dataset, label: column }`, fix: `Write ${matcher}(…, { on: await dataset('data/holdout.csv'), label: 'label' }).` })
  }
  return options.on
}

function checkFraction(value: unknown, matcher: string, what: string): asserts value is number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new ModeltestError({ what: `${matcher}: ${what} must be a fraction within 0 and 1, got ${String(value)}`, fix: 'Write accuracies as fractions: 0.8 for 80%.' })
  }
}
