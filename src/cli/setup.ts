// Loaded by vitest in every worker (the preset's setupFiles): registers modeltest's matchers.
import { expect } from 'vitest'
import { matchers } from '../../matchers/index.js'

expect.extend(matchers)
