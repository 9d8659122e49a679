/** The regularized upper incomplete gamma function and the log-gamma pieces it is made of (the chi-square survival function's core). */
import { polyval } from './numeric.js'

/** Stirling-series coefficients B₂ⱼ/(2j(2j − 1)), j = 8 … 1 (scipy _ksstats._STIRLING_COEFFS). */
// eslint-disable-next-line no-loss-of-precision -- scipy's digits as scipy writes them; the double nearest each is the value
export const STIRLING = [-2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2]

const GAMMA_EPS = Number.EPSILON / 2
const GAMMA_TINY = 1e-300
const GAMMA_MAX_ITERATIONS = 1_000_000

/** Q(a, x) = Γ(a, x)/Γ(a) for a > 0, x > 0. */
export function upperGammaRegularized(a: number, x: number): number {
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
