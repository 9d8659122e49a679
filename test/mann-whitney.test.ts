import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { isModeltestError } from '../src/errors.js'
import { mannWhitneyU, type MannWhitneyOptions } from '../src/stats/mann-whitney.js'
import { repoRoot } from './helpers.js'

// Computed by scipy 1.10 (Debian's python3-scipy): test/golden/make_mann_whitney_golden.py.
const golden = JSON.parse(readFileSync(join(repoRoot, 'test', 'golden', 'mann-whitney.json'), 'utf8')) as {
  cases: { name: string; x: number[]; y: number[]; options: MannWhitneyOptions; statistic: number; pValue: number }[]
}

describe('mannWhitneyU', () => {
  test.each(golden.cases)('equals scipy.stats.mannwhitneyu on $name', ({ x, y, options, statistic, pValue }) => {
    const result = mannWhitneyU(x, y, options)
    expect(result.statistic).toBe(statistic)
    // Relative 1e-12, also far in the tail (4e-80 here): both sides take the normal tail from erfc of
    // z/√2, whose rounding grows as z²·ε (3.5e-13 at z = 37, p ≈ 1e-300); the exact sums differ ~1e-15.
    expect(Math.abs(result.pValue - pValue)).toBeLessThanOrEqual(1e-12 * pValue + 1e-300)
  })

  test("chooses the method as scipy's 'auto' does: exact when one sample has ≤ 8 values and nothing is tied", () => {
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6, 7, 8, 9, 10, 11, 12, 13]).method).toBe('exact')
    expect(mannWhitneyU([1, 2, 2], [4, 5]).method).toBe('asymptotic')
    expect(mannWhitneyU([1, 2, 3], [3, 5]).method).toBe('asymptotic')
    expect(
      mannWhitneyU(
        Array.from({ length: 9 }, (_, i) => i),
        Array.from({ length: 9 }, (_, i) => i + 0.5),
      ).method,
    ).toBe('asymptotic')
    expect(mannWhitneyU([1, 2, 2], [4, 5], { method: 'exact' }).method).toBe('exact')
  })

  test('takes typed arrays and gives the same answer', () => {
    const x = [12.5, 13.1, 11.9, 14.2, 12.8, 13.7, 12.2, 15.0, 13.3, 12.9]
    const y = [11.8, 12.0, 12.4, 11.5, 12.1, 13.0, 11.9, 12.6, 11.7]
    expect(mannWhitneyU(Float64Array.from(x), Float64Array.from(y))).toEqual(mannWhitneyU(x, y))
  })

  test('gives p = 1 when every value is the same, with or without the continuity correction (scipy: 1 and NaN)', () => {
    const same = Array.from({ length: 10 }, () => 3)
    expect(mannWhitneyU(same, same.slice(2)).pValue).toBe(1)
    expect(mannWhitneyU(same, same.slice(2), { useContinuity: false }).pValue).toBe(1)
    expect(mannWhitneyU(same, same.slice(2), { useContinuity: false, alternative: 'less' }).pValue).toBe(1)
  })

  test('refuses empty samples, non-finite values and unknown options, saying what to fix', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => mannWhitneyU([], [1]), /x is empty/],
      [() => mannWhitneyU([1], []), /y is empty/],
      [() => mannWhitneyU([1], [2, NaN]), /y\[1\] is NaN/],
      [() => mannWhitneyU([1, Infinity], [2]), /x\[1\] is Infinity/],
      [() => mannWhitneyU([1, -Infinity], [2]), /x\[1\] is -Infinity/],
      [() => mannWhitneyU(null as never, [2]), /x is not an array/],
      [() => mannWhitneyU([1, '2' as never], [2]), /x\[1\] is 2, not a finite number/],
      [() => mannWhitneyU([1], [2], { alternative: 'bigger' as never }), /unknown alternative 'bigger'/],
      [() => mannWhitneyU([1], [2], { method: 'permutation' as never }), /unknown method 'permutation'/],
      [() => mannWhitneyU([1], [2], { useContinuity: 'no' as never }), /useContinuity must be true or false/],
    ]
    for (const [call, message] of cases) {
      let error: unknown
      try {
        call()
      } catch (caught) {
        error = caught
      }
      expect(isModeltestError(error)).toBe(true)
      expect((error as Error).message).toMatch(message)
      expect((error as { fix?: string }).fix).toBeTruthy()
    }
  })
})
