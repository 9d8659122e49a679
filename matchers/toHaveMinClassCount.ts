import type { MatcherState } from 'vitest'
import { minClassCountCheck } from '../src/index.js'
import { expectDataset, recordCheck } from './shared.js'

/** `await expect(train).toHaveMinClassCount('label', 50)`: every class has at least this many rows. */
export async function toHaveMinClassCount(this: MatcherState, received: unknown, label: string, min: number) {
  const data = expectDataset(received, 'toHaveMinClassCount')
  return recordCheck(this, await minClassCountCheck(data, label, min, this.isNot))
}
