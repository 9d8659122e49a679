import type { CheckRecord, RunReport, TestOutcome } from '../src/index.js'

/** A check with the test that recorded it. */
export interface Entry {
  test: TestOutcome
  check: CheckRecord
}

/** Every check of a run with its test, in report order. */
export function checkEntries(report: RunReport): Entry[] {
  return report.tests.flatMap((test) => test.checks.map((check) => ({ test, check })))
}

/** Failed checks first, then passed ones, each in report order: what a reader looks at first. */
export function failuresFirst(entries: Entry[]): Entry[] {
  return [...entries.filter(({ check }) => !check.passed), ...entries.filter(({ check }) => check.passed)]
}

/**
 * What changed since the baseline report: checks whose verdict flipped, checks with the same verdict
 * and another value, and checks the baseline did not have. (Removed ones are in report.baselineReport.)
 */
export function changesSinceBaseline(entries: Entry[]): { flipped: Entry[]; moved: Entry[]; added: Entry[] } {
  const compared = entries.filter(({ check }) => check.previous)
  return {
    flipped: compared.filter(({ check }) => check.previous!.passed !== check.passed),
    moved: compared.filter(({ check }) => check.previous!.passed === check.passed && check.previous!.actual !== check.actual),
    added: entries.filter(({ check }) => !check.previous),
  }
}
