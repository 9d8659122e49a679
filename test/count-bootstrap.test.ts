import { describe, expect, test } from 'vitest'
import { METRICS, bootstrapInterval, measureMetric, predictedClasses, type Evaluation } from '../src/index.js'

/** 3,000 rows of a noisy three-class model: labels, scores and argmax classes. */
function threeClasses(): Evaluation {
  let state = 11
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648
  const n = 3000
  const labels = new Int32Array(n)
  const values = new Float64Array(3 * n)
  for (let i = 0; i < n; i++) {
    labels[i] = Math.floor(random() * 3)
    for (let c = 0; c < 3; c++) values[3 * i + c] = random() + (c === labels[i] ? 0.6 : 0)
  }
  const scores = { rows: n, width: 3, values }
  return { labels, predicted: predictedClasses(scores), scores }
}

describe('the bootstrap of confusion-matrix metrics draws counts, not rows', () => {
  const rows = threeClasses()
  test.each(['f1', 'balanced_accuracy', 'precision', 'recall'])('%s: the same interval as resampling the rows within each class, to Monte Carlo error', (name) => {
    const { value, interval } = measureMetric(name, rows, { resamples: 2000, seed: 5 })
    const rowsAt = (indices: Int32Array): Evaluation => ({ labels: Array.from(indices, (i) => rows.labels[i]), predicted: Array.from(indices, (i) => rows.predicted[i]), scores: rows.scores })
    const byRows = bootstrapInterval(rows.labels.length, (indices) => METRICS[name].compute(rowsAt(indices), {}), { resamples: 2000, seed: 5, strata: rows.labels })
    expect(interval).toMatchObject({ method: 'bootstrap', stratified: true, skipped: 0, resamples: 2000 })
    expect(interval.low).toBeLessThan(value)
    expect(interval.high).toBeGreaterThan(value)
    // Both intervals are about ±0.03 wide; Monte Carlo error on each bound is about 0.002.
    expect(Math.abs(interval.low - byRows.low)).toBeLessThan(0.006)
    expect(Math.abs(interval.high - byRows.high)).toBeLessThan(0.006)
  })
})
