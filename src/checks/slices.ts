import { ModeltestError } from '../errors.js'
import type { Model } from '../models/model.js'
import { binomialCdf, holmAdjust, pairedBootstrap } from '../stats/paired.js'
import { evaluateFor, metricNamed, resample, type MetricOptions } from './metric.js'
import { formatAgainst, formatPValue, formatThreshold, makeCheck, type CheckRecord } from './record.js'
import { datasetSubject, modelSubject } from './subjects.js'
import { sliceBars } from './figures.js'

export interface SliceOptions {
  /** The column whose values cut the rows into slices (source, country, device). */
  by: string
  /** Slices with fewer rows are reported, not gated; 30 by default. */
  minSliceSize?: number
  /** Family-wise significance level across the gated slices (Holm); 0.05 by default. */
  alpha?: number
}

export interface SliceResult {
  slice: string
  n: number
  value?: number
  pValue?: number
  adjustedP?: number
  failed: boolean
  skipped?: string
}

/**
 * The metric on each slice of `on` (rows sharing a value of `by`). A slice fails when its metric is
 * on the wrong side of the threshold and significantly so: one-sided p-value of H₀ "the slice meets
 * the threshold" (exact binomial for accuracy, a seeded bootstrap otherwise), Holm-adjusted across
 * the gated slices so that the chance of any false alarm stays below alpha.
 */
export async function sliceCheck(model: Model, metricName: string, threshold: number, options: MetricOptions & SliceOptions, negate = false): Promise<CheckRecord> {
  const metric = metricNamed(metricName)
  const data = options.on
  const minSize = options.minSliceSize ?? 30
  const alpha = options.alpha ?? 0.05
  if (!Number.isInteger(minSize) || minSize < 1) throw new ModeltestError({ what: `minSliceSize ${minSize} is not a whole number ≥ 1`, fix: 'Pass { minSliceSize: 30 }.' })
  if (!(alpha > 0 && alpha < 1)) throw new ModeltestError({ what: `alpha ${alpha} is not within (0, 1)`, fix: 'Pass { alpha: 0.05 }.' })
  data.checkColumns([options.by])
  const [rows, keys] = await Promise.all([evaluateFor(metric, model, data, options.label), data.column(options.by)])
  const groups = new Map<string, number[]>()
  keys.forEach((key, i) => {
    const name = key === null ? '(null)' : String(key)
    const group = groups.get(name)
    if (group) group.push(i)
    else groups.set(name, [i])
  })
  const results: SliceResult[] = []
  for (const [slice, indices] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    if (indices.length < minSize) {
      results.push({ slice, n: indices.length, failed: false, skipped: `${indices.length} rows < ${minSize}` })
      continue
    }
    const sliceRows = resample(rows, Int32Array.from(indices))
    const value = metric.compute(sliceRows, options)
    const direction = metric.higherIsBetter ? 1 : -1
    let pValue: number
    if (metricName === 'accuracy') {
      // Exact: P(X ≤ correct) for X ~ Bin(n, threshold), how surprising this few correct rows would be at the threshold.
      pValue = binomialCdf(Math.round(value * indices.length), indices.length, threshold)
    } else {
      const { differences } = pairedBootstrap(indices.length, (sample) => direction * (metric.compute(resample(sliceRows, sample), options) - threshold), {
        resamples: options.resamples,
        seed: options.seed,
        strata: metric.kind === 'classification' ? sliceRows.labels : undefined,
      })
      pValue = (1 + differences.filter((d) => d >= 0).length) / (differences.length + 1)
    }
    results.push({ slice, n: indices.length, value, pValue, failed: false })
  }
  const gated = results.filter((result) => result.skipped === undefined)
  if (gated.length === 0) throw new ModeltestError({ what: `no slice of '${options.by}' has ${minSize} rows or more`, where: data.source, fix: 'Lower { minSliceSize }, or slice by a coarser column.' })
  holmAdjust(gated.map((result) => result.pValue!)).forEach((adjusted, i) => {
    const result = gated[i]
    result.adjustedP = adjusted
    const wrongSide = metric.higherIsBetter ? result.value! < threshold : result.value! > threshold
    result.failed = wrongSide && adjusted < alpha
  })
  const failed = gated.filter((result) => result.failed)
  const describe = (result: SliceResult) => `${result.slice} ${formatAgainst(result.value!, threshold)} (n=${result.n}${result.failed ? `, Holm p=${formatPValue(result.adjustedP!)}` : ''})`
  const skipped = results.filter((result) => result.skipped)
  const side = metric.higherIsBetter ? 'below' : 'above'
  const message =
    (failed.length === 0
      ? `${metric.title} by ${options.by}: no slice significantly ${side} ${formatThreshold(threshold)}: ${gated.map(describe).join(', ')}`
      : `${metric.title} by ${options.by}: ${failed.length} of ${gated.length} slices significantly ${side} ${formatThreshold(threshold)}: ${failed.map(describe).join(', ')}`) +
    ` (Holm, α ${formatThreshold(alpha)}${skipped.length > 0 ? `; not gated: ${skipped.map((result) => `${result.slice} (${result.skipped})`).join(', ')}` : ''})`
  return makeCheck(
    {
      name: `${metricName}_by_${options.by}`,
      kind: 'model',
      actual: failed.length,
      threshold: 0,
      comparator: '<=',
      n: rows.labels.length,
      message,
      details: { metric: metricName, by: options.by, threshold, alpha, slices: results },
      plots: [sliceBars(`${metric.title} by ${options.by}`, results, threshold)],
      data: datasetSubject(data),
      model: modelSubject(model),
    },
    negate,
  )
}
