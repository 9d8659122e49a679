import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { binCounts, chiSquareHomogeneity, chiSquareSurvival, jensenShannonDistance, ksTwoSample, populationStabilityIndex, quantileBinEdges, wassersteinDistance } from '../src/stats/drift.js'
import { repoRoot } from './helpers.js'

// Computed by scipy 1.10 and numpy: test/golden/make_drift_golden.py.
const golden = JSON.parse(readFileSync(join(repoRoot, 'test', 'golden', 'drift.json'), 'utf8'))

/** Relative closeness, for values that span many orders of magnitude (p-values). */
function expectRelative(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(Math.abs(expected), 1e-300))
}

describe('two-sample Kolmogorov–Smirnov', () => {
  type Case = { name: string; reference: number[]; current: number[]; statistic: number; pvalue: number; pvalue_kstwobign?: number }
  test.each((golden.ks as Case[]).filter((c) => c.pvalue_kstwobign === undefined))('equals scipy ks_2samp (exact) on $name', (c) => {
    const result = ksTwoSample(c.reference, c.current)
    expect(result.method).toBe('exact')
    expect(result.statistic).toBeCloseTo(c.statistic, 12)
    expectRelative(result.pValue, c.pvalue, 1e-9)
  })
  test.each((golden.ks as Case[]).filter((c) => c.pvalue_kstwobign !== undefined))('above 10,000 values uses the Kolmogorov limit distribution ($name)', (c) => {
    const result = ksTwoSample(c.reference, c.current)
    expect(result.method).toBe('asymptotic')
    expect(result.statistic).toBeCloseTo(c.statistic, 12)
    expectRelative(result.pValue, c.pvalue_kstwobign!, 1e-9)
    // scipy's own asymptotic branch (kstwo at round(en)) is within a few percent at this size.
    expect(Math.abs(result.pValue - c.pvalue)).toBeLessThan(0.02)
  })
})

describe('chi-square', () => {
  type Case = { name: string; reference: number[]; current: number[]; statistic: number; pvalue: number; dof: number }
  test.each(golden.chi2 as Case[])('homogeneity equals scipy chi2_contingency on $name', (c) => {
    const result = chiSquareHomogeneity(c.reference, c.current)
    expect(result.dof).toBe(c.dof)
    expectRelative(result.statistic, c.statistic, 1e-12)
    expectRelative(result.pValue, c.pvalue, 1e-10)
  })
  test('survival equals scipy chi2.sf across degrees of freedom and tails', () => {
    for (const c of golden.chi2_sf as { x: number; dof: number; value: number }[]) expectRelative(chiSquareSurvival(c.x, c.dof), c.value, 1e-10)
  })
  test('one category left is no evidence of drift', () => {
    expect(chiSquareHomogeneity([5, 0], [7, 0])).toEqual({ statistic: 0, pValue: 1, dof: 0 })
  })
})

describe('distances', () => {
  type Counts = { name: string; reference: number[]; current: number[]; value: number }
  test.each(golden.psi as Counts[])('PSI equals the numpy formula (ε = 1e-4) on $name', (c) => {
    expectRelative(populationStabilityIndex(c.reference, c.current), c.value, 1e-12)
  })
  test.each(golden.js as Counts[])('Jensen–Shannon equals scipy jensenshannon(base=2) on $name', (c) => {
    expect(jensenShannonDistance(c.reference, c.current)).toBeCloseTo(c.value, 12)
  })
  type Samples = { name: string; reference: number[] | null; current: number[] | null; value: number }
  test.each((golden.wasserstein as Samples[]).filter((c) => c.reference && c.current))('Wasserstein equals scipy wasserstein_distance on $name', (c) => {
    expect(wassersteinDistance(c.reference!, c.current!)).toBeCloseTo(c.value, 12)
  })
})

describe('binning', () => {
  test('decile edges and right-closed counts equal numpy quantile and digitize(right=True)', () => {
    const [c] = golden.bins as { reference: number[]; current: number[]; edges: number[]; reference_counts: number[]; current_counts: number[] }[]
    const edges = quantileBinEdges(c.reference, 10)
    edges.forEach((edge, i) => expect(edge).toBeCloseTo(c.edges[i], 12))
    expect(binCounts(c.reference, edges)).toEqual(c.reference_counts)
    expect(binCounts(c.current, edges)).toEqual(c.current_counts)
  })
  test('repeated quantiles collapse into one edge', () => {
    const edges = quantileBinEdges([1, 1, 1, 1, 1, 1, 1, 1, 2, 3], 10)
    expect(edges).toHaveLength(3)
    ;[1, 1.2, 2.1].forEach((edge, i) => expect(edges[i]).toBeCloseTo(edge, 12))
  })
})

describe('bad input', () => {
  test('is refused with a message', () => {
    expect(() => ksTwoSample([], [1])).toThrow(/no samples/)
    expect(() => wassersteinDistance([1, NaN], [1])).toThrow(/sample 1 is NaN/)
    expect(() => chiSquareHomogeneity([1, 2], [1])).toThrow(/2 reference bins but 1 current bins/)
    expect(() => populationStabilityIndex([0, 0], [1, 2])).toThrow(/one side has no values/)
    expect(() => jensenShannonDistance([1, -1], [1, 2])).toThrow(/a count is -1/)
    expect(() => quantileBinEdges([1, 2, 3], 1)).toThrow(/bins must be a whole number ≥ 2/)
  })
})
