import { basename, dirname, join, relative } from 'node:path'
import type { MatcherState } from 'vitest'
import { checkTolerance, profileSnapshot, readSnapshots, snapshotCheck, snapshotWritten, writeSnapshot, ModeltestError, type SnapshotTolerance } from '../src/index.js'
import { expectDataset, recordCheck } from './shared.js'

/**
 * `await expect(train).toMatchProfileSnapshot({ rows: 0.1, nullRate: 0.01 })`: the data's profile
 * (types, null rates, ranges, categories, row count) stays within tolerance of the one stored in
 * `__profiles__/<test file>.json` beside the test. Written on the first run, updated with `-u`,
 * never written in CI (where a missing snapshot fails), as vitest's own snapshots. Each call in a test
 * keeps a snapshot of its own, keyed as vitest keys its snapshots: `<test name> 1`, `<test name> 2`.
 */
export async function toMatchProfileSnapshot(this: MatcherState, received: unknown, tolerance: SnapshotTolerance = {}) {
  const data = expectDataset(received, 'toMatchProfileSnapshot')
  checkTolerance(tolerance)
  if (!this.testPath || !this.currentTestName || !this.task) throw new ModeltestError({ what: 'toMatchProfileSnapshot runs only inside a test', fix: 'Call it in a test() of a *.modeltest.ts file.' })
  const file = join(dirname(this.testPath), '__profiles__', `${basename(this.testPath)}.json`)
  const shown = relative(process.cwd(), file)
  // Numbered now, before the first await: calls not awaited one by one keep the order they are written in.
  const key = `${this.currentTestName} ${callNumber(this.task)}`
  const mode = this.snapshotState.snapshotUpdateState
  const current = await profileSnapshot(data)
  const stored = (await readSnapshots(file))[key]
  if (mode === 'all' || (!stored && mode === 'new')) {
    await writeSnapshot(file, key, current)
    return recordCheck(this, snapshotWritten(data, current, shown, stored !== undefined))
  }
  if (!stored) {
    throw new ModeltestError({ what: `no profile snapshot for '${key}'`, where: shown, fix: 'Run modeltest -u where the data is right, review the file and commit it (CI never writes snapshots).' })
  }
  return recordCheck(this, snapshotCheck(data, stored, current, tolerance, shown, this.isNot))
}

/** The calls so far in each test, counted per attempt: a retry or repeat numbers its snapshots from 1 again, as vitest does. */
const callsInTest = new WeakMap<object, { attempt: string; calls: number }>()

function callNumber(task: { result?: { retryCount?: number; repeatCount?: number } }): number {
  const attempt = `${task.result?.retryCount ?? 0}/${task.result?.repeatCount ?? 0}`
  const seen = callsInTest.get(task)
  const calls = seen?.attempt === attempt ? seen.calls + 1 : 1
  callsInTest.set(task, { attempt, calls })
  return calls
}
