import type { MatcherState } from 'vitest'
import { metricCheck, type MetricOptions } from '../src/index.js'
import { expectModel, recordCheck } from './shared.js'

/** `await expect(candidate).toMeetMetric('f1', 0.8, { on: holdout, label: 'label', average: 'macro' })`: a named metric clears the threshold (at least, or at most for losses). */
export async function toMeetMetric(this: MatcherState, received: unknown, name: string, threshold: number, options: MetricOptions) {
  const model = expectModel(received, 'toMeetMetric')
  return recordCheck(this, await metricCheck(model, name, threshold, options, this.isNot))
}
