// Loaded by vitest in every worker (the preset's setupFiles): registers modeltest's matchers, each to be awaited.
import { expect } from 'vitest'
import { matchers } from '../../matchers/index.js'
import { requireAwait } from '../../matchers/shared.js'

expect.extend(matchers)
requireAwait(Object.keys(matchers))
