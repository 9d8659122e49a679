import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { meanAbsoluteError, meanAbsolutePercentageError, r2Score, rootMeanSquaredError } from '../src/metrics/regression.js'
import { repoRoot } from './helpers.js'

// Computed by scikit-learn 1.2: test/golden/make_metrics_golden.py.
const golden = JSON.parse(readFileSync(join(repoRoot, 'test', 'golden', 'metrics.json'), 'utf8'))
interface RegressionCase {
  name: string
  labels: number[]
  predicted: number[]
  mae: number
  rmse: number
  r2: number
  mape: number
}

/** 12 significant digits: absolute below 1, relative above (MAPE with a zero label is ~1e15). */
function expectClose(actual: number, expected: number) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)))
}

describe('regression metrics', () => {
  test.each(golden.regression as RegressionCase[])('equal scikit-learn on $name', ({ labels, predicted, mae, rmse, r2, mape }) => {
    expectClose(meanAbsoluteError(labels, predicted), mae)
    expectClose(rootMeanSquaredError(labels, predicted), rmse)
    expectClose(r2Score(labels, predicted), r2)
    expectClose(meanAbsolutePercentageError(labels, predicted), mape)
  })

  test('r2Score follows force_finite for constant labels', () => {
    expect(r2Score([3, 3, 3], [3, 3, 3])).toBe(1)
    expect(r2Score([3, 3, 3], [2, 3, 4])).toBe(0)
  })

  test('refuse unpaired, empty and non-finite inputs, and R² of one row', () => {
    for (const metric of [meanAbsoluteError, rootMeanSquaredError, r2Score, meanAbsolutePercentageError]) {
      expect(() => metric([1, 2], [1])).toThrow(/2 labels but 1 predictions/)
      expect(() => metric([], [])).toThrow(/no rows to score/)
      expect(() => metric([1, NaN], [1, 2])).toThrow(/labels\[1\] is NaN/)
      expect(() => metric([1, 2], [1, Infinity])).toThrow(/predictions\[1\] is Infinity/)
    }
    expect(() => r2Score([1], [1])).toThrow(/not defined for a single row/)
  })
})
