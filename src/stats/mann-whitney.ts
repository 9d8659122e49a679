import { listNames, ModeltestError } from '../errors.js'
import { describeValue } from '../guard.js'
import { normalCdf } from './intervals.js'

export interface MannWhitneyOptions {
  /** 'greater': x tends to be larger than y; 'less': smaller; 'two-sided' (default): either. */
  alternative?: 'two-sided' | 'less' | 'greater'
  /** 'auto' (default): exact when a sample has at most 8 values and there are no ties, else asymptotic. */
  method?: 'auto' | 'exact' | 'asymptotic'
  /** Continuity correction of the normal approximation; on by default. */
  useContinuity?: boolean
}

export interface MannWhitneyResult {
  /** U₁, the number of pairs (xᵢ, yⱼ) with xᵢ > yⱼ, ties counting ½. */
  statistic: number
  pValue: number
  method: 'exact' | 'asymptotic'
}

/**
 * The Mann-Whitney U test of whether values of x tend to be larger (or smaller) than values of y,
 * for two independent samples such as the latencies of a green and a blue model variant.
 *
 * U₁ = R₁ − n₁(n₁ + 1)/2, R₁ the sum of x's ranks in the pooled sample (ties get their mean rank),
 * which is the number of pairs (xᵢ, yⱼ) with xᵢ > yⱼ, ties counting ½. The test statistic is U₁ for
 * 'greater', U₂ = n₁n₂ − U₁ for 'less', u = max(U₁, U₂) for 'two-sided' (p doubled), p capped at 1.
 * - Exact: p = P(U ≥ ⌊u⌋) under H₀, from the distribution of U over all C(n₁ + n₂, n₁) equally likely
 *   arrangements of the pooled sample (which assumes no ties; a half-integer u is truncated as
 *   scipy does). Time grows as (n₁n₂)², so force it only for small samples.
 * - Asymptotic: z = (u − n₁n₂/2 − ½) / σ, the ½ only with useContinuity (default), with the
 *   tie-corrected σ² = n₁n₂/12 · ((n + 1) − Σ(t³ − t)/(n(n − 1))), n = n₁ + n₂, t the size of each
 *   group of tied values; p = 1 − Φ(z), from Φ(−z) so that tiny p-values keep relative precision.
 *   When every pooled value is the same (σ = 0) the data show no difference: p = 1 (scipy gives NaN
 *   without the continuity correction).
 * - 'auto' (default): exact when n₁ ≤ 8 or n₂ ≤ 8 and no value is tied, else asymptotic.
 *
 * Equals scipy.stats.mannwhitneyu (scipy 1.10) to about 1e-13 relative. Reference: H. B. Mann and
 * D. R. Whitney (1947), "On a test of whether one of two random variables is stochastically larger
 * than the other", Annals of Mathematical Statistics 18(1), 50–60.
 */
export function mannWhitneyU(x: ArrayLike<number>, y: ArrayLike<number>, options: MannWhitneyOptions = {}): MannWhitneyResult {
  const { alternative, method: chosen, continuity } = checkInputs(x, y, options)
  const n1 = x.length
  const n2 = y.length
  const { ranks, tieTerm } = rank([...Array.from(x), ...Array.from(y)])
  let rankSum = 0
  for (let i = 0; i < n1; i++) rankSum += ranks[i]
  const u1 = rankSum - (n1 * (n1 + 1)) / 2
  const u2 = n1 * n2 - u1
  const u = alternative === 'greater' ? u1 : alternative === 'less' ? u2 : Math.max(u1, u2)
  const method = chosen !== 'auto' ? chosen : (n1 > 8 && n2 > 8) || tieTerm > 0 ? 'asymptotic' : 'exact'
  let pValue: number
  if (method === 'exact') {
    // U has the same null distribution for sizes (n₁, n₂) and (n₂, n₁); the smaller first is cheaper.
    pValue = exactUpperTail(Math.min(n1, n2), Math.max(n1, n2), Math.floor(u))
  } else {
    const n = n1 + n2
    const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))))
    const z = (u - (n1 * n2) / 2 - (continuity ? 0.5 : 0)) / sigma
    // 1 − Φ(z) = Φ(−z): normalCdf takes the upper tail straight from erfc (chi-square(1) survival).
    pValue = sigma > 0 ? normalCdf(-z) : 1
  }
  if (alternative === 'two-sided') pValue *= 2
  return { statistic: u1, pValue: Math.min(Math.max(pValue, 0), 1), method }
}

/** Mean ranks (1-based) of the pooled values, and Σ(t³ − t) over groups of t tied values. */
function rank(values: number[]): { ranks: Float64Array; tieTerm: number } {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b])
  const ranks = new Float64Array(values.length)
  let tieTerm = 0
  for (let start = 0; start < order.length;) {
    let end = start + 1
    while (end < order.length && values[order[end]] === values[order[start]]) end++
    const mean = (start + 1 + end) / 2
    for (let k = start; k < end; k++) ranks[order[k]] = mean
    const t = end - start
    tieTerm += t * t * t - t
    start = end
  }
  return { ranks, tieTerm }
}

/**
 * P(U ≥ u) for samples of m and n values without ties, by the recurrence on the largest pooled
 * value: it is an x with probability m/(m+n), which exceeds all n y's, or a y, which exceeds none:
 * P(m, n, u) = m/(m+n)·P(m−1, n, u−n) + n/(m+n)·P(m, n−1, u). Probabilities, not counts, so that
 * nothing overflows.
 */
function exactUpperTail(m: number, n: number, u: number): number {
  // previous[k] = distribution of U for (k, nn − 1); current[k] for (k, nn).
  let previous: Float64Array[] = Array.from({ length: m + 1 }, () => Float64Array.of(1))
  for (let nn = 1; nn <= n; nn++) {
    const current: Float64Array[] = [Float64Array.of(1)]
    for (let k = 1; k <= m; k++) {
      const pmf = new Float64Array(k * nn + 1)
      const fromX = current[k - 1]
      const fromY = previous[k]
      for (let v = 0; v < fromX.length; v++) pmf[v + nn] += (k / (k + nn)) * fromX[v]
      for (let v = 0; v < fromY.length; v++) pmf[v] += (nn / (k + nn)) * fromY[v]
      current.push(pmf)
    }
    previous = current
  }
  const pmf = previous[m]
  let tail = 0
  for (let v = Math.max(0, Math.floor(u)); v < pmf.length; v++) tail += pmf[v]
  return tail
}

const ALTERNATIVES = ['two-sided', 'less', 'greater'] as const
const METHODS = ['auto', 'exact', 'asymptotic'] as const

/** The one guard of mannWhitneyU: two non-empty samples of finite numbers, and known options. */
function checkInputs(x: ArrayLike<number>, y: ArrayLike<number>, options: MannWhitneyOptions): { alternative: (typeof ALTERNATIVES)[number]; method: (typeof METHODS)[number]; continuity: boolean } {
  for (const [sample, name] of [
    [x, 'x'],
    [y, 'y'],
  ] as const) {
    if (!sample || typeof sample.length !== 'number') throw new ModeltestError({ what: `mannWhitneyU: ${name} is not an array of numbers, got ${describeValue(sample)}`, fix: 'Pass each sample as an array (or typed array) of numbers.' })
    if (sample.length === 0) throw new ModeltestError({ what: `mannWhitneyU: ${name} is empty`, fix: 'Give at least one value in each sample.' })
    for (let i = 0; i < sample.length; i++) {
      if (typeof sample[i] !== 'number' || !Number.isFinite(sample[i]))
        throw new ModeltestError({ what: `mannWhitneyU: ${name}[${i}] is ${String(sample[i])}, not a finite number`, fix: 'Give finite numbers; drop failed or timed-out measurements before the test.' })
    }
  }
  const alternative = options.alternative ?? 'two-sided'
  if (!ALTERNATIVES.includes(alternative)) throw new ModeltestError({ what: `mannWhitneyU: unknown alternative '${String(alternative)}'`, fix: `Use ${listNames(ALTERNATIVES)}.` })
  const method = options.method ?? 'auto'
  if (!METHODS.includes(method)) throw new ModeltestError({ what: `mannWhitneyU: unknown method '${String(method)}'`, fix: `Use ${listNames(METHODS)}.` })
  const continuity = options.useContinuity ?? true
  if (typeof continuity !== 'boolean') throw new ModeltestError({ what: `mannWhitneyU: useContinuity must be true or false, got ${String(continuity)}`, fix: 'Pass { useContinuity: false } to drop the continuity correction.' })
  return { alternative, method, continuity }
}
