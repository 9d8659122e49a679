import type { MatcherState } from 'vitest'
import { outputShapeCheck, type Dataset } from '../src/index.js'
import { expectModel, recordCheck } from './shared.js'

/** `await expect(candidate).toHaveOutputShape([null, 2], { input: holdout.head(4) })`: the output is [rows, width]; null accepts any size. */
export async function toHaveOutputShape(this: MatcherState, received: unknown, shape: (number | null)[], options: { input: Dataset }) {
  const model = expectModel(received, 'toHaveOutputShape')
  return recordCheck(this, await outputShapeCheck(model, shape, options?.input, this.isNot))
}
