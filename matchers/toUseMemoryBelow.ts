import type { MatcherState } from 'vitest'
import { memoryCheck, type Dataset } from '../src/index.js'
import { expectModel, recordCheck } from './shared.js'

/** `await expect(candidate).toUseMemoryBelow(500, { input: holdout })`: predicting adds at most this many MiB to peak RSS (GPU memory recorded, or skipped without a GPU). */
export async function toUseMemoryBelow(this: MatcherState, received: unknown, maxMiB: number, options: { input: Dataset; runs?: number }) {
  const model = expectModel(received, 'toUseMemoryBelow')
  return recordCheck(this, await memoryCheck(model, maxMiB, options, this.isNot))
}
