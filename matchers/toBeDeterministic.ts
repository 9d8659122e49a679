import type { MatcherState } from 'vitest'
import { determinismCheck, type Dataset } from '../src/index.js'
import { expectModel, recordCheck } from './shared.js'

/** `await expect(candidate).toBeDeterministic(holdout.head(32))`: two predictions of the same rows give the same scores (within `tolerance`). */
export async function toBeDeterministic(this: MatcherState, received: unknown, input: Dataset, options: { tolerance?: number } = {}) {
  const model = expectModel(received, 'toBeDeterministic')
  return recordCheck(this, await determinismCheck(model, input, options, this.isNot))
}
