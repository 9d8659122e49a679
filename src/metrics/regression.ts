import { checkFinite, checkPaired } from './validate.js'
import { ModeltestError } from '../errors.js'

/** The shared guard of the regression metrics: paired, non-empty, finite. Returns n. */
function checkRegression(labels: ArrayLike<number>, predicted: ArrayLike<number>, metric: string): number {
  const n = checkPaired(labels, predicted, metric)
  checkFinite(labels, metric, 'labels')
  checkFinite(predicted, metric, 'predictions')
  return n
}

/**
 * Mean absolute error: MAE = (1/n) Σ |yᵢ − ŷᵢ|.  (scikit-learn: sklearn.metrics.mean_absolute_error)
 */
export function meanAbsoluteError(labels: ArrayLike<number>, predicted: ArrayLike<number>): number {
  return mean(absoluteErrors(labels, predicted))
}

/** Each row's |yᵢ − ŷᵢ|, the terms of MAE. */
export function absoluteErrors(labels: ArrayLike<number>, predicted: ArrayLike<number>): Float64Array {
  const n = checkRegression(labels, predicted, 'meanAbsoluteError')
  return termsOf(n, (i) => Math.abs(labels[i] - predicted[i]))
}

/**
 * Root mean squared error: RMSE = √((1/n) Σ (yᵢ − ŷᵢ)²).
 * (scikit-learn: sklearn.metrics.mean_squared_error(squared=False); mean_squared_error's root)
 */
export function rootMeanSquaredError(labels: ArrayLike<number>, predicted: ArrayLike<number>): number {
  return Math.sqrt(mean(squaredErrors(labels, predicted)))
}

/** Each row's (yᵢ − ŷᵢ)², the terms of the mean squared error. */
export function squaredErrors(labels: ArrayLike<number>, predicted: ArrayLike<number>): Float64Array {
  const n = checkRegression(labels, predicted, 'rootMeanSquaredError')
  return termsOf(n, (i) => (labels[i] - predicted[i]) ** 2)
}

/**
 * Coefficient of determination: R² = 1 − Σ (yᵢ − ŷᵢ)² / Σ (yᵢ − ȳ)². With constant labels
 * (denominator 0) it is 1.0 for perfect predictions and 0.0 otherwise, as scikit-learn's
 * force_finite=True. Needs at least two rows (scikit-learn returns NaN with a warning; this throws).
 * (scikit-learn: sklearn.metrics.r2_score)
 */
export function r2Score(labels: ArrayLike<number>, predicted: ArrayLike<number>): number {
  return r2Sums(labels, predicted).r2
}

/**
 * R² and its delta-method standard error, in one more pass over the rows than R² alone: with
 * A = (1/n) Σ eᵢ², B = (1/n) Σ (yᵢ − ȳ)², R² = 1 − A/B has the influence function
 * IFᵢ = −(eᵢ² − A)/B + A·((yᵢ − ȳ)² − B)/B², whose mean is 0, and se = √(Σ IFᵢ² / (n − 1) / n).
 * Constant labels (B = 0) give se = 0.
 */
export function r2WithStandardError(labels: ArrayLike<number>, predicted: ArrayLike<number>): { r2: number; standardError: number } {
  const { r2, n, mean, residual, total } = r2Sums(labels, predicted)
  if (total === 0) return { r2, standardError: 0 }
  const a = residual / n
  const b = total / n
  let squares = 0
  for (let i = 0; i < n; i++) {
    const influence = -((labels[i] - predicted[i]) ** 2 - a) / b + (a * ((labels[i] - mean) ** 2 - b)) / (b * b)
    squares += influence * influence
  }
  return { r2, standardError: Math.sqrt(squares / (n - 1) / n) }
}

/** The validated sums R² is made of: ȳ, Σ (yᵢ − ŷᵢ)², Σ (yᵢ − ȳ)² (compensated), and R² itself. */
function r2Sums(labels: ArrayLike<number>, predicted: ArrayLike<number>) {
  const n = checkTwoRows(checkRegression(labels, predicted, 'r2Score'))
  const mean = compensatedSum(n, (i) => labels[i]) / n
  const residual = compensatedSum(n, (i) => (labels[i] - predicted[i]) ** 2)
  const total = compensatedSum(n, (i) => (labels[i] - mean) ** 2)
  const r2 = residual === 0 ? 1 : total === 0 ? 0 : 1 - residual / total
  return { r2, n, mean, residual, total }
}

/**
 * Mean absolute percentage error, as a fraction (not ×100):
 * MAPE = (1/n) Σ |yᵢ − ŷᵢ| / max(|yᵢ|, ε), ε = float64 machine epsilon (2.22e-16), so a zero label
 * gives a huge but finite term. (scikit-learn: sklearn.metrics.mean_absolute_percentage_error)
 */
export function meanAbsolutePercentageError(labels: ArrayLike<number>, predicted: ArrayLike<number>): number {
  return mean(absolutePercentageErrors(labels, predicted))
}

/** Each row's |yᵢ − ŷᵢ| / max(|yᵢ|, ε), the terms of MAPE. */
export function absolutePercentageErrors(labels: ArrayLike<number>, predicted: ArrayLike<number>): Float64Array {
  const n = checkRegression(labels, predicted, 'meanAbsolutePercentageError')
  return termsOf(n, (i) => Math.abs(labels[i] - predicted[i]) / Math.max(Math.abs(labels[i]), Number.EPSILON))
}

/** R² needs two rows (scikit-learn returns NaN with a warning for one; this throws). */
function checkTwoRows(n: number): number {
  if (n < 2) throw new ModeltestError({ what: 'r2Score: R² is not defined for a single row', fix: 'Evaluate on at least two rows.' })
  return n
}

/** term(i) for i < n, in a plain loop (typed-array from() with a mapping function is slow on a million rows). */
function termsOf(n: number, term: (i: number) => number): Float64Array {
  const terms = new Float64Array(n)
  for (let i = 0; i < n; i++) terms[i] = term(i)
  return terms
}

/** The compensated mean of a metric's terms. */
function mean(terms: Float64Array): number {
  return compensatedSum(terms.length, (i) => terms[i]) / terms.length
}

/** Σ term(i) for i < n with Neumaier's compensation, so long sums keep full precision. */
function compensatedSum(n: number, term: (i: number) => number): number {
  let sum = 0
  let compensation = 0
  for (let i = 0; i < n; i++) {
    const value = term(i)
    const t = sum + value
    compensation += Math.abs(sum) >= Math.abs(value) ? sum - t + value : value - t + sum
    sum = t
  }
  return sum + compensation
}
