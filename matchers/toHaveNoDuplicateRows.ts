import type { MatcherState } from 'vitest'
import { noDuplicateRowsCheck } from '../src/index.js'
import { expectDataset, recordCheck } from './shared.js'

/** `await expect(train).toHaveNoDuplicateRows()`: no row appears twice. */
export async function toHaveNoDuplicateRows(this: MatcherState, received: unknown) {
  const data = expectDataset(received, 'toHaveNoDuplicateRows')
  return recordCheck(this, await noDuplicateRowsCheck(data, this.isNot))
}
