import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { binomialCdf, holmAdjust, mcnemarExact, pairedBootstrap } from '../src/stats/paired.js'
import { repoRoot } from './helpers.js'

// Computed by statsmodels 0.13 (mcnemar(exact=True)): test/golden/make_paired_golden.py.
const golden = JSON.parse(readFileSync(join(repoRoot, 'test', 'golden', 'paired.json'), 'utf8'))

describe('exact McNemar', () => {
  test.each(golden.mcnemar as { b: number; c: number; statistic: number; pvalue: number }[])('equals statsmodels for b=$b, c=$c', ({ b, c, statistic, pvalue }) => {
    const result = mcnemarExact(b, c)
    expect(result.statistic).toBe(statistic)
    // Relative 1e-10: the log-space sum over min(b, c) terms accumulates rounding (1.5e-12 at b + c = 5,800).
    expect(Math.abs(result.pValue - pvalue)).toBeLessThanOrEqual(1e-10 * pvalue + 1e-300)
  })
  test('refuses counts that are not whole numbers', () => {
    expect(() => mcnemarExact(1.5, 2)).toThrow(/whole counts/)
  })
})

describe('paired bootstrap', () => {
  test('finds a real shift significant, and no shift not', () => {
    const shift = (indices: Int32Array) => indices.reduce((sum, i) => sum + (i % 10 === 0 ? 0 : 1), 0) / indices.length
    expect(pairedBootstrap(500, shift, { seed: 1 }).pValue).toBeLessThan(0.01)
    const noise = (indices: Int32Array) => indices.reduce((sum, i) => sum + (i % 2 === 0 ? 1 : -1), 0) / indices.length
    expect(pairedBootstrap(500, noise, { seed: 1 }).pValue).toBeGreaterThan(0.2)
    expect(pairedBootstrap(500, noise, { seed: 1 }).differences).toEqual(pairedBootstrap(500, noise, { seed: 1 }).differences)
  })
})

describe('binomial CDF and Holm', () => {
  test.each(golden.binom_cdf as { k: number; n: number; p: number; value: number }[])('binomialCdf($k, $n, $p) equals scipy binom.cdf', ({ k, n, p, value }) => {
    expect(Math.abs(binomialCdf(k, n, p) - value)).toBeLessThanOrEqual(1e-10 * value + 1e-15)
  })
  test.each(golden.holm as { p: number[]; adjusted: number[] }[])('holmAdjust equals statsmodels multipletests(holm) for $p', ({ p, adjusted }) => {
    holmAdjust(p).forEach((value, i) => expect(value).toBeCloseTo(adjusted[i], 12))
  })
})
