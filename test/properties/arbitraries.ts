// Generators and settings shared by the property tests: small seeded runs, so that a failure
// reproduces and the whole set takes seconds.
import fc from 'fast-check'
import { expect } from 'vitest'
import { mulberry32, type Evaluation } from '../../src/index.js'

/** Fixed seed and a modest number of runs for every property. */
const RUNS = { seed: 17, numRuns: 60 } as const

/** Rows of a binary classifier: labels 0/1 (both present), class-1 probabilities on a grid of hundredths (ties happen), predicted classes. */
export const binaryRows: fc.Arbitrary<Evaluation> = fc
  .array(fc.record({ label: fc.integer({ min: 0, max: 1 }), hundredths: fc.integer({ min: 1, max: 99 }), flip: fc.boolean() }), { minLength: 4, maxLength: 40 })
  .filter((rows) => rows.some((row) => row.label === 0) && rows.some((row) => row.label === 1))
  .map((rows) => ({
    labels: rows.map((row) => row.label),
    // Not always the argmax: a predicted class of its own keeps the class metrics apart from the score metrics.
    predicted: rows.map((row) => (row.flip ? 1 - Number(row.hundredths > 50) : Number(row.hundredths > 50))),
    scores: { rows: rows.length, width: 2, values: Float64Array.from(rows.flatMap((row) => [1 - row.hundredths / 100, row.hundredths / 100])) },
  }))

/** Rows of a three-class classifier: every class present, probabilities that sum to 1. */
export const multiclassRows: fc.Arbitrary<Evaluation> = fc
  .array(fc.record({ label: fc.integer({ min: 0, max: 2 }), weights: fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 })), predicted: fc.integer({ min: 0, max: 2 }) }), {
    minLength: 6,
    maxLength: 40,
  })
  .filter((rows) => [0, 1, 2].every((k) => rows.some((row) => row.label === k)))
  .map((rows) => ({
    labels: rows.map((row) => row.label),
    predicted: rows.map((row) => row.predicted),
    scores: { rows: rows.length, width: 3, values: Float64Array.from(rows.flatMap(({ weights }) => weights.map((w) => w / (weights[0] + weights[1] + weights[2])))) },
  }))

/** Rows of a regression: positive targets (MAPE divides by them), not all equal (R²), and predictions. */
export const regressionRows: fc.Arbitrary<Evaluation> = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 1000 })), { minLength: 3, maxLength: 40 })
  .filter((pairs) => pairs.some(([y]) => y !== pairs[0][0]))
  .map((pairs) => ({ labels: pairs.map(([y]) => y), predicted: pairs.map(([, p]) => p), scores: { rows: pairs.length, width: 1, values: Float64Array.from(pairs, ([, p]) => p) } }))

/** The same rows in the order `order` (a permutation of their indices). */
export function reordered(rows: Evaluation, order: readonly number[]): Evaluation {
  const { width, values } = rows.scores
  return {
    labels: order.map((i) => rows.labels[i]),
    predicted: order.map((i) => rows.predicted[i]),
    scores: { rows: order.length, width, values: Float64Array.from(order.flatMap((i) => Array.from(values.subarray(i * width, (i + 1) * width)))) },
  }
}

/** A permutation of 0…n−1 drawn with a seeded Fisher–Yates shuffle. */
export function permutation(n: number, seed: number): number[] {
  const random = mulberry32(seed)
  const order = Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[order[i], order[j]] = [order[j], order[i]]
  }
  return order
}

/** Equal up to the rounding a different order of summation leaves. */
export function close(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))
}

/** The property holds for the real function. */
export function holds<T>(property: fc.IProperty<T>): void {
  fc.assert(property, RUNS)
}

/** fast-check finds a counterexample to the property: it catches the broken function it was given. */
export function catches<T>(property: fc.IProperty<T>): void {
  expect(fc.check(property, RUNS).failed).toBe(true)
}
