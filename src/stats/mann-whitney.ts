import { ModeltestError } from '../errors.js'
import { chiSquareSurvival } from './drift.js'

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
 * U₁ = R₁ − n₁(n₁ + 1)/2, R₁ the sum of x's ranks in the pooled sample (ties get their mean rank).
 * The test statistic is U₁ for 'greater', U₂ = n₁n₂ − U₁ for 'less', max(U₁, U₂) for 'two-sided'.
 * Exact: p = P(U ≥ u) under H₀, from the distribution of U over all arrangements (doubled for
 * two-sided). Asymptotic: z = (u − n₁n₂/2 − ½) / σ with the tie-corrected
 * σ² = n₁n₂/12 · ((n + 1) − Σ(t³ − t)/(n(n − 1))), p = 1 − Φ(z) (doubled for two-sided), capped at 1.
 * (Mann & Whitney 1947; scipy.stats.mannwhitneyu, scipy 1.10, whose choice of method 'auto' follows.)
 */
export function mannWhitneyU(x: ArrayLike<number>, y: ArrayLike<number>, options: MannWhitneyOptions = {}): MannWhitneyResult {
  checkSample(x, 'x')
  checkSample(y, 'y')
  const alternative = options.alternative ?? 'two-sided'
  if (!['two-sided', 'less', 'greater'].includes(alternative)) throw new ModeltestError({ what: `mannWhitneyU: unknown alternative '${alternative}'`, fix: "Use 'two-sided', 'less' or 'greater'." })
  const n1 = x.length
  const n2 = y.length
  const { ranks, tieTerm } = rank([...Array.from(x), ...Array.from(y)])
  let rankSum = 0
  for (let i = 0; i < n1; i++) rankSum += ranks[i]
  const u1 = rankSum - (n1 * (n1 + 1)) / 2
  const u2 = n1 * n2 - u1
  const u = alternative === 'greater' ? u1 : alternative === 'less' ? u2 : Math.max(u1, u2)
  const method = options.method && options.method !== 'auto' ? options.method : (n1 > 8 && n2 > 8) || tieTerm > 0 ? 'asymptotic' : 'exact'
  let pValue: number
  if (method === 'exact') {
    // U has the same null distribution for sizes (n₁, n₂) and (n₂, n₁); the smaller first is cheaper.
    pValue = exactUpperTail(Math.min(n1, n2), Math.max(n1, n2), u)
  } else {
    const n = n1 + n2
    const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))))
    const z = (u - (n1 * n2) / 2 - (options.useContinuity === false ? 0 : 0.5)) / sigma
    pValue = normalSurvival(z)
  }
  if (alternative === 'two-sided') pValue *= 2
  return { statistic: u1, pValue: Math.min(Math.max(pValue, 0), 1), method }
}

/** Mean ranks (1-based) of the pooled values, and Σ(t³ − t) over groups of t tied values. */
function rank(values: number[]): { ranks: Float64Array; tieTerm: number } {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b])
  const ranks = new Float64Array(values.length)
  let tieTerm = 0
  for (let start = 0; start < order.length; ) {
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
  for (let v = Math.max(0, Math.ceil(u)); v < pmf.length; v++) tail += pmf[v]
  return tail
}

/** 1 − Φ(z), keeping relative precision far in the upper tail. */
function normalSurvival(z: number): number {
  const tail = chiSquareSurvival(z * z, 1) / 2
  return z >= 0 ? tail : 1 - tail
}

function checkSample(sample: ArrayLike<number>, name: string): void {
  if (!sample || sample.length === 0) throw new ModeltestError({ what: `mannWhitneyU: ${name} is empty`, fix: 'Give at least one value in each sample.' })
  for (let i = 0; i < sample.length; i++) {
    if (!Number.isFinite(sample[i])) throw new ModeltestError({ what: `mannWhitneyU: ${name}[${i}] is ${sample[i]}`, fix: 'Give finite numbers; drop failed measurements before the test.' })
  }
}
