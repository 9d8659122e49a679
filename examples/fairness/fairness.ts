// A domain check of this project's own: the accuracy gap between two slices of the rows (reviews from
// two sites). defineCheck makes it a matcher whose result is a check record like a built-in one, so
// every modeltest report lists it.
import { bootstrapInterval, classify, type Dataset } from 'modeltest'
import { defineCheck, expectModel } from 'modeltest/matchers'

export interface GapOptions {
  on: Dataset
  label: string
  /** The column that names each row's slice. */
  by: string
  /** The two slices compared. */
  between: [string, string]
}

/** `await expect(model).toHaveAccuracyGapBelow(0.1, { on, label, by: 'site', between: ['imdb', 'yelp'] })`: |accuracy(a) − accuracy(b)| ≤ maxGap. */
export const toHaveAccuracyGapBelow = defineCheck({
  name: 'fairness_accuracy_gap',
  kind: 'model',
  async evaluate(received, maxGap: number, { on, label, by, between }: GapOptions) {
    const model = expectModel(received, 'toHaveAccuracyGapBelow')
    const [{ labels, predicted }, slices] = await Promise.all([classify(model, on, label), on.column(by)])
    const rows = between.map((slice) => slices.flatMap((value, row) => (value === slice ? [row] : [])))
    const accuracyOf = (indices: ArrayLike<number>) => Array.from(indices).filter((row) => labels[row] === predicted[row]).length / indices.length
    const gapOf = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.abs(accuracyOf(a) - accuracyOf(b))
    const [a, b] = rows
    const gap = gapOf(a, b)
    // Resampled within each slice: both keep their size, as in the data.
    const both = [...a, ...b]
    const interval = bootstrapInterval(
      both.length,
      (indices) =>
        gapOf(
          Array.from(indices.subarray(0, a.length), (i) => both[i]),
          Array.from(indices.subarray(a.length), (i) => both[i]),
        ),
      { strata: both.map((_, i) => (i < a.length ? 0 : 1)) },
    )
    const [accuracyA, accuracyB] = [accuracyOf(a), accuracyOf(b)]
    return {
      actual: gap,
      threshold: maxGap,
      comparator: '<=' as const,
      n: both.length,
      interval,
      message: `Accuracy gap ${between[0]} ${accuracyA.toFixed(4)} vs ${between[1]} ${accuracyB.toFixed(4)}: ${gap.toFixed(4)} ${gap <= maxGap ? '≤' : '>'} ${maxGap} (95% CI ${interval.low.toFixed(4)}–${interval.high.toFixed(4)}, n=${a.length}+${b.length})`,
      details: { by, [between[0]]: accuracyA, [between[1]]: accuracyB },
    }
  },
})

declare module 'vitest' {
  interface Matchers {
    toHaveAccuracyGapBelow(maxGap: number, options: GapOptions): Promise<void>
  }
}
