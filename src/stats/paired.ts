import { ModeltestError } from '../errors.js'
import { definedOrNaN, resampler } from './intervals.js'

/**
 * Exact McNemar test on paired predictions: b = rows the baseline got right and the candidate got
 * wrong, c = the reverse. Under H₀ (no difference) the discordant rows split as X ~ Bin(b + c, ½);
 * two-sided p = min(1, 2·P(X ≤ min(b, c))). Equals statsmodels' mcnemar(table, exact=True) and
 * scipy.stats.binomtest(min(b, c), b + c, 0.5).pvalue.
 */
export function mcnemarExact(b: number, c: number): { statistic: number; pValue: number } {
  if (!Number.isInteger(b) || !Number.isInteger(c) || b < 0 || c < 0) throw new ModeltestError({ what: `McNemar needs whole counts ≥ 0, got b=${b}, c=${c}` })
  const n = b + c
  const k = Math.min(b, c)
  if (n === 0) return { statistic: 0, pValue: 1 }
  // P(X ≤ k) = Σ_{i≤k} C(n, i)/2ⁿ, summed in log space so that large n does not underflow.
  let logTerm = -n * Math.LN2
  let logSum = logTerm
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log(n - i + 1) - Math.log(i)
    logSum = logAddExp(logSum, logTerm)
  }
  return { statistic: k, pValue: Math.min(1, 2 * Math.exp(logSum)) }
}

/**
 * Paired bootstrap test of a difference between two models scored on the same rows: rows are
 * resampled jointly (seeded; within each stratum when `strata` gives one per row), the difference is
 * computed on each resample, and the two-sided p-value is 2·min(share of differences ≤ 0, share ≥ 0),
 * capped at 1. Resamples on which the difference is undefined (NaN, or a ModeltestError such as a
 * single class) are skipped and counted; `differences` holds the others.
 */
export function pairedBootstrap(n: number, difference: (indices: Int32Array) => number, options: { resamples?: number; seed?: number; strata?: ArrayLike<number> } = {}): { pValue: number; differences: Float64Array; skipped: number } {
  const resamples = options.resamples ?? 1000
  if (!Number.isInteger(n) || n < 1) throw new ModeltestError({ what: `pairedBootstrap needs at least one row, got ${n}` })
  const draw = resampler(n, options.seed ?? 0, options.strata)
  const differences = new Float64Array(resamples)
  let kept = 0
  let atOrBelow = 0
  let atOrAbove = 0
  for (let r = 0; r < resamples; r++) {
    const d = definedOrNaN(difference, draw())
    if (Number.isNaN(d)) continue
    differences[kept++] = d
    if (d <= 0) atOrBelow++
    if (d >= 0) atOrAbove++
  }
  if (kept === 0) throw new ModeltestError({ what: `the paired bootstrap is undefined: the difference is undefined on all ${resamples} resamples of ${n} rows`, fix: 'Evaluate on more rows, or on rows that include every class.' })
  return { pValue: Math.min(1, (2 * Math.min(atOrBelow, atOrAbove)) / kept), differences: differences.slice(0, kept), skipped: resamples - kept }
}

function logAddExp(a: number, b: number): number {
  const high = Math.max(a, b)
  return high + Math.log(Math.exp(a - high) + Math.exp(b - high))
}

/**
 * P(X ≤ k) for X ~ Binomial(n, p) (scipy.stats.binom.cdf), summed in log space: the one-sided
 * p-value of seeing at most k successes when the true rate is p.
 */
export function binomialCdf(k: number, n: number, p: number): number {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(k)) throw new ModeltestError({ what: `binomialCdf needs whole k and n ≥ 0, got k=${k}, n=${n}` })
  if (!(p >= 0 && p <= 1)) throw new ModeltestError({ what: `binomialCdf needs 0 ≤ p ≤ 1, got ${p}` })
  if (k < 0) return 0
  if (k >= n) return 1
  if (p === 0) return 1
  if (p === 1) return 0
  let logTerm = n * Math.log1p(-p)
  let logSum = logTerm
  const logRatio = Math.log(p) - Math.log1p(-p)
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log(n - i + 1) - Math.log(i) + logRatio
    logSum = logAddExp(logSum, logTerm)
  }
  return Math.min(1, Math.exp(logSum))
}

/**
 * Holm's step-down adjustment of p-values for m simultaneous tests (statsmodels
 * multipletests(method='holm')): sorted ascending, p̃₍ᵢ₎ = max_{j≤i} min(1, (m − j + 1)·p₍ⱼ₎), in the
 * original order.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0])
  const adjusted = new Array<number>(m)
  let running = 0
  order.forEach(([p, index], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p))
    adjusted[index] = running
  })
  return adjusted
}
