import { Dataset, isDataset, type Row } from '../data/dataset.js'
import { ModeltestError } from '../errors.js'
import { classify } from '../evaluate.js'
import type { Model } from '../models/model.js'
import { measureLatency, type LatencyOptions } from '../perf/latency.js'
import { measureMemory } from '../perf/memory.js'
import { tf } from '../models/tfjs-runtime.js'
import { wilsonInterval } from '../stats/intervals.js'
import { mcnemarExact, pairedBootstrap } from '../stats/paired.js'
import { delongTest } from '../stats/delong.js'
import { evaluateFor, metricNamed, resample, type Evaluation } from './metric.js'
import { sliceCheck } from './slices.js'
import { classificationPlots, histogramPlot, positiveIndicator, positiveScores } from './figures.js'
import { formatAgainst, formatPValue, formatThreshold, makeCheck, relationFor, type CheckRecord } from './record.js'
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
  /** Check each slice of rows sharing this column's value (see sliceCheck): a slice fails when significantly below the threshold. */
  by?: string
  minSliceSize?: number
  alpha?: number
}

/** Accuracy on `on` is at least `min`. */
export async function accuracyCheck(model: Model, min: number, options: EvaluationOptions, negate = false): Promise<CheckRecord> {
  checkFraction(min, 'toMeetAccuracy', 'the minimum accuracy')
  const data = evaluationData(options, 'toMeetAccuracy')
  if (options.by !== undefined) return sliceCheck(model, 'accuracy', min, { ...options, by: options.by }, negate)
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
        ? `Accuracy ${result.accuracy.toFixed(4)}, ${negate ? 'upper' : 'lower'} ${Math.round(interval.confidence * 100)}% bound ${formatAgainst(bound, min)} ${relationFor(bound, min, '>=')} ${formatThreshold(min)} (${ci}, n=${result.n})`
        : `Accuracy ${formatAgainst(result.accuracy, min)} ${relationFor(result.accuracy, min, '>=')} ${formatThreshold(min)} (${ci}, n=${result.n})`,
      plots: classificationPlots(result),
      data: datasetSubject(data),
      model: modelSubject(model),
    },
    negate,
  )
}

export interface LatencyCheckOptions extends LatencyOptions {
  /** The rows of one call (the batch); `dataset.head(1)` for single-row latency. */
  input: Dataset
  /** Rows per call, taken from `input` (repeated when it has fewer); all of `input` by default. */
  batchSize?: number
}

/** The rows of one timed call: `input`'s rows, cut or repeated to `batchSize`. */
async function batchRows(options: LatencyCheckOptions, matcher: string): Promise<Row[]> {
  if (!isDataset(options?.input)) {
    throw new ModeltestError({ what: `${matcher} needs { input: dataset }`, fix: 'Pass the rows of one call, e.g. { input: holdout.head(1) }.' })
  }
  const rows = await options.input.rows()
  const size = options.batchSize ?? rows.length
  if (!Number.isInteger(size) || size < 1) throw new ModeltestError({ what: `batchSize ${size} is not a whole number ≥ 1`, fix: 'Pass { batchSize: 32 }.' })
  return Array.from({ length: size }, (_, i) => rows[i % rows.length])
}

/** The 95th percentile of one prediction call's latency is at most `maxMs`. */
export async function latencyCheck(model: Model, maxMs: number, options: LatencyCheckOptions, negate = false): Promise<CheckRecord> {
  if (!(maxMs > 0)) throw new ModeltestError({ what: `toHaveP95LatencyBelow(${maxMs}) needs a positive number of milliseconds`, fix: 'Write toHaveP95LatencyBelow(50, { input: holdout.head(1) }).' })
  const rows = await batchRows(options, 'toHaveP95LatencyBelow')
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
      message: `P95 latency ${formatAgainst(latency.p95, maxMs, 2)} ms ${relationFor(latency.p95, maxMs, '<=')} ${maxMs} ms (p50 ${latency.p50.toFixed(2)}, p99 ${latency.p99.toFixed(2)}; batch ${rows.length}, ${latency.runs} runs after ${latency.warmup} warm-up)`,
      details: { p50: latency.p50, p95: latency.p95, p99: latency.p99, mean: latency.mean, batch: rows.length, warmup: latency.warmup, samples: latency.samples },
      plots: [
        histogramPlot(
          `Latency per call (batch ${rows.length})`,
          latency.samples,
          [
            { label: 'p50', value: latency.p50 },
            { label: 'p95', value: latency.p95 },
            { label: 'p99', value: latency.p99 },
            { label: 'threshold', value: maxMs },
          ],
          'ms',
        ),
      ],
      data: datasetSubject(options.input),
      model: modelSubject(model),
    },
    negate,
  )
}

/** Rows per second when predicting in batches of `batchSize` (the mean over the timed calls) is at least `minRowsPerSecond`. */
export async function throughputCheck(model: Model, minRowsPerSecond: number, options: LatencyCheckOptions, negate = false): Promise<CheckRecord> {
  if (!(minRowsPerSecond > 0)) throw new ModeltestError({ what: `toHaveThroughputAbove(${minRowsPerSecond}) needs a positive number of rows per second`, fix: 'Write toHaveThroughputAbove(1000, { input: holdout, batchSize: 64 }).' })
  const rows = await batchRows(options, 'toHaveThroughputAbove')
  const latency = await measureLatency(() => model.predictRows(rows), { warmup: options.warmup ?? 3, runs: options.runs ?? 20 })
  const throughput = (rows.length * 1000) / latency.mean
  return makeCheck(
    {
      name: 'throughput',
      kind: 'model',
      actual: throughput,
      threshold: minRowsPerSecond,
      comparator: '>=',
      unit: 'rows/s',
      n: latency.runs,
      message: `Throughput ${formatAgainst(throughput, minRowsPerSecond, 0)} rows/s ${relationFor(throughput, minRowsPerSecond, '>=')} ${minRowsPerSecond} rows/s (batch ${rows.length}, mean ${latency.mean.toFixed(2)} ms a call over ${latency.runs} calls)`,
      details: { batch: rows.length, mean_ms: latency.mean, p50: latency.p50, p95: latency.p95 },
      data: datasetSubject(options.input),
      model: modelSubject(model),
    },
    negate,
  )
}

/**
 * The memory that predicting on `input` (`runs` times) takes is at most `maxMiB`. On a GPU (a tfjs model
 * on webgpu or tfjs-node-gpu) that is the peak GPU memory of this process: nvidia-smi's reading, or tfjs's
 * bytes in GPU tensors where there is no nvidia-smi. Elsewhere it is what predicting adds to the process's
 * peak RSS, and the GPU part is "skipped (no GPU)", as the tutorial's CPU mode. The record also holds the
 * V8 heap growth and tfjs's own tensor memory.
 */
export async function memoryCheck(model: Model, maxMiB: number, options: { input: Dataset; runs?: number }, negate = false): Promise<CheckRecord> {
  if (!(maxMiB > 0)) throw new ModeltestError({ what: `toUseMemoryBelow(${maxMiB}) needs a positive number of MiB`, fix: 'Write toUseMemoryBelow(500, { input: holdout }).' })
  if (!isDataset(options?.input)) throw new ModeltestError({ what: 'toUseMemoryBelow needs { input: dataset }', fix: 'Pass the rows to predict, e.g. { input: holdout }.' })
  const input = options.input
  const onGpu = model.runtime.gpu === true
  const memory = await measureMemory(
    async () => {
      for await (const rows of input.batches(model.batchSize)) await model.predictRows(rows)
    },
    { runs: options.runs ?? 3, gpu: onGpu },
  )
  const tensors = model.runtime.runtime.startsWith('tfjs') ? (tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number }) : undefined
  const tensorsInGpu = onGpu && tensors?.numBytesInGPU !== undefined ? tensors.numBytesInGPU / 1024 / 1024 : undefined
  const rss = `RSS growth ${memory.rssGrowth.toFixed(1)} MiB, heap ${memory.heapGrowth >= 0 ? '+' : ''}${memory.heapGrowth.toFixed(1)} MiB`
  const tfjs = tensors ? `tfjs ${(tensors.numBytes / 1024 / 1024).toFixed(1)} MiB in ${tensors.numTensors} tensors${tensorsInGpu !== undefined ? ` (${tensorsInGpu.toFixed(1)} MiB on the GPU)` : ''}` : undefined
  const rows = `while predicting ${input.rowCount} rows`
  const measured =
    onGpu && 'usedMiB' in memory.gpu
      ? { on: 'gpu', actual: memory.gpu.usedMiB, what: `GPU memory peak ${memory.gpu.usedMiB} MiB`, note: ['nvidia-smi, this process', tfjs, rss] }
      : onGpu && tensorsInGpu !== undefined
        ? { on: 'gpu', actual: tensorsInGpu, what: `GPU memory in tfjs tensors ${tensorsInGpu.toFixed(1)} MiB`, note: [`nvidia-smi: ${(memory.gpu as { skipped: string }).skipped}`, rss] }
        : {
            on: 'rss',
            actual: memory.rssGrowth,
            what: `Peak RSS growth ${memory.rssGrowth.toFixed(1)} MiB`,
            note: [
              `heap ${memory.heapGrowth >= 0 ? '+' : ''}${memory.heapGrowth.toFixed(1)} MiB`,
              tfjs,
              `GPU memory test skipped (${onGpu ? (memory.gpu as { skipped: string }).skipped : `no GPU: the model runs on ${model.runtime.backend ?? model.runtime.runtime}`})`,
            ],
          }
  return makeCheck(
    {
      name: 'memory_usage',
      kind: 'model',
      actual: measured.actual,
      threshold: maxMiB,
      comparator: '<=',
      unit: 'MiB',
      n: input.rowCount,
      message: `${measured.what} ${relationFor(measured.actual, maxMiB, '<=')} ${maxMiB} MiB ${rows} (${measured.note.filter(Boolean).join('; ')})`,
      details: { ...memory, measured: measured.on, tfjs: tensors ? { numBytes: tensors.numBytes, numTensors: tensors.numTensors, numBytesInGPU: tensors.numBytesInGPU } : undefined },
      data: datasetSubject(input),
      model: modelSubject(model),
    },
    negate,
  )
}

export interface RegressionOptions extends EvaluationOptions {
  /** The largest accepted fall of the metric from the baseline's (0.02 = two points of accuracy; for losses, a rise). */
  maxDrop: number
  /** The metric compared; accuracy by default. Any name toMeetMetric knows. */
  metric?: string
  /** The positive class of binary metrics (as toMeetMetric's); 1 by default. */
  positive?: number
  /**
   * The paired test: exact McNemar for accuracy (the default there), DeLong's for binary ROC AUC (the
   * default there), a paired bootstrap for every metric (the default elsewhere).
   */
  test?: 'mcnemar' | 'bootstrap' | 'delong'
  /** Significance level: a drop beyond maxDrop fails only when the test's p-value is below it; 0.05 by default. */
  alpha?: number
  resamples?: number
  seed?: number
}

/**
 * Candidate and baseline scored on the same rows: the check fails only when the candidate's metric
 * falls by more than `maxDrop` and the paired test says the difference is significant at `alpha`
 * (a drop that the rows cannot tell from chance is reported, not failed).
 */
export async function regressionCheck(candidate: Model, baseline: Model, options: RegressionOptions, negate = false): Promise<CheckRecord> {
  const metricName = options?.metric ?? 'accuracy'
  const metric = metricNamed(metricName)
  if (options?.by !== undefined) throw new ModeltestError({ what: 'toNotRegressFrom does not compare slices yet', fix: 'Leave out { by }, or check each slice with toMeetAccuracy / toMeetMetric and { by }.' })
  if (typeof options?.maxDrop !== 'number' || !(options.maxDrop >= 0)) {
    throw new ModeltestError({ what: `toNotRegressFrom: maxDrop must be a number ≥ 0, got ${String(options?.maxDrop)}`, fix: 'Write { maxDrop: 0.02 } for two points of accuracy.' })
  }
  const alpha = options.alpha ?? 0.05
  if (!(alpha > 0 && alpha < 1)) throw new ModeltestError({ what: `alpha ${alpha} is not within (0, 1)`, fix: 'Pass { alpha: 0.05 }.' })
  if (options.test === 'mcnemar' && metricName !== 'accuracy') throw new ModeltestError({ what: `McNemar's test compares accuracies, not ${metricName}`, fix: "Use { test: 'bootstrap' } for other metrics." })
  if (options.test === 'delong' && metricName !== 'roc_auc') throw new ModeltestError({ what: `DeLong's test compares ROC AUCs, not ${metricName}`, fix: "Use { test: 'bootstrap' } for other metrics." })
  const data = evaluationData(options, 'toNotRegressFrom')
  const [ours, theirs] = await Promise.all([evaluateFor(metric, candidate, data, options.label), evaluateFor(metric, baseline, data, options.label)])
  const n = ours.labels.length
  const positive = options.positive ?? 1
  const isPositive = positiveIndicator(ours.labels, positive)
  const positives = isPositive.reduce((sum, bit) => sum + bit, 0)
  // DeLong's exact test by default for binary ROC AUC where each class has the two rows it needs.
  const delongFits = metricName === 'roc_auc' && ours.scores.width <= 2 && theirs.scores.width <= 2 && positives >= 2 && n - positives >= 2
  const test = options.test ?? (metricName === 'accuracy' ? 'mcnemar' : delongFits ? 'delong' : 'bootstrap')
  // Drop: how much worse the candidate is, in the metric's direction (a rise, for losses).
  const dropOf = (a: Evaluation, b: Evaluation) => (metric.higherIsBetter ? 1 : -1) * (metric.compute(b, options) - metric.compute(a, options))
  const candidateValue = metric.compute(ours, options)
  const baselineValue = metric.compute(theirs, options)
  const drop = (metric.higherIsBetter ? 1 : -1) * (baselineValue - candidateValue)
  let pValue: number
  if (test === 'mcnemar') {
    let b = 0
    let c = 0
    for (let i = 0; i < n; i++) {
      const candidateRight = ours.predicted[i] === ours.labels[i]
      const baselineRight = theirs.predicted[i] === theirs.labels[i]
      if (baselineRight && !candidateRight) b++
      else if (candidateRight && !baselineRight) c++
    }
    pValue = mcnemarExact(b, c).pValue
  } else if (test === 'delong') {
    pValue = delongTest(isPositive, positiveScores(ours.scores, positive), positiveScores(theirs.scores, positive)).pValue
  } else {
    const strata = metric.kind === 'classification' ? ours.labels : undefined
    pValue = pairedBootstrap(n, (indices) => dropOf(resample(ours, indices), resample(theirs, indices)), { resamples: options.resamples, seed: options.seed, strata }).pValue
  }
  const significant = pValue < alpha
  const testName = { mcnemar: 'McNemar', delong: 'DeLong', bootstrap: 'paired bootstrap' }[test]
  const verdict = drop > options.maxDrop ? (significant ? ', significant' : ' but not significant') : ''
  return makeCheck(
    {
      name: 'no_regression',
      kind: 'model',
      actual: drop,
      threshold: options.maxDrop,
      comparator: '<=',
      n,
      baseline: baselineValue,
      significance: { test, pValue, alpha },
      message: `${metric.title} ${candidateValue.toFixed(4)} vs baseline ${baselineValue.toFixed(4)}: drop ${formatAgainst(drop, options.maxDrop)} ${relationFor(drop, options.maxDrop, '<=')} max drop ${formatThreshold(options.maxDrop)}${verdict} (${testName} p=${formatPValue(pValue, alpha)} ${significant ? '<' : '≥'} α ${formatThreshold(alpha)}, n=${n})`,
      details: { metric: metricName, candidate: candidateValue, baseline: baselineValue, drop, test, p_value: pValue, alpha },
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
