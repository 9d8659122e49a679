import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { absoluteErrors, dataset, meanInterval, metricCheck, model, r2Score, r2WithStandardError, squaredErrors, type Row } from '../src/index.js'
import { repoRoot } from './helpers.js'

// scipy.stats.norm.interval(confidence, loc=mean, scale=sem): test/golden/make_statistics_golden.py.
const golden = JSON.parse(readFileSync(join(repoRoot, 'test', 'golden', 'statistics.json'), 'utf8'))
interface Case {
  name: string
  terms: number[]
  confidence: number
  low: number
  high: number
}

describe('the normal interval of a mean of per-row losses', () => {
  test.each(golden.mean_interval as Case[])('equals scipy on $name', ({ terms, confidence, low, high }) => {
    const interval = meanInterval(terms, confidence)
    expect(interval).toMatchObject({ confidence, method: 'normal' })
    expect(interval.low).toBeCloseTo(low, 12)
    expect(interval.high).toBeCloseTo(high, 12)
  })

  test('one row: the mean itself', () => {
    expect(meanInterval([0.3])).toEqual({ low: 0.3, high: 0.3, confidence: 0.95, method: 'normal' })
  })

  test("MAE and RMSE checks record it: RMSE as the root of the mean squared error's bounds", async () => {
    const { terms } = (golden.mean_interval as Case[])[0]
    const targets = terms.map((_, i) => 10 + i)
    const predictor = await model(async (rows: Row[]) => rows.map((row) => Number(row.y) + terms[Number(row.y) - 10]), { name: 'off-by-terms' })
    const on = await dataset(targets.map((y) => ({ y })))
    const mae = await metricCheck(predictor, 'mae', 1, { on, label: 'y' })
    expect(mae.interval).toEqual(
      meanInterval(
        absoluteErrors(
          targets,
          targets.map((y, i) => y + terms[i]),
        ),
      ),
    )
    const rmse = await metricCheck(predictor, 'rmse', 1, { on, label: 'y' })
    const mse = meanInterval(
      squaredErrors(
        targets,
        targets.map((y, i) => y + terms[i]),
      ),
    )
    expect(rmse.interval!.low).toBeCloseTo(Math.sqrt(Math.max(0, mse.low)), 14)
    expect(rmse.interval!.high).toBeCloseTo(Math.sqrt(mse.high), 14)
    expect(rmse.message).toMatch(/\(95% CI 0\.\d{4}–0\.\d{4} normal, n=50\)$/)
  })
})

// The delta method's standard error is checked in the script against a 20,000-resample bootstrap.
interface R2Case {
  name: string
  labels: number[]
  predicted: number[]
  r2: number
  low: number
  high: number
}

describe("R²'s delta-method interval", () => {
  test.each(golden.r2_interval as R2Case[])('equals the numpy computation on $name', async ({ labels, predicted, r2, low, high }) => {
    const { r2: value, standardError } = r2WithStandardError(labels, predicted)
    expect(value).toBe(r2Score(labels, predicted))
    expect(value - 1.959963984540054 * standardError).toBeCloseTo(low, 10)
    const fitted = await model(async (rows: Row[]) => rows.map((row) => predicted[row.row as number]), { name: 'fitted' })
    const record = await metricCheck(fitted, 'r2', -1, { on: await dataset(labels.map((y, row) => ({ y, row }))), label: 'y' })
    expect(record.actual).toBe(r2Score(labels, predicted))
    expect(record.actual).toBeCloseTo(r2, 12)
    expect(record.interval).toMatchObject({ method: 'normal', confidence: 0.95 })
    expect(record.interval!.low).toBeCloseTo(low, 10)
    expect(record.interval!.high).toBeCloseTo(high, 10)
  })

  test('constant labels: R² itself, no spread', () => {
    expect(r2WithStandardError([2, 2, 2], [1, 2, 3])).toEqual({ r2: 0, standardError: 0 })
  })
})
