import { ModeltestError } from '../errors.js'
import { percentiles } from '../metrics/percentile.js'
import { checkSamples } from '../metrics/validate.js'

/**
 * Two-sided two-sample Kolmogorov–Smirnov test.
 * D = sup_x |F_ref(x) − F_cur(x)| over the empirical CDFs (ties handled as scipy does: both CDFs
 * evaluated at every observed value, right-continuous).
 * p-value as scipy.stats.ks_2samp(method='auto'): exact (Hodges' lattice-path count, in
 * Viehmann's numerically stable recursion; the closed form for equal sizes) when both samples
 * have at most 10,000 values, or when exact counting fails; otherwise the asymptotic Kolmogorov
 * distribution Q(√en · D) with en = n₁n₂/(n₁+n₂) (scipy.stats.kstwobign.sf). scipy's own
 * asymptotic branch uses the finite-n distribution kstwo(round(en)); the two differ by O(1/√en).
 */
export function ksTwoSample(reference: ArrayLike<number>, current: ArrayLike<number>): { statistic: number; pValue: number; method: 'exact' | 'asymptotic' } {
  const n1 = checkSamples(reference, 'ksTwoSample')
  const n2 = checkSamples(current, 'ksTwoSample')
  const a = Float64Array.from(reference).sort()
  const b = Float64Array.from(current).sort()
  let i = 0
  let j = 0
  let maxDiff = 0
  let minDiff = 0
  while (i < n1 || j < n2) {
    const value = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j]
    while (i < n1 && a[i] <= value) i++
    while (j < n2 && b[j] <= value) j++
    const diff = i / n1 - j / n2
    if (diff > maxDiff) maxDiff = diff
    if (diff < minDiff) minDiff = diff
  }
  let statistic = Math.max(maxDiff, Math.min(-minDiff, 1))
  if (Math.max(n1, n2) <= 10_000) {
    const g = gcd(n1, n2)
    const lcm = (n1 / g) * n2
    const h = Math.round(statistic * lcm)
    statistic = h / lcm
    if (h === 0) return { statistic, pValue: 1, method: 'exact' }
    const p = n1 === n2 ? outsideSquare(n1, h) : outsideInside(n1, n2, g, h)
    if (Number.isFinite(p) && p >= 0 && p <= 1) return { statistic, pValue: p, method: 'exact' }
  }
  const en = (n1 * n2) / (n1 + n2)
  return { statistic, pValue: clamp01(kolmogorovSurvival(Math.sqrt(en) * statistic)), method: 'asymptotic' }
}

/** Equal sample sizes: the proportion of lattice paths that leave the band |x − y| < h (closed form). */
function outsideSquare(n: number, h: number): number {
  let p = 0
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let term = 1
    for (let j = 0; j < h; j++) term = ((n - k * h - j) * term) / (n + k * h + j + 1)
    p = term * (1 - p)
  }
  return 2 * p
}

/**
 * Unequal sizes: 1 − (paths from (0,0) to (m,n) with |x/m − y/n| < h/lcm(m,n)) / C(m+n, n),
 * computed column by column as a probability, so that nothing overflows (Hodges 1958; Viehmann 2021).
 */
function outsideInside(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0]
  const mg = m / g
  const ng = n / g
  let minj = 0
  let maxj = Math.min(Math.ceil(h / mg), n + 1)
  let length = maxj - minj
  const column = new Float64Array(Math.min(2 * maxj + 2, n + 1)).fill(1)
  column.fill(0, minj, maxj)
  for (let i = 1; i <= m; i++) {
    const lastMinj = minj
    const lastLength = length
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n)
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1)
    if (maxj <= minj) return 1
    let value = minj === 0 ? 0 : 1
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj
      value = (column[jj + minj - lastMinj] * i + value * j) / (i + j)
      column[jj] = value
    }
    length = maxj - minj
    if (lastLength > length) column.fill(1, maxj - minj, maxj - minj + (lastLength - length))
  }
  return column[maxj - minj - 1]
}

/** Q(λ) = P(K > λ) of the Kolmogorov distribution (scipy.stats.kstwobign.sf). */
export function kolmogorovSurvival(lambda: number): number {
  if (lambda <= 0) return 1
  if (lambda < 1) {
    // P(K ≤ λ) = √(2π)/λ · Σ exp(−(2k−1)²π²/(8λ²)), which converges fast for small λ.
    let sum = 0
    for (let k = 1; k <= 20; k++) sum += Math.exp(-((2 * k - 1) ** 2) * Math.PI ** 2 / (8 * lambda * lambda))
    return 1 - (Math.sqrt(2 * Math.PI) / lambda) * sum
  }
  let sum = 0
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda)
    sum += (k % 2 === 1 ? 1 : -1) * term
    if (term < 1e-17) break
  }
  return 2 * sum
}

/**
 * Chi-square test of homogeneity of two count vectors (categories aligned by index), as
 * scipy.stats.chi2_contingency([reference, current]): expected counts from the margins,
 * X² = Σ (O − E)²/E, dof = categories − 1, with Yates' continuity correction when dof = 1.
 * Categories empty in both rows are dropped first (scipy refuses a zero expected count).
 */
export function chiSquareHomogeneity(referenceCounts: readonly number[], currentCounts: readonly number[]): { statistic: number; pValue: number; dof: number } {
  checkCounts(referenceCounts, currentCounts, 'chiSquareHomogeneity')
  const kept = referenceCounts.map((_, i) => i).filter((i) => referenceCounts[i] + currentCounts[i] > 0)
  const rows = [kept.map((i) => referenceCounts[i]), kept.map((i) => currentCounts[i])]
  const dof = kept.length - 1
  if (dof === 0) return { statistic: 0, pValue: 1, dof }
  const rowTotals = rows.map(sum)
  const total = rowTotals[0] + rowTotals[1]
  let statistic = 0
  for (let k = 0; k < kept.length; k++) {
    const columnTotal = rows[0][k] + rows[1][k]
    for (let r = 0; r < 2; r++) {
      const expected = (rowTotals[r] * columnTotal) / total
      let observed = rows[r][k]
      if (dof === 1) {
        const diff = expected - observed
        observed += Math.sign(diff) * Math.min(0.5, Math.abs(diff))
      }
      statistic += (observed - expected) ** 2 / expected
    }
  }
  return { statistic, pValue: chiSquareSurvival(statistic, dof), dof }
}

/** P(X > x) for X ~ χ²(dof): the regularized upper incomplete gamma Q(dof/2, x/2) (scipy.stats.chi2.sf). */
export function chiSquareSurvival(x: number, dof: number): number {
  if (!(dof > 0)) throw new ModeltestError({ what: `chi-square degrees of freedom must be positive, got ${dof}` })
  if (x <= 0) return 1
  return upperGammaRegularized(dof / 2, x / 2)
}

/** Q(a, x) = Γ(a, x)/Γ(a): a series for x < a + 1, a continued fraction (modified Lentz) beyond (Numerical Recipes 6.2). */
function upperGammaRegularized(a: number, x: number): number {
  const logPrefactor = a * Math.log(x) - x - logGamma(a)
  if (x < a + 1) {
    let term = 1 / a
    let total = term
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n)
      total += term
      if (Math.abs(term) < Math.abs(total) * 1e-16) break
    }
    return 1 - total * Math.exp(logPrefactor)
  }
  const tiny = 1e-300
  let b = x + 1 - a
  let c = 1 / tiny
  let d = 1 / b
  let h = d
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a)
    b += 2
    d = an * d + b
    if (Math.abs(d) < tiny) d = tiny
    c = b + an / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const delta = d * c
    h *= delta
    if (Math.abs(delta - 1) < 1e-16) break
  }
  return Math.exp(logPrefactor) * h
}

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, n = 9; about 15 significant digits). */
function logGamma(x: number): number {
  const coefficients = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7]
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x)
  const z = x - 1
  let series = coefficients[0]
  for (let i = 1; i < 9; i++) series += coefficients[i] / (z + i)
  const t = z + 7.5
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(series)
}

/**
 * Population stability index over bins: PSI = Σ (cᵢ − rᵢ)·ln(cᵢ/rᵢ), with rᵢ and cᵢ the bin
 * proportions of the reference and current counts. A proportion below `epsilon` (10⁻⁴) is
 * replaced by epsilon, so that an empty bin gives a large, finite term.
 */
export function populationStabilityIndex(referenceCounts: readonly number[], currentCounts: readonly number[], epsilon = 1e-4): number {
  checkCounts(referenceCounts, currentCounts, 'populationStabilityIndex')
  const [r, c] = [proportions(referenceCounts), proportions(currentCounts)]
  let psi = 0
  for (let i = 0; i < r.length; i++) {
    const [ri, ci] = [Math.max(r[i], epsilon), Math.max(c[i], epsilon)]
    psi += (ci - ri) * Math.log(ci / ri)
  }
  return psi
}

/**
 * Jensen–Shannon distance between the two count vectors' proportions p and q, base 2 (in [0, 1]):
 * √(½ KL(p‖m) + ½ KL(q‖m)), m = (p + q)/2 (scipy.spatial.distance.jensenshannon(p, q, base=2)).
 */
export function jensenShannonDistance(referenceCounts: readonly number[], currentCounts: readonly number[]): number {
  checkCounts(referenceCounts, currentCounts, 'jensenShannonDistance')
  const [p, q] = [proportions(referenceCounts), proportions(currentCounts)]
  let divergence = 0
  for (let i = 0; i < p.length; i++) {
    const m = (p[i] + q[i]) / 2
    if (p[i] > 0) divergence += p[i] * Math.log(p[i] / m)
    if (q[i] > 0) divergence += q[i] * Math.log(q[i] / m)
  }
  return Math.sqrt(Math.max(divergence / 2 / Math.LN2, 0))
}

/**
 * First Wasserstein (earth mover's) distance between two samples: ∫ |F_ref(x) − F_cur(x)| dx over
 * the empirical CDFs (scipy.stats.wasserstein_distance(u, v)).
 */
export function wassersteinDistance(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const n1 = checkSamples(reference, 'wassersteinDistance')
  const n2 = checkSamples(current, 'wassersteinDistance')
  const a = Float64Array.from(reference).sort()
  const b = Float64Array.from(current).sort()
  let i = 0
  let j = 0
  let distance = 0
  let previous = Math.min(a[0], b[0])
  while (i < n1 || j < n2) {
    const value = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j]
    distance += Math.abs(i / n1 - j / n2) * (value - previous)
    previous = value
    while (i < n1 && a[i] <= value) i++
    while (j < n2 && b[j] <= value) j++
  }
  return distance
}

/** The reference's interior bin edges for `bins` equal-frequency bins: its quantiles at 1/bins, 2/bins, … (numpy.quantile, linear), without repeats. */
export function quantileBinEdges(reference: ArrayLike<number>, bins = 10): number[] {
  if (!Number.isInteger(bins) || bins < 2) throw new ModeltestError({ what: `bins must be a whole number ≥ 2, got ${bins}` })
  const edges = percentiles(reference, Array.from({ length: bins - 1 }, (_, k) => ((k + 1) * 100) / bins))
  return edges.filter((edge, k) => k === 0 || edge !== edges[k - 1])
}

/** Counts per bin: (−∞, e₀], (e₀, e₁], …, (e_last, ∞) — right-closed, as numpy.digitize(values, edges, right=True). */
export function binCounts(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0)
  for (let v = 0; v < values.length; v++) {
    let low = 0
    let high = edges.length
    while (low < high) {
      const mid = (low + high) >> 1
      if (edges[mid] < values[v]) low = mid + 1
      else high = mid
    }
    counts[low]++
  }
  return counts
}

function checkCounts(reference: readonly number[], current: readonly number[], statistic: string): void {
  if (reference.length !== current.length || reference.length === 0) {
    throw new ModeltestError({ what: `${statistic}: ${reference.length} reference bins but ${current.length} current bins`, fix: 'Give counts for the same bins or categories, in the same order.' })
  }
  for (const count of [...reference, ...current]) {
    if (!(count >= 0) || !Number.isFinite(count)) throw new ModeltestError({ what: `${statistic}: a count is ${count}`, fix: 'Counts must be finite numbers ≥ 0.' })
  }
  if (sum(reference) === 0 || sum(current) === 0) throw new ModeltestError({ what: `${statistic}: one side has no values`, fix: 'Compare non-empty samples.' })
}

function proportions(counts: readonly number[]): number[] {
  const total = sum(counts)
  return counts.map((count) => count / total)
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0)
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b]
  return a
}

function clamp01(p: number): number {
  return Math.min(1, Math.max(0, p))
}
