import type { CheckRecord, Subject } from './checks/record.js'

/** One test of a run, with the checks its matchers recorded. */
export interface TestOutcome {
  /** The test file, relative to the repository root (see repositoryRoot). */
  file: string
  /** Suite and test names joined with ` > `; `(file)` for an error that stopped the whole file. */
  name: string
  state: 'passed' | 'failed' | 'skipped'
  durationMs: number
  /** Error messages, for a failed test. */
  errors: string[]
  /** The first error's class (`AssertionError` for a failed plain expect) and where it was thrown in the test file. */
  error?: { name: string; location?: SourceLocation }
  checks: CheckRecord[]
  /** The line of the test (or, for `(file)`, 1). */
  line?: number
}

/** A place in a source file, relative to the repository root. */
export interface SourceLocation {
  file: string
  line: number
  column?: number
}

/** A whole run: what every reporter renders and what deploy helpers read back (`reports/modeltest.json`). */
export interface RunReport {
  format: 'modeltest-report/1'
  passed: boolean
  startedAt: string
  durationMs: number
  summary: { tests: number; failedTests: number; skippedTests: number; checks: number; failedChecks: number }
  /** Why the run failed beyond failed tests: no checks, no tests, errors outside tests. */
  problems: string[]
  datasets: Subject[]
  models: Subject[]
  runtime: Record<string, string>
  tests: TestOutcome[]
  /** Each test file's whole time, setup and import included, which its tests' times leave out. */
  files?: FileTiming[]
  /** The run compared against (`--baseline-report`), when one was given. */
  baselineReport?: BaselineComparison
}

/** A test file's whole time: environment, setup, import and collection, then its tests and hooks. */
export interface FileTiming {
  file: string
  durationMs: number
}

/** What a run is compared against: the baseline report and the checks it had that this run lacks. */
export interface BaselineComparison {
  /** The baseline report's path, as given. */
  source: string
  startedAt: string
  passed: boolean
  /** Checks of the baseline report that this run did not record. */
  removed: { file: string; test: string; name: string; actual: number; passed: boolean }[]
}

/**
 * Builds the verdict of a run. It passes only when some test ran, every test that ran passed, at
 * least one check was recorded, and nothing failed outside the tests: a run that checked nothing
 * never reports success.
 */
export function buildReport(input: { tests: TestOutcome[]; startedAt: Date; durationMs: number; runtime: Record<string, string>; problems?: string[]; files?: FileTiming[] }): RunReport {
  const { tests } = input
  const checks = tests.flatMap((test) => test.checks)
  const problems = [...(input.problems ?? [])]
  const ran = tests.filter((test) => test.state !== 'skipped')
  const failedTests = tests.filter((test) => test.state === 'failed').length
  if (ran.length === 0) problems.push('No test ran.')
  else if (checks.length === 0 && failedTests === 0) problems.push('No modeltest check ran: the tests called no modeltest matcher, so nothing was checked.')
  return {
    format: 'modeltest-report/1',
    passed: failedTests === 0 && problems.length === 0,
    startedAt: input.startedAt.toISOString(),
    durationMs: input.durationMs,
    summary: {
      tests: tests.length,
      failedTests,
      skippedTests: tests.length - ran.length,
      checks: checks.length,
      failedChecks: checks.filter((check) => !check.passed).length,
    },
    problems,
    datasets: unique(checks.flatMap((check) => (check.data ? [check.data] : []))),
    models: unique(checks.flatMap((check) => [check.model, check.baselineModel].filter((subject): subject is Subject => subject !== undefined))),
    runtime: input.runtime,
    tests,
    ...(input.files ? { files: input.files } : {}),
  }
}

function unique(subjects: Subject[]): Subject[] {
  const byKey = new Map<string, Subject>()
  for (const subject of subjects) byKey.set(`${subject.name}\0${subject.hash}`, subject)
  return [...byKey.values()]
}

/** Orders tests (or file timings) by file, keeping each file's tests in their order (sort is stable): how every report lists them. */
export function byFile(a: { file: string }, b: { file: string }): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : 0
}

/** A number as reports print it: whole numbers as they are, others to at most four decimals. */
export function formatValue(value: number, decimals = 4): string {
  if (Number.isInteger(value)) return String(value)
  if (!Number.isFinite(value)) return String(value)
  return String(Number(value.toFixed(decimals)))
}

/**
 * Two numbers shown side by side (a check's actual and threshold) as formatValue prints them, with
 * more decimals while they differ but would read the same: a failed 0.999995 ≥ 1 shows
 * `0.999995` and `1`, not `1` and `1`.
 */
export function formatValues(a: number, b: number): [string, string] {
  for (let decimals = 4; decimals < 20; decimals++) {
    const pair: [string, string] = [formatValue(a, decimals), formatValue(b, decimals)]
    if (a === b || pair[0] !== pair[1]) return pair
  }
  return [String(a), String(b)]
}

/**
 * A check's change against its baseline: the same check in the baseline report when there is one
 * (`--baseline-report`); otherwise, for a comparison with a baseline model (toNotRegressFrom, whose
 * `actual` is the drop), the candidate's metric (`details.candidate`) against the baseline model's.
 */
export function changeAgainstBaseline(check: CheckRecord): { baseline: number; delta: number; against: 'baseline report' | 'baseline model' } | undefined {
  if (check.previous) return { baseline: check.previous.actual, delta: check.actual - check.previous.actual, against: 'baseline report' }
  const candidate = check.details?.candidate
  if (check.baseline !== undefined && typeof candidate === 'number') return { baseline: check.baseline, delta: candidate - check.baseline, against: 'baseline model' }
  return undefined
}
