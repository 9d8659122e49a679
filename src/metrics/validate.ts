import { ModeltestError } from '../errors.js'

/** The shared guard of paired metrics: both sides the same length, at least one pair. Returns n. */
export function checkPaired(labels: ArrayLike<unknown>, predicted: ArrayLike<unknown>, metric: string): number {
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

/** A class label as data holds it: a class index, ±1, or a class name. */
export type Label = number | string

/**
 * The binary metrics' labels as 1 for the positive class and 0 for the other, as scikit-learn's
 * `y_true == pos_label`: the labels may be any two values (0/1, −1/+1, class names). More than two
 * distinct labels, or two that do not include `positive`, are errors.
 */
export function binaryIndicator(labels: ArrayLike<Label>, positive: Label, metric: string): Uint8Array {
  return binaryIndicators([labels], positive, metric)[0]
}

/** binaryIndicator of several columns whose values together hold at most two classes (labels and predictions). */
export function binaryIndicators(columns: ArrayLike<Label>[], positive: Label, metric: string): Uint8Array[] {
  let hasPositive = false
  const others: Label[] = []
  const indicators = columns.map((values) => {
    const indicator = new Uint8Array(values.length)
    for (let i = 0; i < values.length; i++) {
      const label = values[i]
      if (label === positive) {
        indicator[i] = 1
        hasPositive = true
      } else if (typeof label === 'number' && Number.isNaN(label)) {
        throw new ModeltestError({ what: `${metric}: labels[${i}] is NaN`, fix: 'Give every row a label.' })
      } else if (others.length < 3 && !others.includes(label)) others.push(label)
    }
    return indicator
  })
  if (others.length + (hasPositive ? 1 : 0) > 2) {
    const found = (hasPositive ? [positive, ...others] : others).slice(0, 3).map(showLabel).join(', ')
    throw new ModeltestError({ what: `${metric}: the labels hold three or more classes (${found}), but this metric is binary`, fix: 'Give labels of two classes, and name the positive one with { positive }.' })
  }
  if (others.length === 2) {
    const pair = others.map(showLabel).join(' and ')
    throw new ModeltestError({ what: `${metric}: the positive class ${showLabel(positive)} is not one of the labels (${pair})`, fix: `Pass { positive } as one of ${pair}.` })
  }
  return indicators
}

function showLabel(label: Label): string {
  return typeof label === 'string' ? `'${label}'` : String(label)
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
