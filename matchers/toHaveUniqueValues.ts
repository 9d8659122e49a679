import type { MatcherState } from 'vitest'
import { uniqueCheck } from '../src/index.js'
import { expectDataset, report } from './shared.js'

/** `await expect(users).toHaveUniqueValues(['id'])`: no two rows share these columns' values (a key). */
export async function toHaveUniqueValues(this: MatcherState, received: unknown, columns: string[]) {
  const data = expectDataset(received, 'toHaveUniqueValues')
  return report(this, await uniqueCheck(data, columns, this.isNot))
}
