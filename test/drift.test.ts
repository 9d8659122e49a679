import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { ModeltestError } from '../src/errors.js'
import { binCounts, chiSquareHomogeneity, chiSquareSurvival, jensenShannonDistance, kolmogorovSmirnovSurvival, ksTwoSample, populationStabilityIndex, quantileBinEdges, wassersteinDistance } from '../src/stats/drift.js'
import { repoRoot } from './helpers.js'

// Computed by scipy 1.10.1 and numpy 1.24: test/golden/make_drift_golden.py.
const golden = JSON.parse(readFileSync(join(repoRoot, 'test', 'golden', 'drift.json'), 'utf8'))

/**
 * Tolerances (relative). Statistics are a few float64 operations: 1e-12. p-values from the same
 * algorithm as scipy in float64: the exact KS p-values and chi-square survival, 1e-11. The asymptotic
 * KS p-value (kstwo.sf) is 1e-10: scipy sums Smirnov's series in double-double and rescales Durbin's and
 * Pomeranz's recursions in long double, this module in float64 (observed worst: 3e-12).
 */
const STATISTIC = 1e-12
const P_EXACT = 1e-11
const P_KSTWO = 1e-10

/**
 * |actual − expected| ≤ tolerance·|expected|, for values that span many orders of magnitude; below the
 * smallest normal double (2⁻¹⁰²², where precision runs out) relative to that instead.
 */
function expectRelative(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(Math.abs(expected), 2 ** -1022))
}

interface Formula {
  n: number
  seed: number
  shift: number
}

/** make_drift_golden.py's formula_sample, operation for operation, so that large samples need not be stored. */
function formulaSample({ n, seed, shift }: Formula): number[] {
  let state = seed
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    let total = 0
    for (let k = 0; k < 4; k++) {
      state = (state * 48271) % 2147483647
      total = total + state / 2147483647
    }
    const value = total - 2 + shift
    out.push(Math.floor(value * 1000) / 1000)
  }
  return out
}

interface SampleCase {
  name: string
  reference?: number[]
  current?: number[]
  reference_formula?: Formula
  current_formula?: Formula
}

function samples(c: SampleCase): [number[], number[]] {
  return [c.reference ?? formulaSample(c.reference_formula!), c.current ?? formulaSample(c.current_formula!)]
}

describe('ksTwoSample', () => {
  type Case = SampleCase & { statistic: number; pvalue: number; method: 'exact' | 'asymptotic'; en?: number; pvalue_kstwo?: number }
  test.each(golden.ks as Case[])('equals scipy ks_2samp on $name', (c) => {
    const result = ksTwoSample(...samples(c))
    expect(result.method).toBe(c.method)
    expectRelative(result.statistic, c.statistic, STATISTIC)
    expectRelative(result.pValue, c.pvalue, c.method === 'exact' ? P_EXACT : P_KSTWO)
  })

  test('above 10,000 values is kstwo.sf at the effective size round(n₁n₂/(n₁ + n₂)), halves rounded to even', () => {
    for (const c of (golden.ks as Case[]).filter((c) => c.method === 'asymptotic')) {
      expect(c.pvalue_kstwo).toBe(c.pvalue)
      expectRelative(kolmogorovSmirnovSurvival(c.statistic, c.en!), c.pvalue, P_KSTWO)
    }
    const half = (golden.ks as Case[]).find((c) => c.name === 'asymptotic-en-half-rounds-to-even')!
    expect(half.en).toBe(5000) // 10001·10001/20002 = 5000.5
    expect(Math.abs(kolmogorovSmirnovSurvival(half.statistic, 5001) / half.pvalue - 1)).toBeGreaterThan(1e-3)
  })

  test('is symmetric in its two samples', () => {
    const [a, b] = samples((golden.ks as Case[]).find((c) => c.name === 'unequal-sizes')!)
    expect(ksTwoSample(b, a)).toEqual(ksTwoSample(a, b))
  })

  test('does not depend on the order of the values', () => {
    const a = [3, 1, 2, 2, 5, 4]
    const b = [2.5, 0, 2, 7]
    expect(ksTwoSample(a, b)).toEqual(ksTwoSample([...a].reverse(), [...b].sort()))
  })
})

describe('kolmogorovSmirnovSurvival', () => {
  test('equals scipy kstwo.sf in every region of its algorithm choice', () => {
    const cases = golden.kstwo_sf as { d: number; n: number; value: number }[]
    expect(cases.length).toBeGreaterThan(200)
    for (const c of cases) expectRelative(kolmogorovSmirnovSurvival(c.d, c.n), c.value, P_KSTWO)
  })

  test('is 1 at and below d = 1/(2n), and 0 from d = 1', () => {
    expect(kolmogorovSmirnovSurvival(0, 10)).toBe(1)
    expect(kolmogorovSmirnovSurvival(0.05, 10)).toBe(1)
    expect(kolmogorovSmirnovSurvival(1, 10)).toBe(0)
    expect(kolmogorovSmirnovSurvival(1.5, 10)).toBe(0)
  })
})

describe('chiSquareHomogeneity', () => {
  interface Case {
    name: string
    reference: number[]
    current: number[]
    statistic: number
    pvalue: number
    dof: number
  }
  test.each(golden.chi2 as Case[])('equals scipy chi2_contingency on $name', (c) => {
    const result = chiSquareHomogeneity(c.reference, c.current)
    expect(result.dof).toBe(c.dof)
    expectRelative(result.statistic, c.statistic, STATISTIC)
    expectRelative(result.pValue, c.pvalue, P_EXACT)
  })

  test('drops categories empty on both sides; one category left is no evidence of drift', () => {
    expect(chiSquareHomogeneity([5, 0, 3], [7, 0, 1])).toEqual(chiSquareHomogeneity([5, 3], [7, 1]))
    expect(chiSquareHomogeneity([5, 0], [7, 0])).toEqual({ statistic: 0, pValue: 1, dof: 0 })
  })
})

describe('chiSquareSurvival', () => {
  test('equals scipy chi2.sf for 1–30 degrees of freedom from x near 0 to the far tail, and for large dof', () => {
    const cases = golden.chi2_sf as { x: number; dof: number; value: number }[]
    expect(cases.length).toBeGreaterThan(500)
    for (const c of cases) expectRelative(chiSquareSurvival(c.x, c.dof), c.value, P_EXACT)
  })

  test('is 1 at x ≤ 0 and 0 at infinity', () => {
    expect(chiSquareSurvival(0, 3)).toBe(1)
    expect(chiSquareSurvival(-1, 3)).toBe(1)
    expect(chiSquareSurvival(Infinity, 3)).toBe(0)
  })
})

describe('distances between counts', () => {
  interface Case {
    name: string
    reference: number[]
    current: number[]
    value: number
    epsilon?: number
  }
  test.each(golden.psi as Case[])('PSI equals the numpy formula on $name', (c) => {
    const value = populationStabilityIndex(c.reference, c.current, c.epsilon)
    expect(Math.abs(value - c.value)).toBeLessThanOrEqual(STATISTIC * Math.max(c.value, 1e-300))
  })

  test('PSI floors a share of 0 at epsilon (1e-4 by default)', () => {
    const expected = (1e-4 - 0.5) * Math.log(1e-4 / 0.5) + (1 - 0.5) * Math.log(1 / 0.5)
    expect(populationStabilityIndex([1, 1], [0, 1])).toBeCloseTo(expected, 12)
  })

  test.each(golden.js as Case[])('Jensen–Shannon equals scipy jensenshannon(base=2) on $name', (c) => {
    expect(jensenShannonDistance(c.reference, c.current)).toBeCloseTo(c.value, 14)
  })
})

describe('wassersteinDistance', () => {
  type Case = SampleCase & { value: number }
  test.each(golden.wasserstein as Case[])('equals scipy wasserstein_distance on $name', (c) => {
    const value = wassersteinDistance(...samples(c))
    expect(Math.abs(value - c.value)).toBeLessThanOrEqual(STATISTIC * Math.max(c.value, 1e-300))
  })
})

describe('binning', () => {
  interface Case {
    name: string
    reference: number[]
    current: number[]
    bins: number
    edges: number[]
    reference_counts: number[]
    current_counts: number[]
  }
  test.each(golden.bins as Case[])('edges equal np.unique(np.quantile) and counts np.digitize(right=True) on $name', (c) => {
    const edges = quantileBinEdges(c.reference, c.bins)
    expect(edges).toEqual(c.edges)
    expect(binCounts(c.reference, edges)).toEqual(c.reference_counts)
    expect(binCounts(c.current, edges)).toEqual(c.current_counts)
  })

  test('bins are closed on the right', () => {
    expect(binCounts([1, 1.5, 2, 3], [1, 2])).toEqual([1, 2, 1])
    expect(binCounts([5], [])).toEqual([1])
  })
})

describe('bad input', () => {
  /** The ModeltestError `run` throws, for its what and fix. */
  function thrown(run: () => unknown): ModeltestError {
    try {
      run()
    } catch (error) {
      expect(error).toBeInstanceOf(ModeltestError)
      return error as ModeltestError
    }
    throw new Error('expected a ModeltestError')
  }

  test('empty or non-finite samples are refused, with a fix', () => {
    expect(thrown(() => ksTwoSample([], [1])).what).toBe('ksTwoSample: the reference sample is empty')
    expect(thrown(() => ksTwoSample([1], [])).what).toBe('ksTwoSample: the current sample is empty')
    const error = thrown(() => wassersteinDistance([1, NaN], [1]))
    expect(error.what).toBe('wassersteinDistance: reference value 1 is NaN')
    expect(error.fix).toMatch(/Drop or impute/)
    expect(thrown(() => ksTwoSample([1], [2, Infinity])).what).toBe('ksTwoSample: current value 1 is Infinity')
    expect(thrown(() => quantileBinEdges([])).what).toMatch(/reference sample is empty/)
    expect(thrown(() => binCounts([1, NaN], [0])).what).toMatch(/value 1 is NaN/)
  })

  test('misaligned, negative or all-zero counts are refused', () => {
    expect(thrown(() => chiSquareHomogeneity([1, 2], [1])).what).toBe('chiSquareHomogeneity: 2 reference counts but 1 current counts')
    expect(thrown(() => jensenShannonDistance([], [])).what).toMatch(/no bins/)
    expect(thrown(() => jensenShannonDistance([1, -1], [1, 2])).what).toBe('jensenShannonDistance: reference count 1 is -1')
    expect(thrown(() => populationStabilityIndex([1, NaN], [1, 2])).what).toMatch(/reference count 1 is NaN/)
    expect(thrown(() => populationStabilityIndex([0, 0], [1, 2])).what).toBe('populationStabilityIndex: the reference counts add up to 0')
    expect(thrown(() => chiSquareHomogeneity([1, 2], [0, 0])).what).toMatch(/current counts add up to 0/)
  })

  test('bad parameters are refused', () => {
    expect(thrown(() => populationStabilityIndex([1], [1], 0)).what).toMatch(/epsilon must be within 0 and 1/)
    expect(thrown(() => quantileBinEdges([1, 2, 3], 1)).what).toMatch(/bins must be a whole number ≥ 2/)
    expect(thrown(() => quantileBinEdges([1, 2, 3], 2.5)).what).toMatch(/bins must be a whole number ≥ 2/)
    expect(thrown(() => binCounts([1], [2, 1])).what).toMatch(/edge 1 \(1\) is not finite and above the edge before it/)
    expect(thrown(() => chiSquareSurvival(1, 0)).what).toMatch(/degrees of freedom must be a number > 0/)
    expect(thrown(() => chiSquareSurvival(NaN, 1)).what).toMatch(/x is NaN/)
    expect(thrown(() => kolmogorovSmirnovSurvival(0.1, 2.5)).what).toMatch(/n must be a whole number ≥ 1/)
    expect(thrown(() => kolmogorovSmirnovSurvival(NaN, 5)).what).toMatch(/d is NaN/)
  })
})
