import type { MatcherState } from 'vitest'
import { ModeltestError, formatValues, isDataset, isModel, type CheckRecord, type Dataset, type Model } from '../src/index.js'

declare module 'vitest' {
  interface TaskMeta {
    /** The check records of this test, read by modeltest's reporters. */
    modeltest?: CheckRecord[]
  }
}

/** Guard: the received value is a dataset from `dataset()`. */
export function expectDataset(received: unknown, matcher: string): Dataset {
  if (isDataset(received)) return received
  throw new ModeltestError({
    what: `${matcher} expects a dataset, got ${describe(received)}`,
    fix: `Load it first: expect(await dataset('data/train.csv')).${matcher}(…)`,
  })
}

/** Guard: the received value is a model from `model()`. */
export function expectModel(received: unknown, matcher: string): Model {
  if (isModel(received)) return received
  throw new ModeltestError({
    what: `${matcher} expects a model, got ${describe(received)}`,
    fix: `Load it first: expect(await model('models/candidate/model.json', { preprocess })).${matcher}(…)`,
  })
}

const CALL_SITE = Symbol('modeltest call site')
type StateWithCallSite = MatcherState & { [CALL_SITE]?: string }

/**
 * Wraps matchers so that each call notes its call site. It must be taken synchronously, while the
 * test's own frame is still on the stack: matchers are async, and after their first await the stack
 * no longer reaches the assertion. vitest gives every matcher call a fresh state object to carry it.
 */
export function withCallSite<T extends Record<string, (this: MatcherState, ...args: never[]) => unknown>>(matchers: T): T {
  const wrapped: Record<string, unknown> = {}
  for (const [name, matcher] of Object.entries(matchers)) {
    wrapped[name] = function (this: StateWithCallSite, ...args: never[]) {
      const limit = Error.stackTraceLimit
      Error.stackTraceLimit = 50
      this[CALL_SITE] = new Error().stack
      Error.stackTraceLimit = limit
      return matcher.apply(this, args)
    }
  }
  return wrapped as T
}

/** The assertion's line in the test file, from the call site noted by withCallSite. */
function assertionLocation(state: StateWithCallSite): CheckRecord['location'] {
  const file = state.testPath
  if (!file || !state[CALL_SITE]) return undefined
  for (const frame of state[CALL_SITE].split('\n')) {
    const at = frame.lastIndexOf(file)
    if (at < 0) continue
    const position = /^:(\d+):(\d+)/.exec(frame.slice(at + file.length))
    if (position) return { file, line: Number(position[1]), column: Number(position[2]) }
  }
  return undefined
}

/**
 * Records a check on the running test (task meta for modeltest's reporters, an annotation for
 * vitest's own JUnit output) and words the matcher's result, the same way for every matcher.
 */
export function report(state: MatcherState, record: CheckRecord): { pass: boolean; message: () => string } {
  const task = state.task
  if (task) {
    const location = assertionLocation(state)
    ;((task.meta as { modeltest?: CheckRecord[] }).modeltest ??= []).push(location ? { ...record, location } : record)
    void task.context.annotate(record.message, record.name)
  }
  return {
    // vitest inverts `pass` under `.not`; the record already holds the outcome with `.not` applied.
    pass: state.isNot ? !record.passed : record.passed,
    message: () => failureMessage(record, state.isNot),
  }
}

function failureMessage(record: CheckRecord, isNot: boolean): string {
  const required = `required: actual ${record.comparator} threshold${isNot ? ', from .not' : ''}`
  const [actual, threshold] = formatValues(record.actual, record.threshold)
  return `${record.name}: ${record.message}\n  Actual: ${actual}, Threshold: ${threshold} (${required})`
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (value instanceof Promise) return 'a Promise (add await)'
  return typeof value === 'object' ? `a ${value.constructor?.name ?? 'object'}` : `${typeof value} ${String(value)}`
}
