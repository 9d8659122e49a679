/**
 * The two-sample Kolmogorov–Smirnov test with its exact distribution (lattice-path counting), as
 * scipy.stats.ks_2samp (scipy 1.10); the asymptotic p-value comes from kolmogorov.ts.
 */
import { kolmogorovSmirnovSurvival } from './kolmogorov.js'
import { clip01, gcd, roundHalfEven } from './numeric.js'
import { checkSample, forEachPooledValue } from './samples.js'

interface KsTwoSampleResult {
  /** D = sup_x |F_ref(x) − F_cur(x)|; in the exact method rounded to the lattice h / lcm(n₁, n₂), as scipy does. */
  statistic: number
  /** Two-sided p-value P(D ≥ d) under the null hypothesis that both samples come from one continuous distribution. */
  pValue: number
  /** 'exact' when max(n₁, n₂) ≤ 10,000, else 'asymptotic' (scipy's method='auto'). */
  method: 'exact' | 'asymptotic'
}

/** scipy's method='auto' computes the exact distribution when both samples have at most this many values. */
const KS_MAX_EXACT_N = 10_000

/**
 * Two-sided two-sample Kolmogorov–Smirnov test.
 * D = sup_x |F_ref(x) − F_cur(x)|, with the empirical CDFs F(x) = #{values ≤ x} / n evaluated at every
 * value of both samples (so ties count on both sides at once).
 * p-value, as scipy.stats.ks_2samp(reference, current) (scipy 1.10, method='auto', two-sided):
 * - exact when max(n₁, n₂) ≤ 10,000: P(D ≥ d) by lattice-path counting, Hodges (1958): for n₁ = n₂ the
 *   alternating binomial sum, otherwise Viehmann's (2021) "inside" recursion for 1 − p; d is first
 *   rounded to h / lcm(n₁, n₂), h = round(d·lcm), and that rounded d is the reported statistic.
 *   (Should the exact value leave [0, 1], scipy falls back to the asymptotic p-value; so does this.)
 * - otherwise asymptotic: P(D_m ≥ d) of the one-sample statistic with m = round(n₁n₂ / (n₁ + n₂))
 *   (numpy's round half to even), i.e. scipy.stats.kstwo.sf(d, m): see kolmogorovSmirnovSurvival.
 */
export function ksTwoSample(reference: ArrayLike<number>, current: ArrayLike<number>): KsTwoSampleResult {
  const n1 = checkSample(reference, 'reference', 'ksTwoSample')
  const n2 = checkSample(current, 'current', 'ksTwoSample')
  let maxDiff = 0
  let minDiff = 0
  forEachPooledValue(reference, current, (_, cdf1, cdf2) => {
    const diff = cdf1 - cdf2
    if (diff > maxDiff) maxDiff = diff
    if (diff < minDiff) minDiff = diff
  })
  const d = Math.max(maxDiff, -minDiff)

  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const g = gcd(n1, n2)
    const lcm = (n1 / g) * n2
    const h = roundHalfEven(d * lcm)
    const lattice = h / lcm
    if (h === 0) return { statistic: lattice, pValue: 1, method: 'exact' }
    const p = n1 === n2 ? ksProbOutsideSquare(n1, h) : ksProbOutsideBand(n1, n2, g, h)
    if (p >= 0 && p <= 1) return { statistic: lattice, pValue: p, method: 'exact' }
    return { statistic: lattice, pValue: ksAsymptotic(lattice, n1, n2), method: 'asymptotic' }
  }
  return { statistic: d, pValue: ksAsymptotic(d, n1, n2), method: 'asymptotic' }
}

function ksAsymptotic(d: number, n1: number, n2: number): number {
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1]
  return clip01(kolmogorovSmirnovSurvival(d, roundHalfEven((m * n) / (m + n))))
}

/**
 * P(D_{n,n} ≥ h/n) for two samples of n each: 2·Σ_{k≥1} (−1)^{k−1} C(2n, n−kh) / C(2n, n), evaluated as
 * scipy's _compute_prob_outside_square does, in Horner form on ratios to avoid cancellation.
 */
function ksProbOutsideSquare(n: number, h: number): number {
  let p = 0
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let term = 1
    for (let j = 0; j < h; j++) term = ((n - k * h - j) * term) / (n + k * h + j + 1)
    p = term * (1 - p)
  }
  return 2 * p
}

/**
 * P(D_{m,n} ≥ h/lcm(m, n)): the share of lattice paths from (0, 0) to (m, n) that touch |x/m − y/n| ≥ h/lcm.
 * Hodges' inside method with Viehmann's recursion for 1 − p, a sliding column window
 * (scipy.stats._stats_pythran._compute_outer_prob_inside_method, line for line).
 */
function ksProbOutsideBand(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0]
  const mg = m / g
  const ng = n / g
  let minj = 0
  let maxj = Math.min(Math.ceil(h / mg), n + 1)
  let curlen = maxj - minj
  const A = new Float64Array(Math.min(2 * maxj + 2, n + 1)).fill(1)
  A.fill(0, minj, maxj)
  for (let i = 1; i <= m; i++) {
    const lastminj = minj
    const lastlen = curlen
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n)
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1)
    if (maxj <= minj) return 1
    let val = minj === 0 ? 0 : 1
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj
      val = (A[jj + minj - lastminj] * i + val * j) / (i + j)
      A[jj] = val
    }
    curlen = maxj - minj
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen))
  }
  return A[maxj - minj - 1]
}
