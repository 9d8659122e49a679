import type { MatcherState } from 'vitest'
import { matchSchemaCheck, type ColumnType } from '../src/index.js'
import { expectDataset, recordCheck } from './shared.js'

/** `await expect(train).toMatchSchema({ text: 'string', label: 'int' })`: these columns with these types, and no others unless `{ allowExtra: true }`. */
export async function toMatchSchema(this: MatcherState, received: unknown, schema: Record<string, ColumnType>, options: { allowExtra?: boolean } = {}) {
  const data = expectDataset(received, 'toMatchSchema')
  return recordCheck(this, await matchSchemaCheck(data, schema, options, this.isNot))
}
