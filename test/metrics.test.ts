import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { accuracy, percentile, percentiles, predictedClasses } from '../src/index.js'
import { repoRoot } from './helpers.js'

// Computed by scikit-learn and numpy: test/golden/make_golden.py.
const golden = JSON.parse(readFileSync(join(repoRoot, 'test', 'golden', 'golden.json'), 'utf8'))

describe('accuracy', () => {
  test.each(golden.accuracy as { name: string; labels: number[]; predicted: number[]; expected: number }[])('equals scikit-learn accuracy_score on $name', ({ labels, predicted, expected }) => {
    expect(accuracy(labels, predicted)).toBeCloseTo(expected, 12)
  })

  test('refuses unpaired or empty inputs', () => {
    expect(() => accuracy([1, 0], [1])).toThrow(/2 labels but 1 predictions/)
    expect(() => accuracy([], [])).toThrow(/no rows to score/)
  })
})

describe('percentile', () => {
  test.each(golden.percentile as { name: string; samples: number[]; q: number[]; expected: number[] }[])('equals numpy.percentile (linear) on $name', ({ samples, q, expected }) => {
    const values = percentiles(samples, q)
    values.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 10))
    expect(percentile(samples, 95)).toBeCloseTo(expected[q.indexOf(95)], 10)
  })

  test('refuses no samples, non-finite samples and q outside 0–100', () => {
    expect(() => percentile([], 50)).toThrow(/no samples/)
    expect(() => percentile([1, NaN], 50)).toThrow(/sample 1 is NaN/)
    expect(() => percentile([1, 2], 101)).toThrow(/within 0 and 100/)
  })
})

describe('predictedClasses', () => {
  test('takes the argmax of class scores, the first on ties', () => {
    expect([...predictedClasses({ rows: 3, width: 3, values: [0.1, 0.7, 0.2, 0.5, 0.5, 0, 0, 0, 1] })]).toEqual([1, 0, 2])
  })

  test('thresholds a single score per row at 0.5', () => {
    expect([...predictedClasses({ rows: 4, width: 1, values: [0.2, 0.5, 0.9, 0.49] })]).toEqual([0, 1, 1, 0])
  })
})
