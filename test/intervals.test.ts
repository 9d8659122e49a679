import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { bootstrapInterval, normalCdf, normalQuantile, wilsonInterval } from '../src/stats/intervals.js'
import { repoRoot } from './helpers.js'

// Computed by scipy 1.10: test/golden/make_interval_golden.py.
const golden = JSON.parse(readFileSync(join(repoRoot, 'test', 'golden', 'intervals.json'), 'utf8'))

describe('Wilson interval', () => {
  test.each(golden.wilson as { successes: number; n: number; confidence: number; low: number; high: number }[])('equals scipy binomtest(...).proportion_ci(method="wilson") for $successes of $n at $confidence', (c) => {
    const interval = wilsonInterval(c.successes, c.n, c.confidence)
    expect(interval.low).toBeCloseTo(c.low, 10)
    expect(interval.high).toBeCloseTo(c.high, 10)
    expect(interval.method).toBe('wilson')
  })
  test('refuses impossible counts and confidence levels', () => {
    expect(() => wilsonInterval(5, 4)).toThrow(/0 ≤ successes ≤ n/)
    expect(() => wilsonInterval(1, 4, 1)).toThrow(/confidence 1 is not within \(0, 1\)/)
  })
})

describe('normal distribution', () => {
  test('the quantile equals scipy ndtri, tails included', () => {
    for (const c of golden.ndtri as { p: number; value: number }[]) expect(Math.abs(normalQuantile(c.p) - c.value)).toBeLessThan(1e-10 * Math.max(1, Math.abs(c.value)))
  })
  test('the CDF equals scipy ndtr', () => {
    for (const c of golden.ndtr as { x: number; value: number }[]) expect(Math.abs(normalCdf(c.x) - c.value)).toBeLessThan(1e-13 + 1e-11 * c.value)
  })
})

describe('bootstrap interval', () => {
  const values = Array.from({ length: 400 }, (_, i) => Math.sin(i) * 3 + (i % 7))
  const mean = (indices: Int32Array) => indices.reduce((sum, i) => sum + values[i], 0) / indices.length

  test('is the same for the same seed and differs for another', () => {
    const a = bootstrapInterval(values.length, mean, { seed: 1, resamples: 300 })
    expect(bootstrapInterval(values.length, mean, { seed: 1, resamples: 300 })).toEqual(a)
    expect(bootstrapInterval(values.length, mean, { seed: 2, resamples: 300 })).not.toEqual(a)
  })

  test('agrees with the normal interval of a mean (the central limit theorem) within a few percent', () => {
    const n = values.length
    const m = values.reduce((sum, v) => sum + v, 0) / n
    const sd = Math.sqrt(values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (n - 1))
    const half = normalQuantile(0.975) * (sd / Math.sqrt(n))
    const interval = bootstrapInterval(n, mean, { seed: 3, resamples: 2000 })
    expect(interval.low).toBeLessThan(m)
    expect(interval.high).toBeGreaterThan(m)
    expect((interval.high - interval.low) / (2 * half)).toBeGreaterThan(0.9)
    expect((interval.high - interval.low) / (2 * half)).toBeLessThan(1.1)
  })
})
