import { ModeltestError } from '../errors.js'
import { percentiles } from '../metrics/percentile.js'
import { mulberry32 } from '../random.js'
import { chiSquareSurvival } from './drift.js'
import { multinomial } from './sampling.js'

/** A two-sided confidence interval and how it was made. */
export interface Interval {
  low: number
  high: number
  confidence: number
  method: 'wilson' | 'bootstrap' | 'delong' | 'normal' | 'logit'
  /** Bootstrap only: resamples drawn, and how many were skipped because the statistic is undefined on them. */
  resamples?: number
  skipped?: number
  /** Bootstrap only: resampled within each class, keeping the class counts of the data. */
  stratified?: boolean
}

/** Above this share of skipped resamples the bootstrap interval describes the data too poorly to be trusted. */
export const MAX_SKIPPED_SHARE = 0.05

/**
 * Wilson score interval for a binomial proportion p̂ = k/n at a two-sided confidence level:
 * (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n), z = Φ⁻¹(1 − α/2).
 * Equals scipy.stats.binomtest(k, n).proportion_ci(method='wilson').
 */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): Interval {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new ModeltestError({ what: `wilsonInterval needs 0 ≤ successes ≤ n with n ≥ 1 whole numbers, got ${successes} of ${n}` })
  }
  const z = normalQuantile(1 - (1 - checkConfidence(confidence)) / 2)
  const p = successes / n
  const z2 = z * z
  const denominator = 1 + z2 / n
  const center = (p + z2 / (2 * n)) / denominator
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator
  // Rounding can leave center − half a hair above p̂ = 0 (2.8e-17 at 0 of 5): the interval always holds p̂.
  return { low: Math.min(p, Math.max(0, center - half)), high: Math.max(p, Math.min(1, center + half)), confidence, method: 'wilson' }
}

/**
 * The logit interval of average precision (Boyd, Eng & Page 2013, "Area under the Precision-Recall
 * Curve: Point Estimates and Confidence Intervals", ECML PKDD, section 4.2):
 * expit(logit(AP) ± z·τ), τ = 1/√(n₊·AP·(1 − AP)), n₊ the number of positive rows, z = Φ⁻¹(1 − α/2).
 * It treats AP as a binomial proportion of n₊ trials on the logit scale, so the bounds stay within
 * (0, 1); it widens fast as n₊·AP·(1 − AP) falls towards z². Needs 0 < AP < 1.
 */
export function logitInterval(averagePrecision: number, positives: number, confidence = 0.95): Interval {
  if (!(averagePrecision > 0 && averagePrecision < 1) || !(positives >= 1)) {
    throw new ModeltestError({ what: `logitInterval needs 0 < AP < 1 and at least one positive, got AP ${averagePrecision} with ${positives} positives` })
  }
  const z = normalQuantile(1 - (1 - checkConfidence(confidence)) / 2)
  const center = Math.log(averagePrecision / (1 - averagePrecision))
  const half = z / Math.sqrt(positives * averagePrecision * (1 - averagePrecision))
  const expit = (x: number) => 1 / (1 + Math.exp(-x))
  return { low: expit(center - half), high: expit(center + half), confidence, method: 'logit' }
}

/**
 * The normal (central limit) interval of a mean of n per-row terms: x̄ ± z·s/√n, s the sample
 * standard deviation (divisor n − 1), z = Φ⁻¹(1 − α/2); one row gives the mean itself. Equals
 * scipy.stats.norm.interval(confidence, loc=x̄, scale=scipy.stats.sem(terms)).
 */
export function meanInterval(terms: ArrayLike<number>, confidence = 0.95): Interval {
  checkConfidence(confidence)
  const n = terms.length
  if (n < 1) throw new ModeltestError({ what: 'meanInterval needs at least one term' })
  let sum = 0
  for (let i = 0; i < n; i++) sum += terms[i]
  const mean = sum / n
  let squares = 0
  for (let i = 0; i < n; i++) squares += (terms[i] - mean) ** 2
  const half = n < 2 ? 0 : normalQuantile(1 - (1 - confidence) / 2) * Math.sqrt(squares / (n - 1) / n)
  return { low: mean - half, high: mean + half, confidence, method: 'normal' }
}

/**
 * Percentile bootstrap interval of a statistic over n paired rows: `resamples` samples of n row
 * indices drawn with replacement (Mulberry32, seeded: the same interval for the same seed), the
 * statistic on each, and the α/2 and 1 − α/2 percentiles of those values (linear interpolation).
 * With `strata` (a class per row), each resample draws within each class as many rows as it has,
 * so that a metric needing both classes (ROC AUC on 3 positives in 300 rows) is defined on every
 * resample. A resample on which the statistic is undefined (it returns NaN or throws a
 * ModeltestError, e.g. a single class) is skipped and counted in `skipped`.
 */
export function bootstrapInterval(n: number, statistic: (indices: Int32Array) => number, options: { confidence?: number; resamples?: number; seed?: number; strata?: ArrayLike<number> } = {}): Interval {
  const confidence = checkConfidence(options.confidence ?? 0.95)
  const resamples = checkResamples(options.resamples ?? 1000)
  if (!Number.isInteger(n) || n < 1) throw new ModeltestError({ what: `bootstrapInterval needs at least one row, got ${n}` })
  const draw = resampler(n, options.seed ?? 0, options.strata)
  return percentileInterval(() => definedOrNaN(statistic, draw()), resamples, confidence, options.strata !== undefined, `${n} rows`)
}

/**
 * The same bootstrap (the same resamples for the same seed and strata) for a statistic computed in
 * one weighted pass over the rows: it receives each row's count in the resample (how many times it
 * was drawn), so that it can keep what it sorted or binned once instead of materialising the rows.
 */
export function weightedBootstrapInterval(n: number, statistic: (counts: Int32Array) => number, options: { confidence?: number; resamples?: number; seed?: number; strata?: ArrayLike<number> } = {}): Interval {
  const counts = new Int32Array(n)
  return bootstrapInterval(
    n,
    (indices) => {
      counts.fill(0)
      for (let i = 0; i < indices.length; i++) counts[indices[i]]++
      return statistic(counts)
    },
    options,
  )
}

/**
 * The same bootstrap for a statistic of a contingency table whose rows are strata (a confusion matrix:
 * rows the true class): each resample redraws every row's count over its cells, Multinomial(row total,
 * row shares), exactly as resampling that row's data rows would, at a cost of one draw per cell. The
 * statistic also gets the seeded random source, to draw what the counts alone leave open (the sum of a
 * cell's values).
 */
export function tableBootstrapInterval(table: ArrayLike<number>, rowLength: number, statistic: (table: Float64Array, random: () => number) => number, options: { confidence?: number; resamples?: number; seed?: number } = {}): Interval {
  const confidence = checkConfidence(options.confidence ?? 0.95)
  const resamples = checkResamples(options.resamples ?? 1000)
  const random = mulberry32(options.seed ?? 0)
  const resampled = new Float64Array(table.length)
  const rows = Array.from({ length: table.length / rowLength }, (_, r) => Array.from({ length: rowLength }, (_, c) => table[r * rowLength + c]))
  const totals = rows.map((row) => row.reduce((sum, count) => sum + count, 0))
  const draw = () => {
    rows.forEach((row, r) => multinomial(totals[r], row, random, resampled, r * rowLength))
    return definedOrNaN((counts) => statistic(counts, random), resampled)
  }
  return percentileInterval(draw, resamples, confidence, true, `${totals.reduce((a, b) => a + b, 0)} rows`)
}

/** The α/2 and 1 − α/2 percentiles of `resamples` values of `draw`, skipping and counting the undefined (NaN) ones. */
function percentileInterval(draw: () => number, resamples: number, confidence: number, stratified: boolean, of: string): Interval {
  const values = new Float64Array(resamples)
  let kept = 0
  for (let b = 0; b < resamples; b++) {
    const value = draw()
    if (!Number.isNaN(value)) values[kept++] = value
  }
  const skipped = resamples - kept
  if (kept < 2) {
    throw new ModeltestError({ what: `the bootstrap interval is undefined: the statistic is undefined on ${skipped} of ${resamples} resamples of ${of}`, fix: 'Evaluate on more rows, or on rows that include every class.' })
  }
  const alpha = 1 - confidence
  const [low, high] = percentiles(values.subarray(0, kept), [(alpha / 2) * 100, (1 - alpha / 2) * 100])
  return { low, high, confidence, method: 'bootstrap', resamples, skipped, stratified }
}

function checkResamples(resamples: number): number {
  if (!Number.isInteger(resamples) || resamples < 2) throw new ModeltestError({ what: `resamples must be a whole number ≥ 2, got ${resamples}` })
  return resamples
}

/** The statistic's value, or NaN where it is undefined (it says so with a ModeltestError). */
export function definedOrNaN<T>(statistic: (sample: T) => number, sample: T): number {
  try {
    return statistic(sample)
  } catch (error) {
    if (error instanceof ModeltestError) return NaN
    throw error
  }
}

/**
 * A seeded source of bootstrap resamples of n rows: indices drawn with replacement from all rows, or,
 * with strata, from the rows of each stratum as many times as it has rows (the same array is reused).
 */
export function resampler(n: number, seed: number, strata?: ArrayLike<number>): () => Int32Array {
  const random = mulberry32(seed)
  const indices = new Int32Array(n)
  if (!strata) {
    return () => {
      for (let i = 0; i < n; i++) indices[i] = Math.floor(random() * n)
      return indices
    }
  }
  // Rows grouped by stratum: groups[start[s] … start[s + 1]) are the rows of stratum s.
  const byStratum = new Map<number, number[]>()
  for (let i = 0; i < n; i++) {
    const group = byStratum.get(strata[i])
    if (group) group.push(i)
    else byStratum.set(strata[i], [i])
  }
  const groups = Int32Array.from([...byStratum.values()].flat())
  const starts = [0]
  for (const group of byStratum.values()) starts.push(starts[starts.length - 1] + group.length)
  return () => {
    for (let s = 0; s + 1 < starts.length; s++) {
      const start = starts[s]
      const size = starts[s + 1] - start
      for (let i = start; i < start + size; i++) indices[i] = groups[start + Math.floor(random() * size)]
    }
    return indices
  }
}

/**
 * Φ⁻¹(p), the standard normal quantile (scipy.special.ndtri): Acklam's rational approximation
 * (relative error < 1.2·10⁻⁹), then one Halley step on Φ(x) − p, with Φ from the chi-square(1)
 * survival function (Φ(x) = 1 − ½·P(χ²₁ > x²) for x ≥ 0), for about 13 correct digits.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new ModeltestError({ what: `normalQuantile needs 0 < p < 1, got ${p}` })
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239]
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572]
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783]
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]
  const tail = (q: number) => (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
  let x: number
  if (p < 0.02425) x = tail(Math.sqrt(-2 * Math.log(p)))
  else if (p > 1 - 0.02425) x = -tail(Math.sqrt(-2 * Math.log(1 - p)))
  else {
    const q = p - 0.5
    const r = q * q
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  }
  const error = normalCdf(x) - p
  const u = error * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2)
  return x - u / (1 + (x * u) / 2)
}

/** Φ(x), the standard normal CDF, through the chi-square(1) survival function. */
export function normalCdf(x: number): number {
  const upper = x === 0 ? 0.5 : chiSquareSurvival(x * x, 1) / 2
  return x >= 0 ? 1 - upper : upper
}

function checkConfidence(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new ModeltestError({ what: `confidence ${confidence} is not within (0, 1)`, fix: 'Pass { confidence: 0.95 }.' })
  return confidence
}
