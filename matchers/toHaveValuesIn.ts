import type { MatcherState } from 'vitest'
import { valuesInCheck, type Mostly } from '../src/index.js'
import { expectDataset, recordCheck } from './shared.js'

/** `await expect(train).toHaveValuesIn('label', [0, 1])`: every non-null value is one of these. */
export async function toHaveValuesIn(this: MatcherState, received: unknown, column: string, allowed: (string | number | boolean)[], options: Mostly = {}) {
  const data = expectDataset(received, 'toHaveValuesIn')
  return recordCheck(this, await valuesInCheck(data, column, allowed, options, this.isNot))
}
