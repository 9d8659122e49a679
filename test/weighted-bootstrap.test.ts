import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { METRICS, averagePrecisionOfCounts, bootstrapInterval, weightedBootstrapInterval, expectedCalibrationErrorOfCounts, predictedClasses, rocAucOfCounts, rocAucOneVsRestOfCounts, type Evaluation, type Label } from '../src/index.js'

interface Resample {
  counts: number[]
  average_precision: number
  roc_auc: number
  ece: number
}
interface BinaryCase {
  name: string
  labels: Label[]
  positive: Label
  scores: number[]
  resamples: Resample[]
}
interface OvrCase {
  name: string
  labels: number[]
  width: number
  values: number[]
  resamples: { counts: number[]; macro: number; weighted: number }[]
}
const golden = JSON.parse(readFileSync(new URL('./golden/resamples.json', import.meta.url), 'utf8')) as { binary: BinaryCase[]; ovr: OvrCase[] }

describe('a metric of row counts equals scikit-learn on the materialised resample', () => {
  const binary = golden.binary.flatMap((entry) => entry.resamples.map((resample, seed) => ({ ...entry, ...resample, seed })))
  test.each(binary)('$name, resample $seed: average precision, ROC AUC and ECE', ({ labels, positive, scores, counts, average_precision, roc_auc, ece }) => {
    const rowCounts = Int32Array.from(counts)
    expect(averagePrecisionOfCounts(labels, scores, positive)(rowCounts)).toBeCloseTo(average_precision, 12)
    expect(rocAucOfCounts(labels, scores, positive)(rowCounts)).toBeCloseTo(roc_auc, 12)
    expect(expectedCalibrationErrorOfCounts(labels, scores, 10, positive)(rowCounts)).toBeCloseTo(ece, 12)
  })

  const ovr = golden.ovr.flatMap((entry) => entry.resamples.map((resample, seed) => ({ ...entry, ...resample, seed })))
  test.each(ovr)('$name, resample $seed: one-vs-rest ROC AUC, macro and weighted', ({ labels, width, values, counts, macro, weighted }) => {
    const scores = { rows: labels.length, width, values }
    expect(rocAucOneVsRestOfCounts(labels, scores, 'macro')(Int32Array.from(counts))).toBeCloseTo(macro, 12)
    expect(rocAucOneVsRestOfCounts(labels, scores, 'weighted')(Int32Array.from(counts))).toBeCloseTo(weighted, 12)
  })

  test('a resample without a positive row is undefined, as the metric on its rows is', () => {
    const counts = Int32Array.from([2, 1, 0, 0])
    expect(() => averagePrecisionOfCounts([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])(counts)).toThrow(/no positive labels/)
    expect(() => rocAucOfCounts([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])(counts)).toThrow(/only one class/)
  })
})

/** 600 rows of a noisy three-class model, and its binary view (class 2 against the rest). */
function rowsOf(width: 2 | 3): Evaluation {
  let state = 7
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648
  const n = 600
  const labels = new Int32Array(n)
  const values = new Float64Array(width * n)
  for (let i = 0; i < n; i++) {
    labels[i] = Math.floor(random() * width)
    let sum = 0
    for (let c = 0; c < width; c++) sum += values[width * i + c] = Math.round(100 * (random() + (c === labels[i] ? 0.5 : 0))) / 100 + 0.01
    for (let c = 0; c < width; c++) values[width * i + c] /= sum
  }
  const scores = { rows: n, width, values }
  return { labels, predicted: predictedClasses(scores), scores }
}

describe('the bootstrap of row counts of average precision and ECE', () => {
  // What average precision falls back to at AP = 1, and the reference ECE's interval is compared with.
  const cases = [
    { name: 'average_precision', rows: rowsOf(2), positive: 1, ofCounts: averagePrecisionOfCounts },
    { name: 'ece', rows: rowsOf(2), positive: 0, ofCounts: (labels: Label[], scores: ArrayLike<number>, positive: Label) => expectedCalibrationErrorOfCounts(labels, scores, 10, positive) },
  ]
  test.each(cases)('$name, positive $positive: the same interval as the metric on each materialised resample, for the same seed', ({ name, rows, positive, ofCounts }) => {
    const settings = { resamples: 200, seed: 9, strata: rows.labels }
    const positiveScores = Float64Array.from(rows.labels, (_, i) => rows.scores.values[2 * i + positive])
    const interval = weightedBootstrapInterval(rows.labels.length, ofCounts(Array.from(rows.labels), positiveScores, positive), settings)
    const byRows = bootstrapInterval(rows.labels.length, (indices) => METRICS[name].compute(rowsAt(rows, indices), { positive }), settings)
    expect(interval).toMatchObject({ method: 'bootstrap', stratified: true, skipped: 0, resamples: 200 })
    expect(interval.low).toBeCloseTo(byRows.low, 12)
    expect(interval.high).toBeCloseTo(byRows.high, 12)
    expect(interval.low).toBeLessThan(interval.high)
  })
})

test('one-vs-rest ROC AUC of row counts: the same bootstrap as on the materialised rows, for the same seed', () => {
  const rows = rowsOf(3)
  for (const average of ['macro', 'weighted'] as const) {
    const settings = { resamples: 200, seed: 9, strata: rows.labels }
    const byCounts = weightedBootstrapInterval(rows.labels.length, rocAucOneVsRestOfCounts(rows.labels, rows.scores, average), settings)
    const byRows = bootstrapInterval(rows.labels.length, (indices) => METRICS.roc_auc.compute(rowsAt(rows, indices), { average }), settings)
    expect(byCounts.low).toBeCloseTo(byRows.low, 12)
    expect(byCounts.high).toBeCloseTo(byRows.high, 12)
  }
})

/** The rows at `indices`, materialised. */
function rowsAt(rows: Evaluation, indices: Int32Array): Evaluation {
  const { width, values } = rows.scores
  return {
    labels: Array.from(indices, (i) => rows.labels[i]),
    predicted: Array.from(indices, (i) => rows.predicted[i]),
    scores: { rows: indices.length, width, values: Float64Array.from({ length: indices.length * width }, (_, j) => values[indices[Math.floor(j / width)] * width + (j % width)]) },
  }
}
