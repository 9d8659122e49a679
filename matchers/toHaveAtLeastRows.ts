import type { MatcherState } from 'vitest'
import { minRowsCheck } from '../src/index.js'
import { expectDataset, recordCheck } from './shared.js'

/** `await expect(train).toHaveAtLeastRows(1000)`: at least this many rows. */
export async function toHaveAtLeastRows(this: MatcherState, received: unknown, min: number) {
  const data = expectDataset(received, 'toHaveAtLeastRows')
  return recordCheck(this, await minRowsCheck(data, min, this.isNot))
}
