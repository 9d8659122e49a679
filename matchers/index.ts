import type { ColumnType, Dataset, DriftOptions, Row, EvaluationOptions, MetricCheckOptions, MetricOptions, SnapshotTolerance, LatencyCheckOptions, Mostly, RegressionOptions } from '../src/index.js'
import { toBeDeterministic } from './toBeDeterministic.js'
import { toBeInvariantTo } from './toBeInvariantTo.js'
import { toHaveAtLeastRows } from './toHaveAtLeastRows.js'
import { toHaveClassBalance } from './toHaveClassBalance.js'
import { toHaveColumns } from './toHaveColumns.js'
import { toHaveMetricAbove } from './toHaveMetricAbove.js'
import { toHaveMetricBelow } from './toHaveMetricBelow.js'
import { toHaveMinClassCount } from './toHaveMinClassCount.js'
import { toHaveNoDuplicateRows } from './toHaveNoDuplicateRows.js'
import { toHaveNoDriftFrom } from './toHaveNoDriftFrom.js'
import { toHaveNoNulls } from './toHaveNoNulls.js'
import { toHaveNoOverlapWith } from './toHaveNoOverlapWith.js'
import { toHaveOutputShape } from './toHaveOutputShape.js'
import { toHaveP95LatencyBelow } from './toHaveP95LatencyBelow.js'
import { toHaveThroughputAbove } from './toHaveThroughputAbove.js'
import { toHaveUniqueValues } from './toHaveUniqueValues.js'
import { toHaveValuesBetween } from './toHaveValuesBetween.js'
import { toHaveValuesIn } from './toHaveValuesIn.js'
import { toMatchPattern } from './toMatchPattern.js'
import { toMatchProfileSnapshot } from './toMatchProfileSnapshot.js'
import { toMatchSchema } from './toMatchSchema.js'
import { toMeetAccuracy } from './toMeetAccuracy.js'
import { toMeetMetric } from './toMeetMetric.js'
import { toNotRegressFrom } from './toNotRegressFrom.js'
import { toProduceFiniteOutputs } from './toProduceFiniteOutputs.js'
import { toUseMemoryBelow } from './toUseMemoryBelow.js'
import { withCallSite } from './shared.js'

export { defineCheck, registerChecks, type CheckDefinition, type CheckOutcome } from './define-check.js'
export { recordCheck, expectDataset, expectModel } from './shared.js'

/** Every modeltest matcher, for `expect.extend(matchers)`; the modeltest preset registers them. */
export const matchers = withCallSite({
  toHaveColumns,
  toMatchSchema,
  toHaveNoNulls,
  toHaveAtLeastRows,
  toHaveValuesBetween,
  toHaveValuesIn,
  toMatchPattern,
  toHaveUniqueValues,
  toHaveNoDuplicateRows,
  toHaveClassBalance,
  toHaveMinClassCount,
  toHaveNoOverlapWith,
  toHaveNoDriftFrom,
  toMatchProfileSnapshot,
  toMeetAccuracy,
  toMeetMetric,
  toHaveP95LatencyBelow,
  toHaveThroughputAbove,
  toUseMemoryBelow,
  toNotRegressFrom,
  toProduceFiniteOutputs,
  toHaveOutputShape,
  toBeInvariantTo,
  toBeDeterministic,
  toHaveMetricBelow,
  toHaveMetricAbove,
})

/** Every modeltest matcher reads data or runs a model: await it, or return it from the test. */
interface ModeltestMatchers {
  /** Every named column is present. */
  toHaveColumns(columns: string[]): Promise<void>
  /** These columns with these types (int, float, string, bool, date), and no others unless allowExtra. */
  toMatchSchema(schema: Record<string, ColumnType>, options?: { allowExtra?: boolean }): Promise<void>
  /** No nulls in these columns (every column when none are named); with mostly, at least that fraction non-null. */
  toHaveNoNulls(columns?: string[], options?: Mostly): Promise<void>
  /** At least `min` rows. */
  toHaveAtLeastRows(min: number): Promise<void>
  /** Numeric or date values within [min, max]; with mostly, at least that fraction. */
  toHaveValuesBetween(column: string, min: number | string | Date, max: number | string | Date, options?: Mostly): Promise<void>
  /** Every non-null value is one of `allowed`. */
  toHaveValuesIn(column: string, allowed: (string | number | boolean)[], options?: Mostly): Promise<void>
  /** Every non-null value matches the regular expression. */
  toMatchPattern(column: string, pattern: RegExp | string, options?: Mostly): Promise<void>
  /** No two rows share these columns' values. */
  toHaveUniqueValues(columns: string[]): Promise<void>
  /** No row appears twice. */
  toHaveNoDuplicateRows(): Promise<void>
  /** The majority class holds at most `maxShare` (0.8 by default) of the labelled rows. */
  toHaveClassBalance(label: string, options?: { maxShare?: number }): Promise<void>
  /** Every class has at least `min` rows. */
  toHaveMinClassCount(label: string, min: number): Promise<void>
  /** No row also appears in `other` (compared on `on`, or every shared column). */
  toHaveNoOverlapWith(other: unknown, options?: { on?: string[] }): Promise<void>
  /** No column's distribution moved from the reference beyond the test's threshold. */
  toHaveNoDriftFrom(reference: unknown, options?: DriftOptions): Promise<void>
  /** The profile stays within tolerance of the snapshot stored beside the test (written on first run, -u updates). */
  toMatchProfileSnapshot(tolerance?: SnapshotTolerance): Promise<void>
  /** Accuracy on `on` is at least `min` (a fraction). */
  toMeetAccuracy(min: number, options: EvaluationOptions): Promise<void>
  /** A named metric (accuracy, balanced_accuracy, precision, recall, f1, roc_auc, average_precision, log_loss, brier, ece, mae, rmse, r2, mape, or one added with registerMetric) clears the threshold: at least, or at most for losses and errors. */
  toMeetMetric(name: string, threshold: number, options: MetricOptions): Promise<void>
  /** The 95th percentile latency of one prediction call on `input` is at most `ms`. */
  toHaveP95LatencyBelow(ms: number, options: LatencyCheckOptions): Promise<void>
  /** Rows per second in batches of `batchSize` (mean over the timed calls) is at least `rowsPerSecond`. */
  toHaveThroughputAbove(rowsPerSecond: number, options: LatencyCheckOptions): Promise<void>
  /** Predicting on `input` adds at most `maxMiB` to the process's peak RSS; GPU memory is recorded (or skipped without a GPU). */
  toUseMemoryBelow(maxMiB: number, options: { input: Dataset; runs?: number }): Promise<void>
  /** No NaN or Inf among the model's outputs on `input`. */
  toProduceFiniteOutputs(input: Dataset): Promise<void>
  /** The output on `input` is [rows, width]; null accepts any size. */
  toHaveOutputShape(shape: (number | null)[], options: { input: Dataset }): Promise<void>
  /** Perturbed rows keep their predicted class: the flip rate is at most `maxFlipRate` (0 by default). */
  toBeInvariantTo(perturb: (row: Row) => Row, options: { on: Dataset; maxFlipRate?: number }): Promise<void>
  /** Two predictions of the same rows give the same scores (within `tolerance`). */
  toBeDeterministic(input: Dataset, options?: { tolerance?: number }): Promise<void>
  /** Accuracy falls by at most `maxDrop` from the baseline model's on the same rows. */
  toNotRegressFrom(baseline: unknown, options: RegressionOptions): Promise<void>
  /** A CloudWatch metric from cloudwatch.metric(): every data point of the period at most `max` (with reduce: their max, min, mean or last); none fails. */
  toHaveMetricBelow(max: number, options?: MetricCheckOptions): Promise<void>
  /** A CloudWatch metric from cloudwatch.metric(): every data point of the period at least `min` (with reduce: their max, min, mean or last); none fails. */
  toHaveMetricAbove(min: number, options?: MetricCheckOptions): Promise<void>
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars, @typescript-eslint/no-explicit-any -- merges into vitest's Matchers<T = any>, whose parameters it must repeat
  interface Matchers<T = any> extends ModeltestMatchers {}
}
