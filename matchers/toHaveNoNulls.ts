import type { MatcherState } from 'vitest'
import { nullCheck, type Mostly } from '../src/index.js'
import { expectDataset, recordCheck } from './shared.js'

/** `await expect(train).toHaveNoNulls(['text', 'label'], { mostly: 0.99 })`: no nulls in these columns (every column by default); with `mostly`, at least that fraction non-null. */
export async function toHaveNoNulls(this: MatcherState, received: unknown, columns?: string[], options: Mostly = {}) {
  const data = expectDataset(received, 'toHaveNoNulls')
  return recordCheck(this, await nullCheck(data, columns, options, this.isNot))
}
