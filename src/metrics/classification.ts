import { checkPaired } from './validate.js'

/**
 * Fraction of rows whose predicted class equals the label.
 * accuracy = (1/n) Σ 1[ŷᵢ = yᵢ]   (scikit-learn: sklearn.metrics.accuracy_score)
 */
export function accuracy(labels: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const n = checkPaired(labels, predicted, 'accuracy')
  let hits = 0
  for (let i = 0; i < n; i++) if (labels[i] === predicted[i]) hits++
  return hits / n
}

/**
 * The predicted class of each row of a score matrix (n × width, row-major): the index of the
 * largest score (first on ties, as numpy.argmax), or, for one score per row, 1 when the score
 * is ≥ 0.5 (a positive-class probability).
 */
export function predictedClasses(scores: { rows: number; width: number; values: ArrayLike<number> }): Int32Array {
  const { rows, width, values } = scores
  const classes = new Int32Array(rows)
  if (width === 1) {
    for (let i = 0; i < rows; i++) classes[i] = values[i] >= 0.5 ? 1 : 0
    return classes
  }
  for (let i = 0; i < rows; i++) {
    let best = 0
    for (let k = 1; k < width; k++) if (values[i * width + k] > values[i * width + best]) best = k
    classes[i] = best
  }
  return classes
}
