import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { averagePrecision, averagePrecisionOfCounts, logitInterval, measureMetric, predictedClasses, weightedBootstrapInterval, type Evaluation, type Label } from '../src/index.js'
import { mulberry32 } from '../src/random.js'

// scikit-learn's AP and the formula with scipy: test/golden/make_ap_interval_golden.py.
interface Case {
  name: string
  labels: Label[]
  positive: Label
  scores: number[]
  confidence: number
  average_precision: number
  positives: number
  low: number
  high: number
}
const golden = JSON.parse(readFileSync(new URL('./golden/ap-interval.json', import.meta.url), 'utf8')) as { cases: Case[] }

/** Binary rows with P(positive) in two columns: `share` positives, scores separated by `separation` on the logit scale. */
function binaryRows(n: number, share: number, separation: number, seed: number): Evaluation {
  const random = mulberry32(seed)
  const labels = new Int32Array(n)
  const values = new Float64Array(2 * n)
  for (let i = 0; i < n; i++) {
    labels[i] = random() < share ? 1 : 0
    const noise = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
    const p = 1 / (1 + Math.exp(-(separation * labels[i] + noise)))
    values[2 * i] = 1 - p
    values[2 * i + 1] = p
  }
  const scores = { rows: n, width: 2, values }
  return { labels, predicted: predictedClasses(scores), scores }
}

describe("average precision's logit interval (Boyd, Eng & Page 2013)", () => {
  test.each(golden.cases)('$name: equals the formula computed with scikit-learn and scipy', ({ labels, positive, scores, confidence, average_precision, positives, low, high }) => {
    const ap = averagePrecision(labels, scores, positive)
    expect(ap).toBeCloseTo(average_precision, 12)
    const interval = logitInterval(ap, positives, confidence)
    expect(interval.low).toBeCloseTo(low, 12)
    expect(interval.high).toBeCloseTo(high, 12)
    expect(interval).toMatchObject({ method: 'logit', confidence })
  })

  test('a metric check records it, with the positive class counted as the named one', () => {
    const entry = golden.cases[0]
    const n = entry.labels.length
    const values = Float64Array.from({ length: 2 * n }, (_, j) => (j % 2 === 1 ? entry.scores[j >> 1] : 1 - entry.scores[j >> 1]))
    const scores = { rows: n, width: 2, values }
    const rows = { labels: entry.labels as number[], predicted: predictedClasses(scores), scores }
    const { value, interval } = measureMetric('average_precision', rows)
    expect(value).toBeCloseTo(entry.average_precision, 12)
    expect(interval).toMatchObject({ method: 'logit', confidence: 0.95 })
    expect(interval.low).toBeCloseTo(entry.low, 12)
    expect(interval.high).toBeCloseTo(entry.high, 12)
    // Class 0 as the positive class: its own column and its own count of rows.
    const flipped = measureMetric('average_precision', rows, { positive: 0 })
    const negatives = n - entry.positives
    expect(flipped.interval.low).toBeCloseTo(logitInterval(flipped.value, negatives).low, 12)
  })

  // Boyd et al. report coverage near nominal for the logit interval. On these seeded datasets it is
  // about 1.2 times as wide as the stratified percentile bootstrap of rows (1,000 resamples): a little
  // conservative, never narrower than 0.9 of it nor wider than 1.5 times.
  const datasets = [
    { n: 2000, share: 0.3, separation: 1.5, seed: 1 },
    { n: 1000, share: 0.1, separation: 2, seed: 2 },
    { n: 500, share: 0.5, separation: 0.5, seed: 3 },
    { n: 3000, share: 0.05, separation: 3, seed: 4 },
  ]
  test.each(datasets)('$n rows, $share positive: between 0.9 and 1.5 times as wide as the bootstrap of rows, overlapping it', ({ n, share, separation, seed }) => {
    const rows = binaryRows(n, share, separation, seed)
    const { value, interval } = measureMetric('average_precision', rows)
    const bootstrap = weightedBootstrapInterval(
      n,
      averagePrecisionOfCounts(
        rows.labels,
        Float64Array.from({ length: n }, (_, i) => rows.scores.values[2 * i + 1]),
      ),
      { strata: rows.labels },
    )
    const ratio = (interval.high - interval.low) / (bootstrap.high - bootstrap.low)
    expect(ratio).toBeGreaterThan(0.9)
    expect(ratio).toBeLessThan(1.5)
    expect(interval.low).toBeLessThan(value)
    expect(interval.high).toBeGreaterThan(value)
    expect(interval.low).toBeLessThan(bootstrap.high)
    expect(interval.high).toBeGreaterThan(bootstrap.low)
  })

  test('covers the AP of the population in about 95% of simulated datasets of 300 and 1,000 rows', () => {
    // The population's AP, from a million rows of the same model; then 400 datasets drawn from it.
    const population = binaryRows(1_000_000, 0.3, 1.5, 99)
    const positiveColumn = (rows: Evaluation) => Float64Array.from({ length: rows.labels.length }, (_, i) => rows.scores.values[2 * i + 1])
    const truth = averagePrecision(population.labels, positiveColumn(population))
    for (const n of [300, 1000]) {
      let covered = 0
      for (let seed = 0; seed < 400; seed++) {
        const rows = binaryRows(n, 0.3, 1.5, 1000 * n + seed)
        const { low, high } = measureMetric('average_precision', rows).interval
        if (low <= truth && truth <= high) covered++
      }
      expect(covered / 400, `${n} rows`).toBeGreaterThan(0.92)
      expect(covered / 400, `${n} rows`).toBeLessThan(0.98)
    }
  })

  test('AP of 1, where the logit is undefined, gets the stratified bootstrap (a single point)', () => {
    const scores = { rows: 6, width: 2, values: Float64Array.from([0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.2, 0.8, 0.1, 0.9, 0.3, 0.7]) }
    const { value, interval } = measureMetric('average_precision', { labels: [0, 0, 0, 1, 1, 1], predicted: predictedClasses(scores), scores })
    expect(value).toBe(1)
    expect(interval).toMatchObject({ method: 'bootstrap', stratified: true, low: 1, high: 1 })
    expect(() => logitInterval(1, 3)).toThrow(/needs 0 < AP < 1/)
  })
})
