import type { MatcherState } from 'vitest'
import { throughputCheck, type LatencyCheckOptions } from '../src/index.js'
import { expectModel, recordCheck } from './shared.js'

/** `await expect(candidate).toHaveThroughputAbove(1000, { input: holdout, batchSize: 64 })`: rows per second in batches of batchSize. */
export async function toHaveThroughputAbove(this: MatcherState, received: unknown, rowsPerSecond: number, options: LatencyCheckOptions) {
  const model = expectModel(received, 'toHaveThroughputAbove')
  return recordCheck(this, await throughputCheck(model, rowsPerSecond, options, this.isNot))
}
