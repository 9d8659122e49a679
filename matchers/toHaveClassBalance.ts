import type { MatcherState } from 'vitest'
import { classBalanceCheck } from '../src/index.js'
import { checkOptionKeys } from '../src/guard.js'
import { expectDataset, recordCheck } from './shared.js'

/** `await expect(train).toHaveClassBalance('label', { maxShare: 0.8 })`: no class holds more than maxShare of the labelled rows. */
export async function toHaveClassBalance(this: MatcherState, received: unknown, label: string, options: { maxShare?: number } = {}) {
  const data = expectDataset(received, 'toHaveClassBalance')
  checkOptionKeys(options, ['maxShare'], 'toHaveClassBalance')
  return recordCheck(this, await classBalanceCheck(data, label, options.maxShare, this.isNot))
}
