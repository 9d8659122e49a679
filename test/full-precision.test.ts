import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { dataset, metricCheck, model, type Row } from '../src/index.js'
import { repoRoot } from './helpers.js'

// scikit-learn 1.2 on float64 values: test/golden/make_statistics_golden.py.
const { precision } = JSON.parse(readFileSync(join(repoRoot, 'test', 'golden', 'statistics.json'), 'utf8'))

describe('scores of predict functions and HTTP models keep float64', () => {
  test('MAE on targets near 1e7 equals scikit-learn (float32 would read 0.1)', async () => {
    const { targets, predictions, value } = precision.mae as { targets: number[]; predictions: number[]; value: number }
    const predictor = await model(async (rows: Row[]) => rows.map((row) => predictions[row.row as number]), { name: 'near-1e7' })
    const on = await dataset(targets.map((y, row) => ({ y, row })))
    const record = await metricCheck(predictor, 'mae', 1, { on, label: 'y' })
    expect(value).toBe(0.25)
    expect(record.actual).toBe(value)
  })

  test('log loss at p = 1 − 1e-9 equals scikit-learn (float32 rounds p to 1 and reads 36.04)', async () => {
    const { labels, positive_probabilities, value } = precision.log_loss as { labels: number[]; positive_probabilities: number[]; value: number }
    const scorer = await model(async (rows: Row[]) => rows.map((row) => positive_probabilities[row.row as number]), { name: 'confident' })
    const record = await metricCheck(scorer, 'log_loss', 10, { on: await dataset(labels.map((label, row) => ({ label, row }))), label: 'label' })
    expect(record.actual).toBeCloseTo(value, 12)
    expect(record.actual).toBeLessThan(7.4)
  })

  test('an HTTP model (SageMaker protocol) keeps the digits of the JSON answer', async () => {
    const server = createServer((_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ predictions: [10000000.25, 10000000.5, 0.1] }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const remote = model.http(`http://127.0.0.1:${(server.address() as AddressInfo).port}/invocations`, { protocol: 'sagemaker' })
      const scores = await remote.predict(await dataset([{ x: 1 }, { x: 2 }, { x: 3 }]))
      expect(scores.values).toBeInstanceOf(Float64Array)
      expect(Array.from(scores.values)).toEqual([10000000.25, 10000000.5, 0.1])
    } finally {
      server.close()
    }
  })
})
