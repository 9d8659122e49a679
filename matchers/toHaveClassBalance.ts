import type { MatcherState } from 'vitest'
import { classBalanceCheck } from '../src/index.js'
import { expectDataset, report } from './shared.js'

/** `expect(train).toHaveClassBalance('label', { maxShare: 0.8 })`: no class holds more than maxShare of the rows. */
export function toHaveClassBalance(this: MatcherState, received: unknown, label: string, options: { maxShare?: number } = {}) {
  const data = expectDataset(received, 'toHaveClassBalance')
  return report(this, classBalanceCheck(data, label, options.maxShare, this.isNot))
}
