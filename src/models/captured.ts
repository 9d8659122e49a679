import { ModeltestError, listNames } from '../errors.js'
import { checkColumnList, checkOptionKeys, describeValue } from '../guard.js'
import { hashText } from '../hash.js'
import type { Row } from '../data/dataset.js'
import { isDataset, type Dataset } from '../data/dataset.js'
import type { CaptureDataset } from '../data/capture.js'
import { Model, type Scores } from './model.js'

export interface CapturedModelOptions {
  /** The score columns, in class order; by default those `dataset.capture()` wrote (`score_0`, …). */
  scores?: string[]
  /** A name for reports; `<endpoint>/<variant> (captured)` by default. */
  name?: string
}

/**
 * The model that answered captured production traffic, as a Model whose predictions are the recorded outputs:
 * accuracy, metrics, slices and comparisons run on what production answered, without calling the endpoint.
 * It scores the rows of its capture and of datasets taken from it (`labelled()`, `head()`, `sample()`), which
 * carry the score columns.
 *
 *     const week = await dataset.capture(uri, { since, features, groundTruth })
 *     await expect(model.captured(week)).toMeetAccuracy(0.8, { on: week.labelled(), label: 'label' })
 */
export function capturedModel(capture: Dataset, options: CapturedModelOptions = {}): Model {
  const where = 'model.captured()'
  if (!isDataset(capture)) throw new ModeltestError({ what: `${where} takes the dataset of dataset.capture(), got ${describeValue(capture)}`, fix: 'Pass await dataset.capture(uri, { … }).' })
  checkOptionKeys(options, ['scores', 'name'], where)
  const info = (capture as Partial<CaptureDataset>).capture
  const scores = options.scores === undefined ? info?.scores : checkColumnList(options.scores, 'scores', where, "['score_0', 'score_1']")
  if (!scores || scores.length === 0) {
    throw new ModeltestError({
      what: `${info ? 'the capture has no outputs' : 'this dataset is not a capture'}, so there are no recorded scores`,
      where: capture.source,
      fix: info ? 'Capture the outputs too (CaptureMode Output or InputAndOutput in DataCaptureConfig).' : "Pass the dataset of dataset.capture(), or name its score columns: { scores: ['p0', 'p1'] }.",
    })
  }
  capture.checkColumns(scores)
  const name = options.name ?? (info ? `${info.endpoint}/${info.variant} (captured)` : `${capture.source} (captured)`)
  return new Model({
    name,
    hash: hashText(`captured:${capture.hash}:${scores.join('\0')}`),
    runtime: { runtime: 'captured' },
    runBatch: async (rows) => recordedScores(rows, scores, name),
  })
}

/** The score columns of a batch of rows, row-major; rows without them are not from the capture. */
function recordedScores(rows: Row[], scores: string[], name: string): Scores {
  const values = new Float64Array(rows.length * scores.length)
  rows.forEach((row, i) => {
    scores.forEach((column, j) => {
      if (!(column in row)) {
        throw new ModeltestError({
          what: `the rows have no column '${column}': a captured model scores only the rows of its capture`,
          where: name,
          fix: `Check it on the capture or on a dataset taken from it (labelled(), head(), sample()); its scores are ${listNames(scores)}.`,
        })
      }
      const value = row[column]
      values[i * scores.length + j] = typeof value === 'number' ? value : NaN
    })
  })
  return { rows: rows.length, width: scores.length, values }
}
