import type { Dataset } from './data/dataset.js'
import { ModeltestError } from './errors.js'
import { accuracy, predictedClasses } from './metrics/classification.js'
import type { Model, Scores } from './models/model.js'

export interface Classification {
  labels: Int32Array
  predicted: Int32Array
  /** The model's scores for every row (n × width). */
  scores: Scores
  accuracy: number
  n: number
}

/** Predicts every row of `data` and compares the predicted classes with the `label` column. */
export async function classify(model: Model, data: Dataset, label: string): Promise<Classification> {
  if (typeof label !== 'string') throw new ModeltestError({ what: 'no label column given', fix: "Pass { on: holdout, label: 'label' }." })
  const labels = await classLabels(data, label)
  const scores = await finiteScores(model, data)
  const predicted = predictedClasses(scores)
  const classes = Math.max(scores.width, 2)
  const outside = labels.findIndex((value) => value >= classes)
  if (outside >= 0) {
    throw new ModeltestError({
      what: `label ${labels[outside]} at row ${outside} is not one of the ${classes} classes the model scores`,
      where: `${data.source}, column '${label}'`,
      fix: `Labels must be class indices 0…${classes - 1} in the order of the model's outputs.`,
    })
  }
  return { labels, predicted, scores, accuracy: accuracy(labels, predicted), n: labels.length }
}

/** The label column as class indices: whole numbers ≥ 0 or booleans; a null or anything else is an error naming the row. */
async function classLabels(data: Dataset, label: string): Promise<Int32Array> {
  const values = await data.column(label)
  const labels = new Int32Array(values.length)
  for (let i = 0; i < values.length; i++) {
    const value = values[i]
    if (typeof value === 'boolean') labels[i] = value ? 1 : 0
    else if (typeof value === 'number' && Number.isInteger(value) && value >= 0) labels[i] = value
    else {
      throw new ModeltestError({
        what: `label ${value === null ? 'is null' : `'${value}' is not a class index`} at row ${i}`,
        where: `${data.source}, column '${label}'`,
        fix: 'Labels must be whole numbers 0, 1, … (or true/false); drop or fix unlabelled rows.',
      })
    }
  }
  return labels
}

/** Predicts every row of `data` for a regression model: the numeric `label` column and one predicted value per row. */
export async function regress(model: Model, data: Dataset, label: string): Promise<{ targets: Float64Array; predicted: Float64Array; n: number }> {
  const values = await data.column(label)
  const targets = new Float64Array(values.length)
  values.forEach((value, i) => {
    if (typeof value !== 'number') {
      throw new ModeltestError({ what: `target ${value === null ? 'is null' : `'${value}' is not a number`} at row ${i}`, where: `${data.source}, column '${label}'`, fix: 'Regression targets must be numbers; drop or fix unlabelled rows.' })
    }
    targets[i] = value
  })
  const scores = await finiteScores(model, data)
  if (scores.width !== 1) {
    throw new ModeltestError({ what: `a regression metric needs one predicted value per row; the model gives ${scores.width}`, where: model.name, fix: 'Use a classification metric, or a model with a single output.' })
  }
  return { targets, predicted: Float64Array.from(scores.values), n: targets.length }
}

/**
 * The model's scores on `data`, refused when any is NaN or ±Infinity: a NaN would count as class 0
 * and let a metric pass. An error rather than a failing check record, so that the test fails under
 * `.not` too (a failing record there would pass) and no metric is reported for scores that have none.
 */
export async function finiteScores(model: Model, data: Dataset): Promise<Scores> {
  const scores = await model.predict(data)
  let first = -1
  const badRows = new Set<number>()
  scores.values.forEach((value, i) => {
    if (Number.isFinite(value)) return
    if (first < 0) first = i
    badRows.add(Math.floor(i / scores.width))
  })
  if (first < 0) return scores
  const row = Math.floor(first / scores.width)
  throw new ModeltestError({
    what: `the model scored row ${row} of ${data.source} as ${scores.values[first]}${scores.width > 1 ? ` (score ${first % scores.width} of ${scores.width})` : ''}; ${badRows.size} of ${scores.rows} rows have NaN or infinite scores, so no metric can be computed`,
    where: model.name,
    fix: 'Check that the input holds no missing or unscaled values (toProduceFiniteOutputs on these rows shows them) and that the weights are finite.',
  })
}
