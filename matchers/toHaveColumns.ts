import type { MatcherState } from 'vitest'
import { schemaCheck } from '../src/index.js'
import { expectDataset, recordCheck } from './shared.js'

/** `await expect(train).toHaveColumns(['text', 'label'])`: every named column is present (others may be too). */
export async function toHaveColumns(this: MatcherState, received: unknown, columns: string[]) {
  const data = expectDataset(received, 'toHaveColumns')
  return recordCheck(this, await schemaCheck(data, columns, this.isNot))
}
