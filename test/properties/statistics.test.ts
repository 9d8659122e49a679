// Properties of the two-sample statistics: swapping the samples changes neither the statistic nor the
// p-value (KS, Mann-Whitney, chi-square, Jensen-Shannon, Wasserstein), and every p-value is a
// probability. Each property is also run against a deliberately broken function, to show that it
// would catch it.
import fc from 'fast-check'
import { describe, test } from 'vitest'
import { delongTest, mannWhitneyU, mcnemarExact } from '../../src/index.js'
import { chiSquareHomogeneity, jensenShannonDistance, ksTwoSample, wassersteinDistance } from '../../src/stats/drift.js'
import { binaryRows, catches, close, holds } from './arbitraries.js'

/** A sample of small whole numbers, so that ties are common. */
const sample = fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 30 })
/** Two aligned count vectors, each with at least one observation. */
const countPairs = fc
  .integer({ min: 2, max: 6 })
  .chain((k) => fc.tuple(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: k, maxLength: k }), fc.array(fc.integer({ min: 0, max: 50 }), { minLength: k, maxLength: k })))
  .filter(([a, b]) => a.some((count) => count > 0) && b.some((count) => count > 0))

type TwoSample<T> = (a: T, b: T) => number

function symmetric<T>(samples: fc.Arbitrary<[T, T]>, statistic: TwoSample<T>) {
  return fc.property(samples, ([a, b]) => close(statistic(a, b), statistic(b, a)))
}

function probability(pValue: () => fc.Arbitrary<number>) {
  return fc.property(pValue(), (p) => p >= 0 && p <= 1)
}

const twoSamples = fc.tuple(sample, sample)

/** The largest F_a(x) − F_b(x): only one side of KS's two-sided D. */
function oneSidedKs(a: number[], b: number[]): number {
  const cdf = (values: number[], x: number) => values.filter((v) => v <= x).length / values.length
  return Math.max(0, ...[...a, ...b].map((x) => cdf(a, x) - cdf(b, x)))
}

/** Kullback-Leibler divergence of the smoothed proportions: a divergence, not a distance. */
function kullbackLeibler(a: number[], b: number[]): number {
  const share = (counts: number[]) => counts.map((count) => (count + 0.5) / counts.reduce((sum, c) => sum + c + 0.5, 0))
  const [p, q] = [share(a), share(b)]
  return p.reduce((sum, pi, i) => sum + pi * Math.log(pi / q[i]), 0)
}

describe('swapping the two samples changes nothing', () => {
  test('KS statistic and p-value', () => {
    holds(symmetric(twoSamples, (a, b) => ksTwoSample(a, b).statistic))
    holds(symmetric(twoSamples, (a, b) => ksTwoSample(a, b).pValue))
  })
  test('Mann-Whitney two-sided p-value', () => holds(symmetric(twoSamples, (a, b) => mannWhitneyU(a, b).pValue)))
  test('chi-square statistic and p-value', () => {
    holds(symmetric(countPairs, (a, b) => chiSquareHomogeneity(a, b).statistic))
    holds(symmetric(countPairs, (a, b) => chiSquareHomogeneity(a, b).pValue))
  })
  test('Jensen-Shannon distance', () => holds(symmetric(countPairs, jensenShannonDistance)))
  test('Wasserstein distance', () => holds(symmetric(twoSamples, wassersteinDistance)))

  test('catches a KS that takes only one side of the difference of the CDFs', () => catches(symmetric(twoSamples, oneSidedKs)))
  test('catches a Mann-Whitney p-value of a one-sided alternative', () => catches(symmetric(twoSamples, (a, b) => mannWhitneyU(a, b, { alternative: 'greater' }).pValue)))
  test('catches Kullback-Leibler in place of Jensen-Shannon', () => catches(symmetric(countPairs, kullbackLeibler)))
  test('catches a Wasserstein distance that keeps the sign of the mean shift', () => {
    catches(symmetric(twoSamples, (a, b) => a.reduce((s, v) => s + v, 0) / a.length - b.reduce((s, v) => s + v, 0) / b.length))
  })
})

describe('every p-value is within [0, 1]', () => {
  test('KS', () => holds(probability(() => twoSamples.map(([a, b]) => ksTwoSample(a, b).pValue))))
  test('Mann-Whitney, each alternative', () => {
    for (const alternative of ['two-sided', 'less', 'greater'] as const) holds(probability(() => twoSamples.map(([a, b]) => mannWhitneyU(a, b, { alternative }).pValue)))
  })
  test('chi-square', () => holds(probability(() => countPairs.map(([a, b]) => chiSquareHomogeneity(a, b).pValue))))
  test('exact McNemar', () => holds(probability(() => fc.tuple(fc.nat(40), fc.nat(40)).map(([b, c]) => mcnemarExact(b, c).pValue))))
  test("DeLong's test of two score columns", () => {
    const twoModels = binaryRows.filter((rows) => Array.from(rows.labels).filter((label) => label === 1).length >= 2 && Array.from(rows.labels).filter((label) => label === 0).length >= 2)
    holds(
      probability(() =>
        twoModels.map((rows) => {
          const positive = Array.from({ length: rows.labels.length }, (_, i) => rows.scores.values[2 * i + 1])
          return delongTest(rows.labels, positive, Array.from(rows.predicted)).pValue
        }),
      ),
    )
  })
  test('catches a two-sided p-value doubled from one side without the cap at 1', () => {
    catches(probability(() => twoSamples.map(([a, b]) => 2 * mannWhitneyU(a, b, { alternative: 'less' }).pValue)))
  })
})
