import type { MatcherState } from 'vitest'
import { cloudWatchMetricCheck, type MetricCheckOptions } from '../src/index.js'
import { expectMetricSeries, recordCheck } from './shared.js'

/** `await expect(await cloudwatch.metric({ … })).toHaveMetricBelow(max)`: every data point of the period at most `max` (or its `reduce`). */
export async function toHaveMetricBelow(this: MatcherState, received: unknown, max: number, options?: MetricCheckOptions) {
  const series = expectMetricSeries(received, 'toHaveMetricBelow')
  return recordCheck(this, cloudWatchMetricCheck(series, max, 'below', options, this.isNot))
}
