import type { MatcherState } from 'vitest'
import { minRowsCheck } from '../src/index.js'
import { expectDataset, report } from './shared.js'

/** `expect(train).toHaveAtLeastRows(1000)`: at least this many rows. */
export function toHaveAtLeastRows(this: MatcherState, received: unknown, min: number) {
  const data = expectDataset(received, 'toHaveAtLeastRows')
  return report(this, minRowsCheck(data, min, this.isNot))
}
