import type { MatcherState } from 'vitest'
import { finiteOutputsCheck, type Dataset } from '../src/index.js'
import { expectModel, recordCheck } from './shared.js'

/** `await expect(candidate).toProduceFiniteOutputs(holdout.head(64))`: no NaN or Inf in the model's outputs. */
export async function toProduceFiniteOutputs(this: MatcherState, received: unknown, input: Dataset) {
  const model = expectModel(received, 'toProduceFiniteOutputs')
  return recordCheck(this, await finiteOutputsCheck(model, input, this.isNot))
}
