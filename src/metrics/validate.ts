import { ModeltestError } from '../errors.js'

/** The shared guard of paired metrics: both sides the same length, at least one pair. Returns n. */
export function checkPaired(labels: ArrayLike<number>, predicted: ArrayLike<number>, metric: string): number {
  if (labels.length !== predicted.length) {
    throw new ModeltestError({ what: `${metric}: ${labels.length} labels but ${predicted.length} predictions`, fix: 'Give one prediction per labelled row.' })
  }
  if (labels.length === 0) throw new ModeltestError({ what: `${metric}: no rows to score`, fix: 'Evaluate on a dataset with at least one row.' })
  return labels.length
}

/** The shared guard of sample statistics: at least one finite value. */
export function checkSamples(samples: ArrayLike<number>, statistic: string): number {
  if (samples.length === 0) throw new ModeltestError({ what: `${statistic}: no samples`, fix: 'Measure at least one run.' })
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i])) throw new ModeltestError({ what: `${statistic}: sample ${i} is ${samples[i]}`, fix: 'Samples must be finite numbers.' })
  }
  return samples.length
}

/** Each value a class index: a non-negative integer (which also refuses NaN). Returns the largest. */
export function checkClassIndices(values: ArrayLike<number>, metric: string, side: 'labels' | 'predictions'): number {
  let max = 0
  for (let i = 0; i < values.length; i++) {
    const value = values[i]
    if (!(Number.isInteger(value) && value >= 0)) {
      throw new ModeltestError({ what: `${metric}: ${side}[${i}] is ${value}, not a class index`, fix: 'Classes are integers 0, 1, 2, …; map class names to indices first.' })
    }
    if (value > max) max = value
  }
  return max
}

/** Each label 0 or 1 (binary metrics: 1 is the positive class). */
export function checkBinaryLabels(labels: ArrayLike<number>, metric: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) {
      throw new ModeltestError({ what: `${metric}: labels[${i}] is ${labels[i]}, but this metric is binary`, fix: 'Give labels 0 or 1, with 1 the positive class.' })
    }
  }
}

/** Each value a finite number (no NaN, no ±Infinity). */
export function checkFinite(values: ArrayLike<number>, metric: string, side: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new ModeltestError({ what: `${metric}: ${side}[${i}] is ${values[i]}`, fix: `Every ${side.replace(/s$/, '')} must be a finite number.` })
  }
}

/** Each value a probability: within [0, 1] (which also refuses NaN). */
export function checkProbabilities(values: ArrayLike<number>, metric: string, side = 'probabilities'): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i]
    if (!(value >= 0 && value <= 1)) {
      throw new ModeltestError({ what: `${metric}: ${side}[${i}] is ${value}, not a probability`, fix: 'Give probabilities within [0, 1] (apply a sigmoid or softmax to raw scores).' })
    }
  }
}

/** A row-major score matrix with one row per label: rows = n, width ≥ minWidth, rows × width values. */
export function checkScoreMatrix(matrix: { rows: number; width: number; values: ArrayLike<number> }, n: number, metric: string, minWidth = 1): void {
  const { rows, width, values } = matrix
  if (rows !== n) throw new ModeltestError({ what: `${metric}: ${n} labels but ${rows} rows of scores`, fix: 'Give one row of scores per labelled row.' })
  if (!(Number.isInteger(width) && width >= minWidth)) {
    throw new ModeltestError({ what: `${metric}: the score matrix is ${width} wide`, fix: `Give at least ${minWidth} score column${minWidth === 1 ? '' : 's'}, one per class.` })
  }
  if (values.length !== rows * width) {
    throw new ModeltestError({ what: `${metric}: ${values.length} values for ${rows} rows × ${width} columns`, fix: 'Store the matrix row-major, rows × width values.' })
  }
}
