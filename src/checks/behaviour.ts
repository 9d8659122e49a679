import { isDataset, type Dataset, type Row } from '../data/dataset.js'
import { dataset } from '../data/load.js'
import { ModeltestError } from '../errors.js'
import { finiteScores } from '../evaluate.js'
import { predictedClasses } from '../metrics/classification.js'
import type { Model } from '../models/model.js'
import { formatAgainst, makeCheck, relationFor, type CheckRecord, type CheckSpec } from './record.js'
import { datasetSubject, modelSubject } from './subjects.js'

/** Every score the model gives on `input` is a finite number: no NaN, no ±Infinity. */
export async function finiteOutputsCheck(model: Model, input: Dataset, negate = false): Promise<CheckRecord> {
  const rows = await rowsOf(input, 'toProduceFiniteOutputs')
  const scores = await model.predictRows(rows)
  let bad = 0
  let first = -1
  scores.values.forEach((value, i) => {
    if (!Number.isFinite(value)) {
      bad++
      if (first < 0) first = Math.floor(i / scores.width)
    }
  })
  return behaviourCheck(model, input, negate, {
    name: 'no_nan_outputs',
    actual: bad,
    threshold: 0,
    comparator: '<=',
    n: scores.values.length,
    message: bad === 0 ? `No NaN or Inf values in ${scores.rows}×${scores.width} outputs` : `${bad} of ${scores.values.length} outputs are NaN or Inf, the first at row ${first}`,
  })
}

/** The model's output on `input` has this shape; `null` accepts any size (the batch). */
export async function outputShapeCheck(model: Model, shape: readonly (number | null)[], input: Dataset, negate = false): Promise<CheckRecord> {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- Array.isArray narrows a readonly array to any[]; asked of unknown, the element type stays
  if (!Array.isArray(shape as unknown) || shape.length !== 2 || shape.some((size) => size !== null && !(Number.isInteger(size) && size >= 1))) {
    throw new ModeltestError({ what: `toHaveOutputShape takes [rows, width] with whole numbers or null, got ${JSON.stringify(shape)}`, fix: 'Write toHaveOutputShape([null, 2], { input: holdout.head(4) }).' })
  }
  const rows = await rowsOf(input, 'toHaveOutputShape')
  const scores = await model.predictRows(rows)
  const actual = [scores.rows, scores.width]
  const mismatches = actual.filter((size, i) => shape[i] !== null && shape[i] !== size).length
  const expected = `[${shape.map((size) => size ?? '*').join(', ')}]`
  return behaviourCheck(model, input, negate, {
    name: 'output_shape',
    actual: mismatches,
    threshold: 0,
    comparator: '<=',
    message: `Output shape [${actual.join(', ')}] ${mismatches === 0 ? 'matches' : 'does not match'} expected ${expected}`,
    details: { shape: actual, expected: [...shape] },
  })
}

/**
 * Predictions keep their class when each row is perturbed (a typo, a synonym, a name swapped: an
 * invariance test in the manner of CheckList): the share of rows whose predicted class flips is at
 * most `maxFlipRate`.
 */
export async function invarianceCheck(model: Model, perturb: (row: Row) => Row, options: { on: Dataset; maxFlipRate?: number }, negate = false): Promise<CheckRecord> {
  if (typeof perturb !== 'function') throw new ModeltestError({ what: 'toBeInvariantTo needs a function from a row to a perturbed row', fix: "Write toBeInvariantTo((row) => ({ ...row, text: row.text + '!' }), { on: holdout })." })
  const maxFlipRate = options?.maxFlipRate ?? 0
  if (!(maxFlipRate >= 0 && maxFlipRate <= 1)) throw new ModeltestError({ what: `maxFlipRate ${maxFlipRate} is not within [0, 1]`, fix: 'Pass { maxFlipRate: 0.02 }.' })
  const original = await rowsOf(options?.on, 'toBeInvariantTo')
  const perturbed = await dataset(
    original.map((row) => perturb({ ...row })),
    { name: `${options.on.source} perturbed` },
  )
  const [before, after] = await Promise.all([finiteScores(model, options.on), finiteScores(model, perturbed)])
  const [a, b] = [predictedClasses(before), predictedClasses(after)]
  const flipped: number[] = []
  a.forEach((cls, i) => {
    if (cls !== b[i]) flipped.push(i)
  })
  const rate = flipped.length / a.length
  return behaviourCheck(model, options.on, negate, {
    name: 'invariance',
    actual: rate,
    threshold: maxFlipRate,
    comparator: '<=',
    n: a.length,
    message: `Predictions flip on ${flipped.length} of ${a.length} rows (${formatAgainst(rate * 100, maxFlipRate * 100, 2)}%) ${relationFor(rate, maxFlipRate, '<=')} max ${(maxFlipRate * 100).toFixed(2)}%${flipped.length > 0 ? `, e.g. row ${flipped.slice(0, 3).join(', ')}` : ''}`,
    details: { flipped: flipped.slice(0, 20) },
  })
}

/** Two predictions on the same rows give the same scores (at most `tolerance` apart; exactly by default). */
export async function determinismCheck(model: Model, input: Dataset, options: { tolerance?: number } = {}, negate = false): Promise<CheckRecord> {
  const tolerance = options.tolerance ?? 0
  if (!(tolerance >= 0)) throw new ModeltestError({ what: `tolerance ${tolerance} is not a number ≥ 0`, fix: 'Pass { tolerance: 1e-6 }, or leave it out for exact equality.' })
  const rows = await rowsOf(input, 'toBeDeterministic')
  const [first, second] = [await model.predictRows(rows), await model.predictRows(rows)]
  let largest = 0
  first.values.forEach((value, i) => {
    const difference = Object.is(value, second.values[i]) ? 0 : Math.abs(value - second.values[i])
    largest = Math.max(largest, Number.isNaN(difference) ? Infinity : difference)
  })
  return behaviourCheck(model, input, negate, {
    name: 'deterministic',
    actual: largest,
    threshold: tolerance,
    comparator: '<=',
    n: rows.length,
    message: largest === 0 ? `Two predictions of ${rows.length} rows are identical` : `Two predictions of ${rows.length} rows differ by up to ${largest.toExponential(2)} ${relationFor(largest, tolerance, '<=')} tolerance ${tolerance}`,
  })
}

async function rowsOf(input: Dataset | undefined, matcher: string): Promise<Row[]> {
  if (!isDataset(input)) throw new ModeltestError({ what: `${matcher} needs a dataset of input rows`, fix: `Pass one, e.g. ${matcher}(…holdout.head(8)…).` })
  return input.rows()
}

function behaviourCheck(model: Model, input: Dataset, negate: boolean, spec: Omit<CheckSpec, 'kind' | 'data' | 'model'>): CheckRecord {
  return makeCheck({ ...spec, kind: 'model', data: datasetSubject(input), model: modelSubject(model) }, negate)
}
