import { chai, type MatcherState } from 'vitest'
import { describeValue } from '../src/guard.js'
import { ModeltestError, formatValues, isDataset, isMetricSeries, isModel, validateCheck, type CheckRecord, type Dataset, type MetricSeries, type Model } from '../src/index.js'

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
    what: `${matcher} expects a dataset, got ${describeValue(received)}`,
    fix: `Load it first: expect(await dataset('data/train.csv')).${matcher}(…)`,
  })
}

/** Guard: the received value is a model from `model()`. */
export function expectModel(received: unknown, matcher: string): Model {
  if (isModel(received)) return received
  throw new ModeltestError({
    what: `${matcher} expects a model, got ${describeValue(received)}`,
    fix: `Load it first: expect(await model('models/candidate/model.json', { preprocess })).${matcher}(…)`,
  })
}

/** Guard: the received value is a metric's data points from `cloudwatch.metric()`. */
export function expectMetricSeries(received: unknown, matcher: string): MetricSeries {
  if (isMetricSeries(received)) return received
  throw new ModeltestError({
    what: `${matcher} expects a CloudWatch metric, got ${describeValue(received)}`,
    fix: `Read it first: expect(await cloudwatch.metric({ namespace: 'AWS/SageMaker', name: 'ModelLatency', dimensions, since: '7d' })).${matcher}(…)`,
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
  return Object.fromEntries(Object.entries(matchers).map(([name, matcher]) => [name, notingCallSite(matcher)])) as T
}

/** One matcher that notes its call site (see withCallSite); one that already does is returned as it is. */
export function notingCallSite<A extends unknown[], R>(matcher: (this: MatcherState, ...args: A) => R): (this: MatcherState, ...args: A) => R {
  if (CALL_SITE in matcher) return matcher
  const noting = function (this: StateWithCallSite, ...args: A) {
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 50
    this[CALL_SITE] = new Error().stack
    Error.stackTraceLimit = limit
    return matcher.apply(this, args)
  }
  return Object.assign(noting, { [CALL_SITE]: true })
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
 * vitest's own JUnit output) and words the matcher's result, the same way for every matcher, the
 * built-in ones and a user's own: return it from a matcher. A record reports could not render
 * (no name, an unknown kind, a non-finite actual) is refused with a ModeltestError naming the check.
 *
 *     return recordCheck(this, makeCheck({ name: 'fairness_gap', kind: 'model', actual: gap, threshold: 0.05, comparator: '<=', message }, this.isNot))
 */
export function recordCheck(state: MatcherState, record: CheckRecord): { pass: boolean; message: () => string } {
  validateCheck(record)
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

/** What modeltest reads of a running vitest test: its name and the pending assertions vitest waits for. */
interface RunningTest {
  name: string
  fullTestName?: string
  promises?: Promise<unknown>[]
  onFinished?: (() => void)[]
}

/**
 * Makes every call of these (registered, async) matchers one its test must await. vitest waits at
 * the end of a test only for its own pending `.resolves`/`.rejects`; an extended matcher left pending
 * is dropped, and a failed check with it, when the test ends first. So each call is recorded on its
 * test as vitest records its own (vitest then waits for it, and the check can still fail the test),
 * and a call that nothing awaited (its `then` never called) fails the test, naming it and the matcher.
 */
export function requireAwait(names: readonly string[]): void {
  const prototype = chai.Assertion.prototype as unknown as Record<string, (this: object, ...args: unknown[]) => unknown>
  for (const name of names) {
    const matcher = prototype[name]
    prototype[name] = function (this: object, ...args: unknown[]) {
      const result = matcher.apply(this, args)
      const test = chai.util.flag(this, 'vitest-test') as RunningTest | undefined
      return test && result instanceof Promise ? awaitedIn(test, result, name) : result
    }
  }
}

function awaitedIn(test: RunningTest, result: Promise<unknown>, matcher: string): PromiseLike<unknown> {
  let awaited = false
  // Settled, it is no longer pending: vitest waits at the end of the test only for what is still in test.promises.
  const tracked: Promise<unknown> = result.finally(() => {
    const at = test.promises?.indexOf(tracked) ?? -1
    // The one removed is `tracked` itself, whose rejection is handled below.
    if (at >= 0) void test.promises!.splice(at, 1)
  })
  // Handled here so that a check failing while the test is still busy is no unhandled rejection; the test still sees it.
  tracked.catch(() => undefined)
  ;(test.promises ??= []).push(tracked)
  ;(test.onFinished ??= []).push(() => {
    if (!awaited) {
      throw new ModeltestError({
        what: `${matcher}(…) was not awaited in the test '${test.fullTestName ?? test.name}'`,
        fix: `Write await expect(…).${matcher}(…), or return it: a check that is not awaited can end after its test, and its verdict is lost.`,
      })
    }
  })
  return {
    then(onFulfilled, onRejected) {
      awaited = true
      return tracked.then(onFulfilled, onRejected)
    },
  }
}
