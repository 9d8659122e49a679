import type { MatcherState } from 'vitest'
import { valuesBetweenCheck, type Mostly } from '../src/index.js'
import { expectDataset, recordCheck } from './shared.js'

/** `await expect(patients).toHaveValuesBetween('age', 0, 120, { mostly: 0.999 })`: numeric or date values within [min, max]; nulls are not counted. */
export async function toHaveValuesBetween(this: MatcherState, received: unknown, column: string, min: number | string | Date, max: number | string | Date, options: Mostly = {}) {
  const data = expectDataset(received, 'toHaveValuesBetween')
  return recordCheck(this, await valuesBetweenCheck(data, column, min, max, options, this.isNot))
}
