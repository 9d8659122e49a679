import type { MatcherState } from 'vitest'
import { cloudWatchMetricCheck, type MetricCheckOptions } from '../src/index.js'
import { expectMetricSeries, recordCheck } from './shared.js'

/** `await expect(await cloudwatch.metric({ … })).toHaveMetricAbove(min)`: every data point of the period at least `min` (or its `reduce`). */
export async function toHaveMetricAbove(this: MatcherState, received: unknown, min: number, options?: MetricCheckOptions) {
  const series = expectMetricSeries(received, 'toHaveMetricAbove')
  return recordCheck(this, cloudWatchMetricCheck(series, min, 'above', options, this.isNot))
}
