import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { ModeltestError, buildReport, makeCheck, type CheckRecord, type RunReport } from '../src/index.js'

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..')
export const exampleDir = join(repoRoot, 'examples', 'sentiment')
export const fixturesDir = join(repoRoot, 'fixtures')
const bin = join(repoRoot, 'bin', 'modeltest.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs the built `modeltest` command as a user would, in `cwd`, without colour. */
export function runCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      resolve({ code, stdout, stderr })
    })
  })
}

/** A fresh temporary directory with the given files written into it. */
export async function tempDir(files: Record<string, string | Uint8Array> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'modeltest-test-'))
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content)
  return dir
}

/** The ModeltestError a promise rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<ModeltestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ModeltestError)
  return error as ModeltestError
}

/** The last check record a matcher attached to the running test. */
export function lastRecord(task: { meta: { modeltest?: CheckRecord[] } }): CheckRecord {
  const records = task.meta.modeltest ?? []
  return records[records.length - 1]
}

/** A modeltest JSON report of one accuracy check on the model with this hash, passed or failed: what the deploy gate reads. */
export async function reportFile(passed: boolean, modelHash: string): Promise<string> {
  const check = makeCheck({
    name: 'accuracy_threshold',
    kind: 'model',
    actual: passed ? 0.9 : 0.7,
    threshold: 0.8,
    comparator: '>=',
    message: 'Accuracy',
    model: { name: 'models/candidate.onnx', hash: modelHash, runtime: 'onnxruntime-node' },
  })
  const report: RunReport = buildReport({
    tests: [{ file: 'a.modeltest.ts', name: 'accuracy', state: passed ? 'passed' : 'failed', durationMs: 1, errors: [], checks: [check] }],
    startedAt: new Date('2026-11-28T09:00:00Z'),
    durationMs: 1,
    runtime: {},
  })
  const path = join(await tempDir(), 'modeltest.json')
  await writeFile(path, JSON.stringify(report))
  return path
}
