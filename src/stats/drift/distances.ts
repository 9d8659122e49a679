/** Distances between two distributions: PSI and Jensen–Shannon between count vectors, Wasserstein between samples. */
import { ModeltestError } from '../../errors.js'
import { sum } from './numeric.js'
import { checkCounts, checkSample, forEachPooledValue } from './samples.js'

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
