/**
 * The Kolmogorov distribution of the one-sample statistic D_n (scipy.stats.kstwo, scipy 1.10 _ksstats):
 * the asymptotic p-value of the two-sample KS test.
 */
import { ModeltestError } from '../../errors.js'
import { STIRLING } from './gamma.js'
import { clip01, convolve, ldexp, matmul, polyval } from './numeric.js'

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
