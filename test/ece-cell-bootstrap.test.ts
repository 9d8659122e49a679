import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { expectedCalibrationError, expectedCalibrationErrorOfCounts, measureMetric, predictedClasses, weightedBootstrapInterval, type Evaluation } from '../src/index.js'
import { mulberry32 } from '../src/random.js'
import { repoRoot } from './helpers.js'

/**
 * Binary rows with P(positive) in two columns. Labels are drawn from the model's own probability when
 * `calibrated` (ECE near 0); otherwise the scores are a noisy, shifted logit of the label (ECE large).
 */
function binaryRows({ n, share, separation, shift, calibrated, seed }: { n: number; share: number; separation: number; shift: number; calibrated: boolean; seed: number }): Evaluation {
  const random = mulberry32(seed)
  const labels = new Int32Array(n)
  const values = new Float64Array(2 * n)
  for (let i = 0; i < n; i++) {
    const noise = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
    let p: number
    if (calibrated) {
      p = 1 / (1 + Math.exp(-(noise + shift)))
      labels[i] = random() < p ? 1 : 0
    } else {
      labels[i] = random() < share ? 1 : 0
      p = 1 / (1 + Math.exp(-(separation * labels[i] + noise + shift)))
    }
    values[2 * i] = 1 - p
    values[2 * i + 1] = p
  }
  const scores = { rows: n, width: 2, values }
  return { labels, predicted: predictedClasses(scores), scores }
}

const datasets = [
  { n: 300, share: 0.3, separation: 1.5, shift: 0, calibrated: false, seed: 1 },
  { n: 1000, share: 0.1, separation: 2, shift: 0.5, calibrated: false, seed: 2 },
  { n: 2000, share: 0.5, separation: 0.5, shift: -0.3, calibrated: false, seed: 3 },
  { n: 3000, share: 0.05, separation: 3, shift: 0, calibrated: false, seed: 4 },
  { n: 800, share: 0, separation: 0, shift: -1, calibrated: true, seed: 5 },
  { n: 4000, share: 0, separation: 0, shift: 0.5, calibrated: true, seed: 6 },
].flatMap((dataset) => [1, 0].map((positive) => ({ ...dataset, positive })))

describe("ECE's bootstrap of per-cell statistics", () => {
  test.each(datasets)('$n rows, calibrated $calibrated, positive $positive: endpoints within 20% of the width of the bootstrap of rows', (dataset) => {
    const rows = binaryRows(dataset)
    const { positive, n } = dataset
    const { value, interval } = measureMetric('ece', rows, { positive })
    const positiveScores = Float64Array.from({ length: n }, (_, i) => rows.scores.values[2 * i + positive])
    const byRows = weightedBootstrapInterval(n, expectedCalibrationErrorOfCounts(rows.labels, positiveScores, 10, positive), { strata: rows.labels })
    const width = byRows.high - byRows.low
    expect(Math.abs(interval.low - byRows.low)).toBeLessThan(0.2 * width)
    expect(Math.abs(interval.high - byRows.high)).toBeLessThan(0.2 * width)
    expect(interval).toMatchObject({ method: 'bootstrap', stratified: true, resamples: 1000, skipped: 0, confidence: 0.95 })
    // The value is still the metric on the rows, not a resampled one.
    expect(value).toBe(expectedCalibrationError(rows.labels, positiveScores, 10, positive))
  })

  test('the value equals the golden ECE (numpy on the bins of scikit-learn), and a seed gives the same interval again', () => {
    // test/golden/make_statistics_golden.py: two score columns, labels 0/1, each class as the positive one.
    const golden = JSON.parse(readFileSync(join(repoRoot, 'test', 'golden', 'statistics.json'), 'utf8'))
    const noisy = golden.positive.find((item: { name: string }) => item.name === 'noisy') as { labels: number[]; scores: number[][]; cases: { positive: number; ece: number }[] }
    const n = noisy.labels.length
    const scores = { rows: n, width: 2, values: Float64Array.from(noisy.scores.flat()) }
    const rows = { labels: noisy.labels, predicted: predictedClasses(scores), scores }
    for (const { positive, ece } of noisy.cases) expect(measureMetric('ece', rows, { positive }).value).toBeCloseTo(ece, 12)
    const first = measureMetric('ece', rows, { seed: 3 })
    expect(measureMetric('ece', rows, { seed: 3 }).interval).toEqual(first.interval)
    expect(measureMetric('ece', rows, { seed: 4 }).interval).not.toEqual(first.interval)
  })
})
