import type { MatcherState } from 'vitest'
import { patternCheck, type Mostly } from '../src/index.js'
import { expectDataset, recordCheck } from './shared.js'

/** `await expect(users).toMatchPattern('email', /^[^@\s]+@[^@\s]+$/)`: every non-null value matches (JavaScript RegExp). */
export async function toMatchPattern(this: MatcherState, received: unknown, column: string, pattern: RegExp | string, options: Mostly = {}) {
  const data = expectDataset(received, 'toMatchPattern')
  return recordCheck(this, await patternCheck(data, column, pattern, options, this.isNot))
}
