import type { MatcherState } from 'vitest'
import { overlapCheck } from '../src/index.js'
import { checkOptionKeys } from '../src/guard.js'
import { expectDataset, recordCheck } from './shared.js'

/** `await expect(train).toHaveNoOverlapWith(holdout, { on: ['text'] })`: no row of train appears in holdout (leakage); all shared columns by default. */
export async function toHaveNoOverlapWith(this: MatcherState, received: unknown, other: unknown, options: { on?: string[] } = {}) {
  const data = expectDataset(received, 'toHaveNoOverlapWith')
  const reference = expectDataset(other, 'toHaveNoOverlapWith (other)')
  checkOptionKeys(options, ['on'], 'toHaveNoOverlapWith')
  return recordCheck(this, await overlapCheck(data, reference, options.on, this.isNot))
}
