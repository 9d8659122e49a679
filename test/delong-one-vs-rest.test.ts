import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { delongAuc, delongOneVsRest, measureMetric, predictedClasses, rocAucOneVsRest } from '../src/index.js'

interface Case {
  name: string
  labels: number[]
  width: number
  values: number[]
  macro: { auc: number; variance: number }
  weighted: { auc: number; variance: number }
}
const golden = JSON.parse(readFileSync(new URL('./golden/resamples.json', import.meta.url), 'utf8')) as { ovr_delong: Case[] }

describe("one-vs-rest ROC AUC's DeLong variance", () => {
  const cases = golden.ovr_delong.flatMap((entry) => (['macro', 'weighted'] as const).map((average) => ({ ...entry, average, expected: entry[average] })))
  test.each(cases)('$name, $average: the AUC of scikit-learn and the variance of the brute-force reference', ({ labels, width, values, average, expected }) => {
    const estimate = delongOneVsRest(labels, { rows: labels.length, width, values }, average)
    expect(estimate.auc).toBeCloseTo(expected.auc, 12)
    expect(estimate.variance / expected.variance).toBeCloseTo(1, 10)
  })

  test("with two classes it is binary DeLong's variance", () => {
    const labels = [0, 1, 1, 0, 1, 0, 0, 1, 1, 0]
    const positive = [0.2, 0.7, 0.6, 0.6, 0.9, 0.1, 0.4, 0.3, 0.8, 0.5]
    const values = positive.flatMap((p) => [1 - p, p])
    const binary = delongAuc(labels, positive)
    const estimate = delongOneVsRest(labels, { rows: labels.length, width: 2, values }, 'macro')
    expect(estimate.auc).toBeCloseTo(binary.auc, 12)
    expect(estimate.variance).toBeCloseTo(binary.variance, 14)
  })

  test('toMeetMetric records it as the interval of one-vs-rest ROC AUC when every class has two rows', () => {
    const { labels, width, values, macro } = golden.ovr_delong[0]
    const scores = { rows: labels.length, width, values: Float64Array.from(values) }
    const { value, interval } = measureMetric('roc_auc', { labels, predicted: predictedClasses(scores), scores })
    expect(value).toBe(rocAucOneVsRest(labels, scores, 'macro'))
    expect(interval).toMatchObject({ method: 'delong', confidence: 0.95 })
    expect((interval.high - interval.low) / 2).toBeCloseTo(1.959963984540054 * Math.sqrt(macro.variance), 10)
  })
})
