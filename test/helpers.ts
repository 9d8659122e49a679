import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { ModeltestError, type CheckRecord } from '../src/index.js'

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
