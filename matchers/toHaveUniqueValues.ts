import type { MatcherState } from 'vitest'
import { uniqueCheck } from '../src/index.js'
import { expectDataset, recordCheck } from './shared.js'

/** `await expect(users).toHaveUniqueValues(['id'])`: no two rows share these columns' values (a key). */
export async function toHaveUniqueValues(this: MatcherState, received: unknown, columns: string[]) {
  const data = expectDataset(received, 'toHaveUniqueValues')
  return recordCheck(this, await uniqueCheck(data, columns, this.isNot))
}
