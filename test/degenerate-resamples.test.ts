import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { bootstrapInterval, dataset, metricCheck, model, type Row } from '../src/index.js'
import { repoRoot } from './helpers.js'

// scikit-learn 1.2 on the whole data: test/golden/make_statistics_golden.py.
const golden = JSON.parse(readFileSync(join(repoRoot, 'test', 'golden', 'statistics.json'), 'utf8'))
interface Case {
  name: string
  labels: number[]
  scores: number[]
  roc_auc: number
  average_precision: number
}
const cases = golden.degenerate as Case[]

async function checkOn({ labels, scores }: Case, metric: string) {
  const scorer = await model(async (rows: Row[]) => rows.map((row) => scores[row.row as number]), { name: 'scorer' })
  return metricCheck(scorer, metric, 0.5, { on: await dataset(labels.map((label, row) => ({ label, row }))), label: 'label' })
}

describe('metrics whose bootstrap resamples could lose a class', () => {
  test.each(cases)('ROC AUC and average precision on $name equal scikit-learn, with an interval', async (entry) => {
    for (const metric of ['roc_auc', 'average_precision'] as const) {
      const record = await checkOn(entry, metric)
      expect(record.actual, metric).toBeCloseTo(entry[metric], 12)
      expect(record.interval!.low, metric).toBeLessThanOrEqual(record.actual)
      expect(record.interval!.high, metric).toBeGreaterThanOrEqual(record.actual)
    }
  })

  test('the bootstrap draws within each class, so no resample loses one, and says so in the record', async () => {
    // ECE's bootstrap (average precision now has the logit interval, ROC AUC DeLong's).
    const record = await checkOn(
      cases.find((entry) => entry.name === '3-of-300')!,
      'ece',
    )
    expect(record.interval).toMatchObject({ method: 'bootstrap', resamples: 1000, skipped: 0, stratified: true })
  })

  test('resamples where the statistic is undefined are skipped and counted', () => {
    // Undefined (NaN) on every resample whose first row is row 0: about 1 in 10 of them.
    const interval = bootstrapInterval(10, (indices) => (indices[0] === 0 ? NaN : indices[1]), { resamples: 400, seed: 1 })
    expect(interval.skipped).toBeGreaterThan(20)
    expect(interval.skipped).toBeLessThan(60)
    expect(interval.resamples).toBe(400)
    expect(() => bootstrapInterval(10, () => NaN, { resamples: 50 })).toThrow(/undefined on 50 of 50 resamples of 10 rows/)
  })
})
