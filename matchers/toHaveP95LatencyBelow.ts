import type { MatcherState } from 'vitest'
import { latencyCheck, type LatencyCheckOptions } from '../src/index.js'
import { expectModel, recordCheck } from './shared.js'

/** `await expect(candidate).toHaveP95LatencyBelow(50, { input: holdout.head(1) })`: p95 of one call ≤ ms. */
export async function toHaveP95LatencyBelow(this: MatcherState, received: unknown, ms: number, options: LatencyCheckOptions) {
  const model = expectModel(received, 'toHaveP95LatencyBelow')
  return recordCheck(this, await latencyCheck(model, ms, options, this.isNot))
}
