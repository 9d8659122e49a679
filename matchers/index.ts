import type { EvaluationOptions, LatencyCheckOptions, RegressionOptions } from '../src/index.js'
import { toHaveAtLeastRows } from './toHaveAtLeastRows.js'
import { toHaveClassBalance } from './toHaveClassBalance.js'
import { toHaveColumns } from './toHaveColumns.js'
import { toHaveNoNulls } from './toHaveNoNulls.js'
import { toHaveP95LatencyBelow } from './toHaveP95LatencyBelow.js'
import { toMeetAccuracy } from './toMeetAccuracy.js'
import { toNotRegressFrom } from './toNotRegressFrom.js'

/** Every modeltest matcher, for `expect.extend(matchers)`; the modeltest preset registers them. */
export const matchers = {
  toHaveColumns,
  toHaveNoNulls,
  toHaveAtLeastRows,
  toHaveClassBalance,
  toMeetAccuracy,
  toHaveP95LatencyBelow,
  toNotRegressFrom,
}

interface ModeltestMatchers<R = unknown> {
  /** Every named column is present. */
  toHaveColumns(columns: string[]): R
  /** No nulls in these columns (every column when none are named). */
  toHaveNoNulls(columns?: string[]): R
  /** At least `min` rows. */
  toHaveAtLeastRows(min: number): R
  /** The majority class holds at most `maxShare` (0.8 by default) of the labelled rows. */
  toHaveClassBalance(label: string, options?: { maxShare?: number }): R
  /** Accuracy on `on` is at least `min` (a fraction). Await it. */
  toMeetAccuracy(min: number, options: EvaluationOptions): Promise<void>
  /** The 95th percentile latency of one prediction call on `input` is at most `ms`. Await it. */
  toHaveP95LatencyBelow(ms: number, options: LatencyCheckOptions): Promise<void>
  /** Accuracy falls by at most `maxDrop` from the baseline model's on the same rows. Await it. */
  toNotRegressFrom(baseline: unknown, options: RegressionOptions): Promise<void>
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends ModeltestMatchers<T> {}
}
