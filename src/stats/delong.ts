import { ModeltestError } from '../errors.js'
import { scoresByClass } from '../metrics/classification.js'
import { normalQuantile, type Interval } from './intervals.js'

/** ROC AUC with its DeLong variance: the estimate, Var(AUC), and the class counts it rests on. */
export interface DelongEstimate {
  auc: number
  variance: number
  positives: number
  negatives: number
}

/**
 * DeLong, DeLong & Clarke-Pearson (1988): the ROC AUC of m positive and k negative rows is the mean
 * of the positives' placement values V₁₀(xᵢ) = (#{negatives < xᵢ} + ½ #{negatives = xᵢ}) / k, or of
 * the negatives' V₀₁(yⱼ) = (#{positives > yⱼ} + ½ #{positives = yⱼ}) / m, and
 * Var(AUC) = S₁₀/m + S₀₁/k, S the sample variances (divisor m − 1, k − 1) of the placement values.
 * The placement values come from one sort of each class and a merge (Sun & Xu 2014), O(n log n).
 * Needs at least two rows of each class. Equals R pROC's var(roc(…), method = "delong").
 */
export function delongAuc(isPositive: ArrayLike<number>, scores: ArrayLike<number>): DelongEstimate {
  const { positive, negative } = scoresByClass(isPositive, scores)
  const m = positive.length
  const k = negative.length
  if (m < 2 || k < 2) {
    throw new ModeltestError({ what: `DeLong's variance needs at least two rows of each class, got ${m} positive and ${k} negative`, fix: 'Evaluate on more rows of the rarer class.' })
  }
  const positivePlacements = placements(positive, negative, 'below')
  const negativePlacements = placements(negative, positive, 'above')
  const auc = mean(positivePlacements)
  return { auc, variance: sampleVariance(positivePlacements, auc) / m + sampleVariance(negativePlacements, auc) / k, positives: m, negatives: k }
}

/**
 * The two-sided DeLong interval of ROC AUC: AUC ± z·√Var(AUC), z = Φ⁻¹(1 − α/2), clipped to [0, 1]
 * (R pROC: ci.auc(method = "delong")).
 */
export function delongInterval(estimate: DelongEstimate, confidence = 0.95): Interval {
  const half = normalQuantile(1 - (1 - confidence) / 2) * Math.sqrt(estimate.variance)
  return { low: Math.max(0, estimate.auc - half), high: Math.min(1, estimate.auc + half), confidence, method: 'delong' }
}

/**
 * For each of `own` (sorted ascending), the share of `other` (sorted ascending) strictly below it
 * ('below') or strictly above it ('above'), ties counting ½: one merge of the two sorted arrays.
 */
function placements(own: Float64Array, other: Float64Array, side: 'below' | 'above'): Float64Array {
  const result = new Float64Array(own.length)
  let below = 0
  let atOrBelow = 0
  for (let i = 0; i < own.length; i++) {
    const value = own[i]
    while (below < other.length && other[below] < value) below++
    if (atOrBelow < below) atOrBelow = below
    while (atOrBelow < other.length && other[atOrBelow] <= value) atOrBelow++
    const ties = atOrBelow - below
    const strictly = side === 'below' ? below : other.length - atOrBelow
    result[i] = (strictly + ties / 2) / other.length
  }
  return result
}

function mean(values: Float64Array): number {
  let sum = 0
  for (let i = 0; i < values.length; i++) sum += values[i]
  return sum / values.length
}

function sampleVariance(values: Float64Array, center: number): number {
  let sum = 0
  for (let i = 0; i < values.length; i++) sum += (values[i] - center) ** 2
  return sum / (values.length - 1)
}
