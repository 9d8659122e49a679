import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { mannWhitneyU, type MannWhitneyOptions } from '../src/index.js'
import { repoRoot } from './helpers.js'

// Computed by scipy 1.10: test/golden/make_mann_whitney_golden.py.
const golden = JSON.parse(readFileSync(join(repoRoot, 'test', 'golden', 'mann-whitney.json'), 'utf8')) as {
  cases: { name: string; x: number[]; y: number[]; options: MannWhitneyOptions; statistic: number; pValue: number }[]
}

describe('mannWhitneyU', () => {
  test.each(golden.cases)('equals scipy.stats.mannwhitneyu on $name', ({ x, y, options, statistic, pValue }) => {
    const result = mannWhitneyU(x, y, options)
    expect(result.statistic).toBe(statistic)
    // Relative precision, also for p-values far in the tail.
    expect(Math.abs(result.pValue - pValue)).toBeLessThanOrEqual(1e-12 * Math.max(pValue, 1e-300) + 1e-300)
  })

  test("chooses the exact method as scipy's 'auto' does", () => {
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6, 7, 8, 9, 10, 11, 12, 13]).method).toBe('exact')
    expect(mannWhitneyU([1, 2, 2], [4, 5]).method).toBe('asymptotic')
    expect(mannWhitneyU(Array.from({ length: 9 }, (_, i) => i), Array.from({ length: 9 }, (_, i) => i + 0.5)).method).toBe('asymptotic')
  })

  test('refuses empty samples, non-finite values and an unknown alternative', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(/x is empty/)
    expect(() => mannWhitneyU([1], [2, NaN])).toThrow(/y\[1\] is NaN/)
    expect(() => mannWhitneyU([1], [2], { alternative: 'bigger' as never })).toThrow(/unknown alternative 'bigger'/)
  })
})
