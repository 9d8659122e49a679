import { ModeltestError } from '../errors.js'
import { scoresByClass, type ScoreMatrix } from '../metrics/classification.js'
import { normalCdf, normalQuantile, type Interval } from './intervals.js'
import { countBelow } from './sorted.js'

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
 * The placement values come from one sort of each class and a merge (as Sun & Xu 2014's midranks
 * do), O(n log n). Needs at least two rows of each class.
 * Equals R pROC's var(roc(…), method = "delong").
 */
export function delongAuc(isPositive: ArrayLike<number>, scores: ArrayLike<number>): DelongEstimate {
  const v = placementValues(isPositive, scores, false)
  const auc = mean(v.positive)
  return { auc, variance: covariance(v.positive, v.positive, auc, auc) / v.positive.length + covariance(v.negative, v.negative, auc, auc) / v.negative.length, positives: v.positive.length, negatives: v.negative.length }
}

/**
 * One-vs-rest ROC AUC, the mean of the class AUCs (each class's column against "label = c"; 'macro',
 * or 'weighted' by the classes' row counts), with DeLong's variance extended to that mean: each row's
 * structural component is the sum over classes of its weighted placement value, V₁₀/m_c for a row of
 * class c and V₀₁/k_c for the others, and with the class counts fixed (as DeLong's m and k are, and as
 * the stratified bootstrap keeps them) Var = Σ_g n_g·S_g, S_g the sample variance of the components
 * among the n_g rows of class g. This keeps the covariances of the class AUCs, which share rows; with
 * two classes it is DeLong's variance. Needs at least two rows of each class.
 */
export function delongOneVsRest(labels: ArrayLike<number>, scoreMatrix: ScoreMatrix, average: 'macro' | 'weighted'): Pick<DelongEstimate, 'auc' | 'variance'> {
  const { rows: n, width, values } = scoreMatrix
  const components = new Float64Array(n)
  const classCounts = new Float64Array(width)
  for (let i = 0; i < n; i++) classCounts[labels[i]]++
  const totalWeight = average === 'weighted' ? n : width
  let auc = 0
  // Plain loops: typed-array from() with a mapping function is slow on a million rows.
  const isPositive = new Uint8Array(n)
  const column = new Float64Array(n)
  for (let c = 0; c < width; c++) {
    for (let i = 0; i < n; i++) {
      isPositive[i] = labels[i] === c ? 1 : 0
      column[i] = values[i * width + c]
    }
    const v = placementValues(isPositive, column, true)
    const weight = (average === 'weighted' ? classCounts[c] : 1) / totalWeight
    auc += weight * mean(v.positive)
    let p = 0
    let q = 0
    for (let i = 0; i < n; i++) components[i] += isPositive[i] === 1 ? (weight * v.positive[p++]) / v.positive.length : (weight * v.negative[q++]) / v.negative.length
  }
  // Σ_g n_g·S_g, S_g = Σ (component − its class's mean)² / (n_g − 1), in two passes.
  const sums = new Float64Array(width)
  for (let i = 0; i < n; i++) sums[labels[i]] += components[i]
  const squares = new Float64Array(width)
  for (let i = 0; i < n; i++) squares[labels[i]] += (components[i] - sums[labels[i]] / classCounts[labels[i]]) ** 2
  let variance = 0
  for (let g = 0; g < width; g++) variance += (classCounts[g] * squares[g]) / (classCounts[g] - 1)
  return { auc, variance }
}

/**
 * The two-sided DeLong interval of ROC AUC: AUC ± z·√Var(AUC), z = Φ⁻¹(1 − α/2), clipped to [0, 1]
 * (R pROC: ci.auc(method = "delong")).
 */
export function delongInterval(estimate: Pick<DelongEstimate, 'auc' | 'variance'>, confidence = 0.95): Interval {
  const half = normalQuantile(1 - (1 - confidence) / 2) * Math.sqrt(estimate.variance)
  return { low: Math.max(0, estimate.auc - half), high: Math.min(1, estimate.auc + half), confidence, method: 'delong' }
}

/**
 * DeLong's test of two correlated ROC AUCs, two models scored on the same rows:
 * Var(A − B) = (S₁₀ᴬᴬ + S₁₀ᴮᴮ − 2S₁₀ᴬᴮ)/m + (S₀₁ᴬᴬ + S₀₁ᴮᴮ − 2S₀₁ᴬᴮ)/k, S the sample (co)variances of
 * the two models' placement values, z = (A − B)/√Var(A − B), two-sided p = 2·(1 − Φ(|z|)); p = 1 when
 * the two models' placements are identical. Equals R pROC's roc.test(method = "delong", paired = TRUE).
 */
export function delongTest(isPositive: ArrayLike<number>, scoresA: ArrayLike<number>, scoresB: ArrayLike<number>): { difference: number; z: number; pValue: number } {
  const a = placementValues(isPositive, scoresA, true)
  const b = placementValues(isPositive, scoresB, true)
  const aucA = mean(a.positive)
  const aucB = mean(b.positive)
  const part = (x: Float64Array, y: Float64Array) => (covariance(x, x, aucA, aucA) + covariance(y, y, aucB, aucB) - 2 * covariance(x, y, aucA, aucB)) / x.length
  const variance = part(a.positive, b.positive) + part(a.negative, b.negative)
  const difference = aucA - aucB
  if (!(variance > 0)) return { difference, z: 0, pValue: 1 }
  const z = difference / Math.sqrt(variance)
  return { difference, z, pValue: Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))) }
}

/**
 * The placement values V₁₀ of the positive rows and V₀₁ of the negative rows: in row order (binary
 * searches), as a paired comparison needs, or in score order (one merge), enough for a variance.
 */
function placementValues(isPositive: ArrayLike<number>, scores: ArrayLike<number>, rowOrder: boolean): { positive: Float64Array; negative: Float64Array } {
  const sorted = scoresByClass(isPositive, scores)
  const m = sorted.positive.length
  const k = sorted.negative.length
  if (m < 2 || k < 2) {
    throw new ModeltestError({ what: `DeLong's variance needs at least two rows of each class, got ${m} positive and ${k} negative`, fix: 'Evaluate on more rows of the rarer class.' })
  }
  // V₁₀(x) from the negatives below x and at x; V₀₁(y) = 1 − (the positives below y + ½ those at y)/m.
  const fromNegatives = (below: number, atOrBelow: number) => (below + (atOrBelow - below) / 2) / k
  const fromPositives = (below: number, atOrBelow: number) => (m - atOrBelow + (atOrBelow - below) / 2) / m
  if (!rowOrder) return { positive: mergedPlacements(sorted.positive, sorted.negative, fromNegatives), negative: mergedPlacements(sorted.negative, sorted.positive, fromPositives) }
  const positive = new Float64Array(m)
  const negative = new Float64Array(k)
  let p = 0
  let q = 0
  for (let i = 0; i < isPositive.length; i++) {
    const score = scores[i]
    if (isPositive[i] === 1) positive[p++] = fromNegatives(countBelow(sorted.negative, score), countBelow(sorted.negative, score, true))
    else negative[q++] = fromPositives(countBelow(sorted.positive, score), countBelow(sorted.positive, score, true))
  }
  return { positive, negative }
}

/** `placement(below, atOrBelow)` of each of `own` (sorted ascending) against `other` (sorted ascending), in one merge. */
function mergedPlacements(own: Float64Array, other: Float64Array, placement: (below: number, atOrBelow: number) => number): Float64Array {
  const result = new Float64Array(own.length)
  let below = 0
  let atOrBelow = 0
  for (let i = 0; i < own.length; i++) {
    while (below < other.length && other[below] < own[i]) below++
    if (atOrBelow < below) atOrBelow = below
    while (atOrBelow < other.length && other[atOrBelow] <= own[i]) atOrBelow++
    result[i] = placement(below, atOrBelow)
  }
  return result
}

function mean(values: Float64Array): number {
  let sum = 0
  for (let i = 0; i < values.length; i++) sum += values[i]
  return sum / values.length
}

/** The sample covariance (divisor n − 1) of two paired series about the given centres. */
function covariance(x: Float64Array, y: Float64Array, centerX: number, centerY: number): number {
  let sum = 0
  for (let i = 0; i < x.length; i++) sum += (x[i] - centerX) * (y[i] - centerY)
  return sum / (x.length - 1)
}
