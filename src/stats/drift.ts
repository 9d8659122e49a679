/**
 * Distribution drift between a reference sample and a current sample: pure functions, no I/O.
 *
 * Each statistic reproduces a reference implementation (scipy 1.10 / numpy 1.24), named in its
 * comment; test/golden/make_drift_golden.py computes the golden values the tests compare against.
 * Samples are arrays of finite numbers; counts are aligned by index (bin or category i on both
 * sides). Bad input throws a ModeltestError from one of the two guards at the top of this file.
 */
import { ModeltestError } from '../errors.js'
import { countBelow } from './sorted.js'

// ─── Input guards ───────────────────────────────────────────────────────────────────────────────

/** The shared guard of sample statistics: at least one value, every value finite. Returns n. */
function checkSample(values: ArrayLike<number>, side: string, statistic: string): number {
  if (values.length === 0) {
    throw new ModeltestError({ what: `${statistic}: the ${side} sample is empty`, fix: 'Compare samples with at least one value on each side.' })
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new ModeltestError({ what: `${statistic}: ${side} value ${i} is ${values[i]}`, fix: 'Drop or impute missing and infinite values before comparing distributions.' })
    }
  }
  return values.length
}

/**
 * The shared guard of count statistics: the same number of bins on both sides (at least one),
 * every count finite and ≥ 0, and a positive total on each side. Returns the number of bins.
 */
function checkCounts(reference: ArrayLike<number>, current: ArrayLike<number>, statistic: string): number {
  if (reference.length !== current.length) {
    throw new ModeltestError({ what: `${statistic}: ${reference.length} reference counts but ${current.length} current counts`, fix: 'Give one count per bin or category, aligned by index, on both sides.' })
  }
  if (reference.length === 0) throw new ModeltestError({ what: `${statistic}: no bins to compare`, fix: 'Give at least one bin or category.' })
  for (const [side, counts] of [
    ['reference', reference],
    ['current', current],
  ] as const) {
    let total = 0
    for (let i = 0; i < counts.length; i++) {
      if (!(Number.isFinite(counts[i]) && counts[i] >= 0)) {
        throw new ModeltestError({ what: `${statistic}: ${side} count ${i} is ${counts[i]}`, fix: 'Counts must be finite numbers ≥ 0.' })
      }
      total += counts[i]
    }
    if (!(total > 0)) throw new ModeltestError({ what: `${statistic}: the ${side} counts add up to 0`, fix: 'Each side needs at least one observation.' })
  }
  return reference.length
}

// ─── Two-sample Kolmogorov–Smirnov ──────────────────────────────────────────────────────────────

export interface KsTwoSampleResult {
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

// ─── The Kolmogorov distribution of the one-sample statistic D_n ────────────────────────────────

const EP128 = 2 ** 128
const EM128 = 2 ** -128

/**
 * Survival function of the two-sided one-sample Kolmogorov–Smirnov statistic,
 * P(D_n ≥ d) with D_n = sup_x |F_n(x) − F(x)| for n values from a continuous F.
 * Equals scipy.stats.kstwo.sf(d, n) (scipy 1.10 _ksstats._kolmogn, cdf=False), which follows
 * Simard & L'Ecuyer (2011), "Computing the two-sided Kolmogorov–Smirnov distribution", choosing per (n, d):
 * Ruben–Gambino closed forms at the ends (nd ≤ 1, nd ≥ n − 1); 2·P(D_n⁺ ≥ d) (Smirnov's one-sided
 * Birnbaum–Tingey sum) for d ≥ 0.5 and in the upper tail (nd² > 4 for n ≤ 140, nd² ≥ 2.2 above, 0 from
 * nd² ≥ 370); otherwise the Durbin matrix (Marsaglia–Tsang–Wang 2003) for nd² ≤ 0.754693 (n ≤ 140) or
 * n·d^1.5 ≤ 1.4 (n ≤ 100,000), Pomeranz's recursion (1974) for the rest of n ≤ 140, and the Pelz–Good
 * (1976) expansion for the rest of n > 140.
 * The sub-algorithms run in float64 where scipy uses double-double (Smirnov's sum) or, when rescaling,
 * long double (Durbin, Pomeranz): they agree with scipy to about 1e-12 relative, not bit for bit.
 */
export function kolmogorovSmirnovSurvival(d: number, n: number): number {
  if (!(Number.isInteger(n) && n >= 1)) {
    throw new ModeltestError({ what: `kolmogorovSmirnovSurvival: n must be a whole number ≥ 1, got ${n}`, fix: 'Pass the sample size.' })
  }
  if (Number.isNaN(d)) throw new ModeltestError({ what: 'kolmogorovSmirnovSurvival: d is NaN', fix: 'Pass the statistic, a number in [0, 1].' })
  if (d >= 1) return 0
  if (d <= 0) return 1
  const t = n * d
  if (t <= 1) {
    // Ruben–Gambino: P(D_n ≤ d) = n!/nⁿ (2t − 1)ⁿ for 1/(2n) ≤ d ≤ 1/n.
    if (t <= 0.5) return 1
    let cdf: number
    if (n <= 140) {
      cdf = 1
      for (let i = 1; i <= n; i++) cdf *= i * (1 / n) * (2 * t - 1)
    } else {
      cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1))
    }
    return clip01(1 - clip01(cdf))
  }
  if (t >= n - 1) return clip01(2 * (1 - d) ** n) // Ruben–Gambino
  if (d >= 0.5) return clip01(2 * smirnovSurvival(n, d)) // D⁺ ≥ d and D⁻ ≥ d are disjoint: exact
  const ndSquared = t * d
  if (n <= 140) {
    if (ndSquared <= 0.754693) return clip01(1 - clip01(durbinCdf(n, d)))
    if (ndSquared <= 4) return clip01(1 - clip01(pomeranzCdf(n, d)))
    return clip01(2 * smirnovSurvival(n, d))
  }
  if (ndSquared >= 370) return 0
  if (ndSquared >= 2.2) return clip01(2 * smirnovSurvival(n, d))
  const cdf = n <= 100_000 && n * d ** 1.5 <= 1.4 ? clip01(durbinCdf(n, d)) : pelzGoodCdf(n, d)
  return clip01(1 - cdf)
}

/** Stirling-series coefficients B₂ⱼ/(2j(2j − 1)), j = 8 … 1 (scipy _ksstats._STIRLING_COEFFS). */
/* eslint-disable no-loss-of-precision -- scipy's digits as scipy writes them; the double nearest each is the value */
const STIRLING = [-2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2]
/* eslint-enable no-loss-of-precision */

/** log(n!/nⁿ) by Stirling's series, n·log n removed first (scipy _log_nfactorial_div_n_pow_n). */
function logFactorialOverPower(n: number): number {
  const rn = 1 / n
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + rn * polyval(STIRLING, rn / n)
}

/**
 * P(D_n ≤ d) by Durbin's matrix method as arranged by Marsaglia, Tsang & Wang (2003): with
 * d = (k − h)/n, the (k, k) entry of n!/nⁿ · Hⁿ for an m × m matrix H, m = 2k − 1, powered by squaring
 * with explicit exponent bookkeeping (scipy _kolmogn_DMTW).
 */
function durbinCdf(n: number, d: number): number {
  if (d >= 1) return 1
  const nd = n * d
  if (nd <= 0.5) return 0
  const k = Math.ceil(nd)
  const h = k - nd
  const m = 2 * k - 1
  const v = new Float64Array(m)
  const w = new Float64Array(m)
  let fac = 1
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac
    fac /= j
    v[j - 1] = (1 - h ** j) * fac
  }
  v[m - 1] = (1 + (Math.max(2 * h - 1, 0) ** m - 2 * h ** m)) * fac
  let H: Float64Array = new Float64Array(m * m)
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - i + 1]
  for (let r = 0; r < m; r++) H[r * m] = v[r]
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c]

  let power: Float64Array = new Float64Array(m * m)
  for (let i = 0; i < m; i++) power[i * m + i] = 1
  let exponent = 0
  let hExponent = 0
  for (let nn = n; nn > 0; nn = Math.floor(nn / 2)) {
    if (nn % 2) {
      power = matmul(power, H, m)
      exponent += hExponent
    }
    H = matmul(H, H, m)
    hExponent *= 2
    if (Math.abs(H[(k - 1) * m + (k - 1)]) > EP128) {
      for (let i = 0; i < H.length; i++) H[i] /= EP128
      hExponent += 128
    }
  }
  let p = power[(k - 1) * m + (k - 1)]
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n
    if (Math.abs(p) < EM128) {
      p *= EP128
      exponent -= 128
    }
  }
  return clip01(ldexp(p, exponent))
}

/** The Pomeranz row bounds [j1, j2] for row i (scipy _pomeranz_compute_j1j2). */
function pomeranzBounds(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number
  let j2: number
  if (i === 0) {
    j1 = -ll - ceilf - 1
    j2 = ll + ceilf - 1
  } else {
    const half = Math.floor((i + 1) / 2)
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ll - ceilf - 1
        j2 = n + ll + ceilf - 1
      } else {
        j1 = half - 1 - ll - roundf - 1
        j2 = half + ll - 1 + ceilf - 1
      }
    } else {
      j1 = half - 1 - ll - 1
      j2 = half + ll + roundf - 1
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)]
}

/**
 * P(D_n ≤ d) by Pomeranz's recursion (1974): 2n + 1 rows, each the previous row convolved with
 * truncated Poisson weights, rescaled against underflow; the answer is n! times the last entry
 * (scipy _kolmogn_Pomeranz).
 */
function pomeranzCdf(n: number, x: number): number {
  const t = n * x
  const ll = Math.floor(t)
  const f = t - ll
  const g = Math.min(f, 1 - f)
  const ceilf = f > 0 ? 1 : 0
  const roundf = f > 0.5 ? 1 : 0
  const npwrs = 2 * (ll + 1)
  const gpower = new Float64Array(npwrs)
  const twogpower = new Float64Array(npwrs)
  const onem2gpower = new Float64Array(npwrs)
  gpower[0] = twogpower[0] = onem2gpower[0] = 1
  const gOverN = g / n
  const twoGOverN = (2 * g) / n
  const oneMinusTwoGOverN = (1 - 2 * g) / n
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = (gpower[m - 1] * gOverN) / m
    twogpower[m] = (twogpower[m - 1] * twoGOverN) / m
    onem2gpower[m] = (onem2gpower[m - 1] * oneMinusTwoGOverN) / m
  }
  let V0 = new Float64Array(npwrs)
  let V1 = new Float64Array(npwrs)
  V1[0] = 1
  let V0s = 0
  let V1s = 0
  let exponent = 0
  let [j1] = pomeranzBounds(0, n, ll, ceilf, roundf)
  let j2: number
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1
    ;[V0, V1] = [V1, V0]
    ;[V0s, V1s] = [V1s, V0s]
    V1.fill(0)
    ;[j1, j2] = pomeranzBounds(i, n, ll, ceilf, roundf)
    const pwrs = i === 1 || i === 2 * n + 1 ? gpower : i % 2 ? twogpower : onem2gpower
    const ln2 = j2 - k1 + 1
    if (ln2 > 0) {
      const start = k1 - V0s
      const conv = convolve(V0.subarray(start, start + ln2), pwrs.subarray(0, ln2))
      const convStart = j1 - k1
      const convLen = j2 - j1 + 1
      V1.set(conv.subarray(convStart, convStart + convLen))
      let max = -Infinity
      for (const value of V1) if (value > max) max = value
      if (max > 0 && max < EM128) {
        for (let j = 0; j < V1.length; j++) V1[j] *= EP128
        exponent -= 128
      }
      V1s = V0s + j1 - k1
    }
  }
  let answer = V1[n - V1s]
  for (let m = 1; m <= n; m++) {
    if (Math.abs(answer) > EP128) {
      answer *= EM128
      exponent += 128
    }
    answer *= m
  }
  return clip01(ldexp(answer, exponent))
}

/**
 * P(D_n ≤ d) by the Pelz–Good (1976) expansion K₀(z) + K₁(z)/√n + K₂(z)/n + K₃(z)/n^{3/2}, z = d√n,
 * each K written with Jacobi theta functions so it converges for small z (scipy _kolmogn_PelzGood).
 */
function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0
  if (x >= 1) return 1
  const PI2 = Math.PI ** 2
  const PI4 = Math.PI ** 4
  const PI6 = Math.PI ** 6
  const SQRT2PI = Math.sqrt(2 * Math.PI)
  const z = Math.sqrt(n) * x
  const z2 = z ** 2
  const z3 = z ** 3
  const z4 = z ** 4
  const z6 = z ** 6
  const qlog = -PI2 / 8 / z2
  if (qlog < -708) return 0
  let q = Math.exp(qlog)

  const k1a = -z2
  const k1b = PI2 / 4
  const k2a = 6 * z6 + 2 * z4
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4
  const k2c = (PI4 * (1 - 2 * z2)) / 16
  const k3d = (PI6 * (5 - 30 * z2)) / 64
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4
  const k3a = -30 * z6 - 90 * z ** 8

  const K = [0, 0, 0, 0]
  // Horner scheme for Σ c_m q^(m²) over odd m = 2k − 1.
  const maxk = Math.ceil((16 * z) / Math.PI)
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1
    const m2 = m ** 2
    const m4 = m ** 4
    const m6 = m ** 6
    const qpower = q ** (8 * k)
    const coeffs = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6]
    for (let i = 0; i < 4; i++) K[i] = K[i] * qpower + coeffs[i]
  }
  const divisors = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10]
  for (let i = 0; i < 4; i++) K[i] = (K[i] * q * SQRT2PI) / divisors[i]

  // The sums over all k of the extra terms of K₂ and K₃.
  q = Math.exp(-PI2 / 2 / z2)
  const sqrt3z = Math.sqrt(3) * z
  let k2extra = 0
  let k3extra = 0
  for (let k = maxk; k > 0; k--) {
    const k2 = k ** 2
    const qk = q ** k2
    k2extra += k2 * qk
    const kpi = Math.PI * k
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qk
  }
  K[2] += k2extra * ((PI2 * SQRT2PI) / (-36 * z3))
  K[3] += k3extra * ((PI2 * SQRT2PI) / (216 * z6))
  let sum = 0
  for (let i = 0; i < 4; i++) sum += K[i] / n ** (i / 2)
  return sum
}

/** log of 2⁻¹⁰²², below which cephes' smirnov reports an underflowed survival of 0 (cephes MINLOG). */
// eslint-disable-next-line no-loss-of-precision -- cephes' digits as cephes writes them
const CEPHES_MINLOG = -7.451332191019412076235e2
const SMIRNOV_MAX_COMPUTE_N = 1_000_000

/**
 * Smirnov's one-sided P(D_n⁺ ≥ x) by the Birnbaum–Tingey sum
 * x · Σ_{v=0}^{⌊n(1−x)⌋} C(n, v) (x + v/n)^{v−1} (1 − x − v/n)^{n−v}
 * (scipy.special.smirnov, cephes kolmogorov.c _smirnov, with its special cases and early stop).
 * Only the lower, all-positive sum is implemented: kolmogorovSmirnovSurvival calls this where nx² > 0.25,
 * where scipy never picks its alternating upper sum. Terms are computed in logarithms, with
 * n·x split exactly into ⌊nx⌋ + α so the bases (⌊nx⌋ + v + α)/n carry no cancellation.
 */
function smirnovSurvival(n: number, x: number): number {
  if (n === 1) return 1 - x
  if (x <= 0) return 1
  if (x >= 1) return 0
  const { floor: nxfl, fraction: alpha } = splitProduct(n, x)
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) return 1 - x * (1 + x) ** (n - 1)
  if (-2 * n * x * x < CEPHES_MINLOG) return 0
  if (nxfl >= n - 1) return (1 - x) ** n
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logp = -((6 * n * x + 1) ** 2) / 18 / n
    return logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp)
  }
  // Terms v = 0 … ⌊n(1 − x)⌋, the last left out when n(1 − x) is a whole number (its base is 0).
  const terms = n - nxfl
  const vmid = Math.floor(n / 2)
  let sum = Math.exp(n * Math.log1p(-x)) / x // v = 0: (1 − x)ⁿ / x
  // log C(n, v), summed with Neumaier's compensation: it grows to ~n, and plain summation
  // would lose ~√v ulps of n, 1e-9 relative at n = 300,000.
  let logBinomial = 0
  let compensation = 0
  for (let v = 1; v < terms; v++) {
    const step = Math.log((n - v + 1) / v)
    const next = logBinomial + step
    compensation += Math.abs(logBinomial) >= Math.abs(step) ? logBinomial - next + step : step - next + logBinomial
    logBinomial = next
    const logTerm = logBinomial + compensation + (v - 1) * Math.log((nxfl + v + alpha) / n) + (n - v) * Math.log((n - nxfl - v - alpha) / n)
    const term = Math.exp(logTerm)
    if (Number.isFinite(term) && term !== 0) {
      sum += term
      if (4 * (terms - v) * term < Number.EPSILON * sum && v !== terms - 1) break
    } else if (v > vmid) {
      break
    }
  }
  return clip01(x * sum)
}

/** n·x = floor + fraction exactly (Dekker's two-product), fraction in [0, 1) (cephes modNX). */
function splitProduct(n: number, x: number): { floor: number; fraction: number } {
  const p = n * x
  const e = twoProductError(n, x, p)
  let floor = Math.floor(p)
  let fraction: number
  if (floor === p) {
    const low = Math.floor(e)
    floor += low
    fraction = e - low
  } else {
    fraction = p - floor + e
  }
  if (fraction >= 1) {
    floor += 1
    fraction = 0
  }
  return { floor, fraction }
}

/** The rounding error of p = a·b, so that a·b = p + error exactly (Dekker 1971, Veltkamp's split). */
function twoProductError(a: number, b: number, p: number): number {
  const split = (value: number): [number, number] => {
    const c = 134217729 * value
    const high = c - (c - value)
    return [high, value - high]
  }
  const [ah, al] = split(a)
  const [bh, bl] = split(b)
  return ah * bh - p + ah * bl + al * bh + al * bl
}

// ─── Chi-square test of homogeneity ─────────────────────────────────────────────────────────────

export interface ChiSquareResult {
  /** Pearson's χ² = Σ (O − E)² / E over the 2 × k table, Yates-corrected when dof = 1. */
  statistic: number
  /** P(χ²_dof ≥ statistic). */
  pValue: number
  /** (2 − 1)(k − 1), k the categories left after dropping those empty on both sides. */
  dof: number
}

/**
 * Chi-square test that two count vectors (categories aligned by index) come from one distribution.
 * The 2 × k table O has rows reference and current; E_ri = row_r · column_i / total; χ² = Σ (O − E)² / E
 * with dof = k − 1, and p = P(χ²_dof ≥ χ²). With dof = 1, Yates' continuity correction moves each O
 * toward E by min(0.5, |E − O|). Categories whose count is zero on both sides are dropped first
 * (their expected count would be 0); if one category is left, dof = 0, χ² = 0 and p = 1.
 * Equals scipy.stats.chi2_contingency([reference, current]) (correction=True), scipy 1.10.
 */
export function chiSquareHomogeneity(referenceCounts: ArrayLike<number>, currentCounts: ArrayLike<number>): ChiSquareResult {
  const k = checkCounts(referenceCounts, currentCounts, 'chiSquareHomogeneity')
  const rows: [number[], number[]] = [[], []]
  for (let i = 0; i < k; i++) {
    if (referenceCounts[i] === 0 && currentCounts[i] === 0) continue
    rows[0].push(referenceCounts[i])
    rows[1].push(currentCounts[i])
  }
  const dof = rows[0].length - 1
  if (dof === 0) return { statistic: 0, pValue: 1, dof }
  const rowTotals = rows.map(sum)
  const total = rowTotals[0] + rowTotals[1]
  let statistic = 0
  for (let i = 0; i <= dof; i++) {
    const columnTotal = rows[0][i] + rows[1][i]
    for (let r = 0; r < 2; r++) {
      const expected = (rowTotals[r] * columnTotal) / total
      let observed = rows[r][i]
      if (dof === 1) {
        const diff = expected - observed
        observed += Math.sign(diff) * Math.min(0.5, Math.abs(diff))
      }
      statistic += (observed - expected) ** 2 / expected
    }
  }
  return { statistic, pValue: chiSquareSurvival(statistic, dof), dof }
}

/**
 * Survival function of the chi-square distribution: P(χ²_k ≥ x) = Q(k/2, x/2), the regularized upper
 * incomplete gamma function Q(a, y) = Γ(a, y)/Γ(a). Equals scipy.stats.chi2.sf(x, k) (cephes chdtrc)
 * to about 1e-13 relative. Q comes from the power series of P = 1 − Q for y < a + 1 and from the
 * continued fraction of Q, by the modified Lentz method, above (Numerical Recipes, 3rd ed., §6.2);
 * the prefactor yᵃe⁻ʸ/Γ(a) is formed as a(log1p(t) − t) + ½log a − ½log 2π − stirling(a), t = (y − a)/a,
 * for a ≥ 10, so large a and y cancel exactly rather than in rounded logarithms.
 * x ≤ 0 gives 1, x = ∞ gives 0.
 */
export function chiSquareSurvival(x: number, dof: number): number {
  if (!(Number.isFinite(dof) && dof > 0)) {
    throw new ModeltestError({ what: `chiSquareSurvival: degrees of freedom must be a number > 0, got ${dof}`, fix: 'Pass the degrees of freedom of the test.' })
  }
  if (Number.isNaN(x)) throw new ModeltestError({ what: 'chiSquareSurvival: x is NaN', fix: 'Pass the chi-square statistic.' })
  if (x <= 0) return 1
  if (x === Infinity) return 0
  return upperGammaRegularized(dof / 2, x / 2)
}

const GAMMA_EPS = Number.EPSILON / 2
const GAMMA_TINY = 1e-300
const GAMMA_MAX_ITERATIONS = 1_000_000

/** Q(a, x) = Γ(a, x)/Γ(a) for a > 0, x > 0. */
function upperGammaRegularized(a: number, x: number): number {
  const logPrefactor = logGammaPrefactor(a, x)
  if (x < a + 1) {
    // P(a, x) = xᵃe⁻ˣ/Γ(a) · Σ_{j≥0} xʲ / (a(a+1)…(a+j))
    let term = 1 / a
    let series = term
    for (let ap = a, i = 0; i < GAMMA_MAX_ITERATIONS; i++) {
      ap += 1
      term *= x / ap
      series += term
      if (Math.abs(term) < Math.abs(series) * GAMMA_EPS) break
    }
    return 1 - series * Math.exp(logPrefactor)
  }
  // Q(a, x) = xᵃe⁻ˣ/Γ(a) · 1/(x + 1 − a − 1·(1 − a)/(x + 3 − a − 2·(2 − a)/(x + 5 − a − …)))
  let b = x + 1 - a
  let c = 1 / GAMMA_TINY
  let d = 1 / b
  let fraction = d
  for (let i = 1; i < GAMMA_MAX_ITERATIONS; i++) {
    const an = -i * (i - a)
    b += 2
    d = an * d + b
    if (Math.abs(d) < GAMMA_TINY) d = GAMMA_TINY
    c = b + an / c
    if (Math.abs(c) < GAMMA_TINY) c = GAMMA_TINY
    d = 1 / d
    const delta = d * c
    fraction *= delta
    if (Math.abs(delta - 1) < GAMMA_EPS) break
  }
  return Math.exp(logPrefactor) * fraction
}

/** log(xᵃe⁻ˣ/Γ(a)). */
function logGammaPrefactor(a: number, x: number): number {
  if (a < 10) return a * Math.log(x) - x - logGamma(a)
  const t = (x - a) / a
  return a * (Math.log1p(t) - t) + 0.5 * Math.log(a) - 0.5 * Math.log(2 * Math.PI) - stirlingCorrection(a)
}

/** log Γ(a) − [(a − ½)log a − a + ½log 2π] = Σ_j B₂ⱼ/(2j(2j−1)a^{2j−1}), for a ≥ 10 (error < 1e-17). */
function stirlingCorrection(a: number): number {
  return polyval(STIRLING, 1 / (a * a)) / a
}

/** log Γ(a) for a > 0: Stirling's series at a + s ≥ 10, then divided by a(a+1)…(a+s−1). */
function logGamma(a: number): number {
  let shift = 1
  let z = a
  while (z < 10) {
    shift *= z
    z += 1
  }
  return (z - 0.5) * Math.log(z) - z + 0.5 * Math.log(2 * Math.PI) + stirlingCorrection(z) - Math.log(shift)
}

// ─── Distances between count vectors ────────────────────────────────────────────────────────────

/**
 * Population stability index between two count vectors over the same bins:
 * PSI = Σ_i (c_i − r_i) · ln(c_i / r_i), with r_i, c_i the bins' shares of each side's total.
 * A share below `epsilon` is replaced by `epsilon` (so empty bins give a large but finite term).
 * Conventional reading: < 0.1 stable, 0.1–0.2 moderate shift, > 0.2 significant shift
 * (Siddiqi 2006, "Credit Risk Scorecards"). Golden values: the same formula in numpy.
 */
export function populationStabilityIndex(referenceCounts: ArrayLike<number>, currentCounts: ArrayLike<number>, epsilon = 1e-4): number {
  const k = checkCounts(referenceCounts, currentCounts, 'populationStabilityIndex')
  if (!(epsilon > 0 && epsilon < 1)) {
    throw new ModeltestError({ what: `populationStabilityIndex: epsilon must be within 0 and 1, got ${epsilon}`, fix: 'Leave it at its default, 1e-4.' })
  }
  const referenceTotal = sum(referenceCounts)
  const currentTotal = sum(currentCounts)
  let psi = 0
  for (let i = 0; i < k; i++) {
    const r = Math.max(referenceCounts[i] / referenceTotal, epsilon)
    const c = Math.max(currentCounts[i] / currentTotal, epsilon)
    psi += (c - r) * Math.log(c / r)
  }
  return psi
}

/**
 * Jensen–Shannon distance, base 2, between the distributions p = reference/Σreference and
 * q = current/Σcurrent: √(JS), JS = ½ KL(p‖m) + ½ KL(q‖m), m = (p + q)/2, KL(p‖m) = Σ p_i log₂(p_i/m_i)
 * (0·log 0 = 0). A distance in [0, 1]: 0 for identical distributions, 1 for disjoint supports.
 * Equals scipy.spatial.distance.jensenshannon(p, q, base=2), except that a divergence rounded to a
 * tiny negative number gives 0 here where scipy returns NaN.
 */
export function jensenShannonDistance(referenceCounts: ArrayLike<number>, currentCounts: ArrayLike<number>): number {
  const k = checkCounts(referenceCounts, currentCounts, 'jensenShannonDistance')
  const referenceTotal = sum(referenceCounts)
  const currentTotal = sum(currentCounts)
  let left = 0
  let right = 0
  for (let i = 0; i < k; i++) {
    const p = referenceCounts[i] / referenceTotal
    const q = currentCounts[i] / currentTotal
    const m = (p + q) / 2
    left += relativeEntropy(p, m)
    right += relativeEntropy(q, m)
  }
  const js = (left + right) / Math.LN2
  return Math.sqrt(Math.max(js / 2, 0))
}

/** x·ln(x/y), 0 when x = 0 (scipy.special.rel_entr; y > 0 wherever x > 0 here). */
function relativeEntropy(x: number, y: number): number {
  return x > 0 ? x * Math.log(x / y) : 0
}

// ─── Wasserstein distance ───────────────────────────────────────────────────────────────────────

/**
 * First Wasserstein (earth mover's) distance between the two samples' empirical distributions:
 * W₁ = ∫ |F_ref(x) − F_cur(x)| dx, exact as a sum over the gaps between consecutive values of the
 * pooled sorted sample. In the samples' unit. Equals scipy.stats.wasserstein_distance(reference, current).
 */
export function wassersteinDistance(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  checkSample(reference, 'reference', 'wassersteinDistance')
  checkSample(current, 'current', 'wassersteinDistance')
  let distance = 0
  let previous = NaN
  let gap = 0
  forEachPooledValue(reference, current, (value, cdf1, cdf2) => {
    // Over [previous, value) the CDFs are those just after previous.
    if (!Number.isNaN(previous)) distance += gap * (value - previous)
    previous = value
    gap = Math.abs(cdf1 - cdf2)
  })
  return distance
}

/**
 * Visits each distinct value of the pooled sample in increasing order with both empirical CDFs
 * there, F(v) = (count of values ≤ v) / n: the walk that KS and Wasserstein share.
 */
function forEachPooledValue(reference: ArrayLike<number>, current: ArrayLike<number>, visit: (value: number, cdf1: number, cdf2: number) => void): void {
  const a = Float64Array.from(reference).sort()
  const b = Float64Array.from(current).sort()
  for (let i = 0, j = 0; i < a.length || j < b.length;) {
    const value = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j]
    while (i < a.length && a[i] <= value) i++
    while (j < b.length && b[j] <= value) j++
    visit(value, i / a.length, j / b.length)
  }
}

// ─── Binning numeric samples ────────────────────────────────────────────────────────────────────

/**
 * Interior bin edges at the reference's quantiles i/bins, i = 1 … bins − 1, with numpy's default
 * "linear" quantile (h = (n − 1)q, interpolated between the order statistics around h), sorted, with
 * repeated edges (from ties) removed: equals np.unique(np.quantile(reference, np.arange(1, bins) / bins)).
 * With binCounts these give equal-frequency bins of the reference, for PSI, chi-square and Jensen–Shannon.
 */
export function quantileBinEdges(reference: ArrayLike<number>, bins = 10): number[] {
  const n = checkSample(reference, 'reference', 'quantileBinEdges')
  if (!(Number.isInteger(bins) && bins >= 2)) {
    throw new ModeltestError({ what: `quantileBinEdges: bins must be a whole number ≥ 2, got ${bins}`, fix: 'Pass { bins: 10 } for deciles.' })
  }
  const sorted = Float64Array.from(reference).sort()
  const edges: number[] = []
  for (let i = 1; i < bins; i++) {
    const index = (n - 1) * (i / bins)
    const [low, high] = index >= n - 1 ? [n - 1, n - 1] : [Math.floor(index), Math.floor(index) + 1]
    edges.push(lerp(sorted[low], sorted[high], index - low))
  }
  edges.sort((x, y) => x - y)
  return edges.filter((edge, i) => i === 0 || edge !== edges[i - 1])
}

/** numpy's _lerp: a + (b − a)t, computed from b's side when t ≥ ½ so that t = 1 gives b exactly. */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t
}

/**
 * Counts of values per bin for increasing edges e₀ < e₁ < … < e_{k−1}: k + 1 bins
 * (−∞, e₀], (e₀, e₁], …, (e_{k−1}, +∞), closed on the right. Bin i holds the values with
 * e_{i−1} < v ≤ e_i: np.bincount(np.digitize(values, edges, right=True), minlength=k + 1).
 */
export function binCounts(values: ArrayLike<number>, edges: readonly number[]): number[] {
  checkSample(values, 'binned', 'binCounts')
  for (let i = 0; i < edges.length; i++) {
    if (!Number.isFinite(edges[i]) || (i > 0 && !(edges[i] > edges[i - 1]))) {
      throw new ModeltestError({ what: `binCounts: edge ${i} (${edges[i]}) is not finite and above the edge before it`, fix: 'Pass finite, strictly increasing edges, as quantileBinEdges returns.' })
    }
  }
  const counts = new Array<number>(edges.length + 1).fill(0)
  // Bin i holds the values with i edges strictly below them.
  for (let i = 0; i < values.length; i++) counts[countBelow(edges, values[i])]++
  return counts
}

// ─── Numeric helpers ────────────────────────────────────────────────────────────────────────────

/** The sum of the values. */
export function sum(values: ArrayLike<number>): number {
  let total = 0
  for (let i = 0; i < values.length; i++) total += values[i]
  return total
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b]
  return a
}

/** numpy.round: to the nearest integer, halves to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x)
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r
}

function clip01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p
}

/** Horner evaluation of coefficients[0]·xᵈ + … + coefficients[d] (numpy.polyval). */
function polyval(coefficients: readonly number[], x: number): number {
  let value = 0
  for (const c of coefficients) value = value * x + c
  return value
}

/** x · 2^exponent without overflowing or underflowing the scale factor itself. */
function ldexp(x: number, exponent: number): number {
  let result = x
  let e = exponent
  while (e > 1000) {
    result *= 2 ** 1000
    e -= 1000
  }
  while (e < -1000) {
    result *= 2 ** -1000
    e += 1000
  }
  return result * 2 ** e
}

/** The product of two m × m row-major matrices. */
function matmul(x: Float64Array, y: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m)
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const xik = x[i * m + k]
      if (xik === 0) continue
      for (let j = 0; j < m; j++) out[i * m + j] += xik * y[k * m + j]
    }
  }
  return out
}

/** The full discrete convolution of x and y, length |x| + |y| − 1 (numpy.convolve, mode 'full'). */
function convolve(x: Float64Array, y: Float64Array): Float64Array {
  const out = new Float64Array(x.length + y.length - 1)
  for (let i = 0; i < x.length; i++) for (let j = 0; j < y.length; j++) out[i + j] += x[i] * y[j]
  return out
}
