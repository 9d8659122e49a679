// Loaded by vitest in every worker (the preset's setupFiles): registers modeltest's matchers, each to be awaited.
import { matchers, registerChecks } from '../../matchers/index.js'

registerChecks(matchers)
