import type { MatcherState } from 'vitest'
import { nullCheck } from '../src/index.js'
import { expectDataset, report } from './shared.js'

/** `expect(train).toHaveNoNulls(['text', 'label'])`: no nulls in these columns (every column by default). */
export function toHaveNoNulls(this: MatcherState, received: unknown, columns?: string[]) {
  const data = expectDataset(received, 'toHaveNoNulls')
  return report(this, nullCheck(data, columns, this.isNot))
}
