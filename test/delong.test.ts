import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { dataset, delongAuc, delongInterval, delongTest, metricCheck, model, regressionCheck, rocAuc, type Row } from '../src/index.js'
import { repoRoot } from './helpers.js'

// R pROC 1.18 (var and ci.auc with method = "delong"), cross-checked in the script against an
// independent numpy implementation of Sun & Xu's fast DeLong: test/golden/make_statistics_golden.py.
const golden = JSON.parse(readFileSync(join(repoRoot, 'test', 'golden', 'statistics.json'), 'utf8'))
interface DelongCase {
  name: string
  labels: number[]
  scores: number[]
  confidence: number
  auc: number
  variance: number
  low: number
  high: number
}
const cases = golden.delong as DelongCase[]
interface PairedCase {
  name: string
  labels: number[]
  a: number[]
  b: number[]
  z: number
  p_value: number
  difference: number
}
const pairedCases = golden.delong_paired as PairedCase[]

describe("DeLong's ROC AUC variance and interval", () => {
  test.each(cases)('equal R pROC on $name', ({ labels, scores, confidence, auc, variance, low, high }) => {
    const estimate = delongAuc(labels, scores)
    expect(estimate.auc).toBeCloseTo(auc, 12)
    expect(estimate.variance).toBeCloseTo(variance, 14)
    expect(estimate.auc).toBeCloseTo(rocAuc(labels, scores), 12)
    const interval = delongInterval(estimate, confidence)
    expect(interval).toMatchObject({ confidence, method: 'delong' })
    expect(interval.low).toBeCloseTo(low, 10)
    expect(interval.high).toBeCloseTo(high, 10)
  })

  test("toMeetMetric('roc_auc') records DeLong's interval", async () => {
    const { labels, scores, auc, low, high } = cases.find((entry) => entry.name === 'normal-200')!
    const scorer = await model(async (rows: Row[]) => rows.map((row) => scores[row.row as number]), { name: 'scorer' })
    const record = await metricCheck(scorer, 'roc_auc', 0.7, { on: await dataset(labels.map((label, row) => ({ label, row }))), label: 'label' })
    expect(record.actual).toBeCloseTo(auc, 12)
    expect(record.interval).toMatchObject({ method: 'delong', confidence: 0.95 })
    expect(record.interval!.low).toBeCloseTo(low, 10)
    expect(record.interval!.high).toBeCloseTo(high, 10)
    expect(record.message).toMatch(/^ROC AUC 0\.7859 ≥ 0\.70 \(95% CI 0\.7225–0\.8493 delong, n=200\)$/)
  })

  test('needs two rows of each class', () => {
    expect(() => delongAuc([1, 0, 0, 0], [0.9, 0.1, 0.2, 0.3])).toThrow(/at least two rows of each class, got 1 positive and 3 negative/)
  })
})

describe("DeLong's test of two ROC AUCs on the same rows", () => {
  test.each(pairedCases)('equals R pROC roc.test(paired = TRUE) on $name', ({ labels, a, b, z, p_value, difference }) => {
    const result = delongTest(labels, a, b)
    expect(result.difference).toBeCloseTo(difference, 12)
    expect(result.z).toBeCloseTo(z, 10)
    expect(result.pValue).toBeCloseTo(p_value, 10)
  })

  test('identical models: p = 1', () => {
    expect(delongTest([0, 0, 1, 1], [0.1, 0.4, 0.3, 0.9], [0.1, 0.4, 0.3, 0.9])).toEqual({ difference: 0, z: 0, pValue: 1 })
  })

  test("toNotRegressFrom on ROC AUC uses DeLong's test by default", async () => {
    const { labels, a, b, p_value } = pairedCases.find((entry) => entry.name === 'paired-300')!
    const scorer = (scores: number[], name: string) => model(async (rows: Row[]) => rows.map((row) => scores[row.row as number]), { name })
    const on = await dataset(labels.map((label, row) => ({ label, row })))
    // The weaker model (b) against the stronger (a): a drop of 0.0555, significant at 0.05.
    const record = await regressionCheck(await scorer(b, 'weaker'), await scorer(a, 'stronger'), { on, label: 'label', metric: 'roc_auc', maxDrop: 0.02 })
    expect(record.significance).toMatchObject({ test: 'delong', alpha: 0.05 })
    expect(record.significance!.pValue).toBeCloseTo(p_value, 10)
    expect(record).toMatchObject({ passed: false })
    expect(record.message).toMatch(/drop 0\.0555 > max drop 0\.02, significant \(DeLong p=0\.04\d* < α 0\.05, n=300\)/)
  })
})
