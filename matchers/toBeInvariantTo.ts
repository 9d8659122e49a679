import type { MatcherState } from 'vitest'
import { invarianceCheck, type Dataset, type Row } from '../src/index.js'
import { expectModel, recordCheck } from './shared.js'

/** `await expect(candidate).toBeInvariantTo((row) => ({ ...row, text: row.text + '!' }), { on: holdout, maxFlipRate: 0.02 })`: perturbed rows keep their predicted class. */
export async function toBeInvariantTo(this: MatcherState, received: unknown, perturb: (row: Row) => Row, options: { on: Dataset; maxFlipRate?: number }) {
  const model = expectModel(received, 'toBeInvariantTo')
  return recordCheck(this, await invarianceCheck(model, perturb, options, this.isNot))
}
