/** The chi-square test of homogeneity and the chi-square survival function (scipy.stats.chi2_contingency, chi2.sf; scipy 1.10). */
import { ModeltestError } from '../../errors.js'
import { upperGammaRegularized } from './gamma.js'
import { sum } from './numeric.js'
import { checkCounts } from './samples.js'

interface ChiSquareResult {
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
