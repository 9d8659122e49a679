import { spawn, spawnSync } from 'node:child_process'
import { watch } from 'node:fs'
import { mkdir, open, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { makeCheck, type ShardResult } from '../../src/index.js'
import { repoRoot, tempDir } from '../helpers.js'

const bin = join(repoRoot, 'bin', 'modeltest.js')
/** Every report a merge writes here, in the order they are renamed: the JSON report last. */
const REPORTS = ['junit.xml', 'modeltest.html', 'summary.md', 'modeltest.json']
const reportArgs = (folder: string) => ['--junit', join(folder, 'junit.xml'), '--html', join(folder, 'modeltest.html'), '--summary', join(folder, 'summary.md'), '--json', join(folder, 'modeltest.json')]

/** The result of one shard of a run of `tests` passing checks with long messages: reports of megabytes, which take a while to write. */
function shardOfRun(run: 'a' | 'b', tests: number): ShardResult {
  return {
    format: 'modeltest-shard/1',
    shard: { index: 1, count: 1 },
    startedAt: run === 'a' ? '2026-11-01T09:00:00.000Z' : '2026-11-02T09:00:00.000Z',
    durationMs: 1000,
    runtime: {},
    problems: [],
    tests: Array.from({ length: tests }, (_, i) => ({
      file: `suite-${i % 20}.modeltest.ts`,
      name: `rows ${i}`,
      state: 'passed' as const,
      durationMs: 1,
      errors: [],
      // Values differ between the runs, so that every report of one differs from the other's.
      checks: [makeCheck({ name: 'min_samples', kind: 'data', actual: rows(run, i), threshold: 10, comparator: '>=', message: `Run ${run}: sample count OK: ${rows(run, i)} ≥ 10 `.padEnd(160, '.') })],
    })),
  }
}

const rows = (run: 'a' | 'b', i: number) => (run === 'a' ? 10 + i : 20 + i)

/** `modeltest merge` of a run's shard folder into `out`, killed with SIGKILL when `kill` says so; whether it was killed. */
function mergeRun(shards: string, out: string, kill: (child: ReturnType<typeof spawn>) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'merge', shards, ...reportArgs(out)], { cwd: out, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } })
    kill(child)
    child.on('exit', (_code, signal) => resolve(signal === 'SIGKILL'))
  })
}

describe('reports are replaced whole, as a set', () => {
  let dir: string
  const shards = { a: '', b: '' }
  const reference: Record<'a' | 'b', Buffer[]> = { a: [], b: [] }

  beforeAll(async () => {
    dir = await tempDir()
    for (const run of ['a', 'b'] as const) {
      shards[run] = join(dir, `shards-${run}`)
      await mkdir(shards[run])
      await writeFile(join(shards[run], 'shard-1-of-1.json'), JSON.stringify(shardOfRun(run, 2000)))
      const out = join(dir, `reference-${run}`)
      await mkdir(out)
      expect(await mergeRun(shards[run], out, () => undefined)).toBe(false)
      reference[run] = await Promise.all(REPORTS.map((name) => readFile(join(out, name))))
    }
  })
  // Megabytes of reports.
  afterAll(() => rm(dir, { recursive: true, force: true }))

  test("SIGKILL at random moments leaves each report whole, the previous run's or the new one, and a new JSON report only beside a whole new set", async () => {
    const live = join(dir, 'live')
    await mkdir(live)
    await mergeRun(shards.a, live, () => undefined)
    const kills = 32
    let killedWhileWriting = 0
    let previous: 'a' | 'b' = 'a'
    for (let i = 0; i < kills; i++) {
      const next: 'a' | 'b' = previous === 'a' ? 'b' : 'a'
      let watcher: ReturnType<typeof watch> | undefined
      await mergeRun(shards[next], live, (child) => {
        // Most kills aim at the writing phase: a random moment after the first temporary file appears; the others anywhere in the run.
        if (i % 4 === 3) setTimeout(() => child.kill('SIGKILL'), Math.random() * 900)
        else {
          watcher = watch(live, (_event, name) => {
            if (!name?.endsWith('.tmp')) return
            watcher?.close()
            setTimeout(() => child.kill('SIGKILL'), Math.random() * 40)
          })
        }
      })
      watcher?.close()
      const left = await readdir(live)
      if (left.some((name) => name.endsWith('.tmp'))) killedWhileWriting++
      const versions = await Promise.all(
        REPORTS.map(async (name, index) => {
          const content = await readFile(join(live, name))
          if (content.equals(reference.a[index])) return 'a'
          if (content.equals(reference.b[index])) return 'b'
          throw new Error(`kill ${i + 1}: ${name} is neither run's whole report (${content.length} bytes)`)
        }),
      )
      const json = versions[versions.length - 1]
      // The JSON report is renamed last: a new one means that every other report is new too.
      if (json === next) expect(versions, `kill ${i + 1}`).toEqual(REPORTS.map(() => next))
      previous = json
    }
    // The kills did land while the reports were being written, not only before or after.
    expect(killedWhileWriting).toBeGreaterThanOrEqual(5)
    // A later run clears the temporaries that killed runs left behind.
    await mergeRun(shards.a, live, () => undefined)
    expect((await readdir(live)).sort()).toEqual([...REPORTS].sort())
  }, 180_000)
})

/** Runs the CLI with stdout and stderr into one file, as a terminal shows them: the order of lines is kept. */
async function runCliInterleaved(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  const log = join(await tempDir(), 'output.log')
  const file = await open(log, 'w')
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', file.fd, file.fd], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } })
  await file.close()
  return { code: result.status ?? 1, output: await readFile(log, 'utf8') }
}

describe('a report that cannot be written', () => {
  let shards: string
  beforeAll(async () => {
    shards = await tempDir({ 'shard-1-of-1.json': JSON.stringify(shardOfRun('a', 3)) })
  })

  test('under a path that is a file (ENOTDIR): the verdict, then one line naming the path and why, exit 2, the other reports written', async () => {
    const out = await tempDir({ 'not-a-folder': 'x' })
    const run = await runCliInterleaved(['merge', shards, '--junit', 'not-a-folder/junit.xml', '--json', 'modeltest.json', '--html', 'modeltest.html'], out)
    expect(run.code).toBe(2)
    const lines = run.output.trimEnd().split('\n')
    expect(lines.at(-1)).toBe('modeltest: not-a-folder/junit.xml was not written: a part of the path is a file, not a folder (ENOTDIR). Fix the path, or give another with --junit <path> (--no-junit for none).')
    expect(lines.at(-3)).toBe(' PASSED')
    expect(lines.at(-4)).toBe(' Reports: modeltest.html, modeltest.json')
    expect(JSON.parse(await readFile(join(out, 'modeltest.json'), 'utf8')).passed).toBe(true)
    expect((await stat(join(out, 'modeltest.html'))).size).toBeGreaterThan(1000)
  })

  test('where a folder is (EISDIR): nothing of the folder is touched, exit 2, the other reports written', async () => {
    const out = await tempDir()
    await mkdir(join(out, 'modeltest.json'))
    await writeFile(join(out, 'modeltest.json', 'keep.txt'), 'kept')
    const run = await runCliInterleaved(['merge', shards, '--junit', 'junit.xml', '--json', 'modeltest.json', '--no-html'], out)
    expect(run.code).toBe(2)
    expect(run.output).toMatch(/ PASSED\n\nmodeltest: modeltest\.json was not written: a folder is in the way \(EISDIR\)\. Fix the path, or give another with --json <path> \(--no-json for none\)\.\n$/)
    expect(await readFile(join(out, 'modeltest.json', 'keep.txt'), 'utf8')).toBe('kept')
    expect(await readFile(join(out, 'junit.xml'), 'utf8')).toMatch(/<testsuites/)
  })

  test('for a failed run too: the FAILED verdict, then the line, exit 2 rather than 1', async () => {
    const failed = shardOfRun('a', 2)
    failed.tests[0].state = 'failed'
    failed.tests[0].checks[0] = { ...failed.tests[0].checks[0], passed: false }
    const out = await tempDir({ 'shard-1-of-1.json': JSON.stringify(failed), blocker: 'x' })
    const run = await runCliInterleaved(['merge', '.', '--json', 'blocker/modeltest.json', '--no-html', '--junit', 'junit.xml'], out)
    expect(run.code).toBe(2)
    expect(run.output).toMatch(/ FAILED\n\nmodeltest: blocker\/modeltest\.json was not written: a part of the path is a file, not a folder \(ENOTDIR\)/)
  })

  describe('on a full disk (ENOSPC, a 64 KiB tmpfs)', () => {
    let small: string | undefined
    beforeAll(async () => {
      const folder = await tempDir()
      // Mounting needs root; where the tests do not run as root, this case is skipped.
      if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', folder]).status === 0) small = folder
    })
    afterAll(() => {
      if (small) spawnSync('umount', [small])
    })

    test('the disk-full line, exit 2, the reports elsewhere written, no temporary left on the full disk', async (context) => {
      if (!small) return context.skip()
      const big = await tempDir({ 'shard-1-of-1.json': JSON.stringify(shardOfRun('b', 2000)) })
      const out = await tempDir()
      const run = await runCliInterleaved(['merge', big, '--html', join(small, 'modeltest.html'), '--json', 'modeltest.json', '--junit', 'junit.xml'], out)
      expect(run.code).toBe(2)
      expect(run.output).toMatch(/ PASSED\n\nmodeltest: \S+modeltest\.html was not written: the disk is full \(ENOSPC\)\. Fix the path, or give another with --html <path> \(--no-html for none\)\.\n$/)
      expect(JSON.parse(await readFile(join(out, 'modeltest.json'), 'utf8')).summary.checks).toBe(2000)
      expect(await readdir(small)).toEqual([])
    })
  })
})

describe('a run of tests (not a merge)', () => {
  const suite = {
    'checks.modeltest.ts': [
      "import { expect, test, vi } from 'vitest'",
      "import { dataset } from 'modeltest'",
      // vitest's own matchers colour their messages whenever CI or FORCE_COLOR is set, even into a pipe.
      "test('spy', () => { expect(vi.fn()).toHaveBeenCalledWith(1) })",
      "test('rows', async () => { await expect(await dataset('data.csv')).toHaveAtLeastRows(1000) })",
      '',
    ].join('\n'),
    'data.csv': 'text,label\nfine,1\nbad,0\n',
  }

  test('on CI with FORCE_COLOR and no terminal: no ANSI code in the console, the JUnit, JSON, HTML, Markdown reports or the GitHub annotations', async () => {
    const dir = await tempDir(suite)
    const env: Record<string, string | undefined> = { ...process.env, CI: '1', FORCE_COLOR: '1', GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: join(dir, 'step-summary.md') }
    delete env.NO_COLOR
    const run = spawnSync(process.execPath, [bin, '.', '--summary', 'summary.md'], { cwd: dir, env, encoding: 'utf8' })
    expect(run.status).toBe(1)
    expect(run.stdout).toContain('::error file=checks.modeltest.ts,line=3')
    expect(run.stdout).toContain('expected "vi.fn()" to be called with arguments')
    // eslint-disable-next-line no-control-regex -- the escape character is what it finds
    const ansi = /\u001b|\[\d+(;\d+)*m/
    expect(run.stdout + run.stderr).not.toMatch(ansi)
    for (const report of ['reports/junit.xml', 'reports/modeltest.json', 'reports/modeltest.html', 'summary.md']) {
      const text = await readFile(join(dir, report), 'utf8')
      expect(text, report).toContain('Number of calls')
      expect(text, report).not.toMatch(ansi)
      // The JSON report escapes the control character: look for the escape too.
      expect(text, report).not.toContain('\\u001b')
    }
  })

  test('a report under a file: the verdict, then the line, exit 2', async () => {
    const dir = await tempDir({
      ...suite,
      'checks.modeltest.ts': "import { expect, test } from 'vitest'\nimport { dataset } from 'modeltest'\ntest('rows', async () => { await expect(await dataset('data.csv')).toHaveAtLeastRows(2) })\n",
      blocker: 'x',
    })
    const run = await runCliInterleaved(['.', '--junit', 'blocker/junit.xml'], dir)
    expect(run.code).toBe(2)
    expect(run.output).toMatch(/ PASSED\n\nmodeltest: blocker\/junit\.xml was not written: a part of the path is a file, not a folder \(ENOTDIR\)\. Fix the path, or give another with --junit <path> \(--no-junit for none\)\.\n$/)
    expect(JSON.parse(await readFile(join(dir, 'reports/modeltest.json'), 'utf8')).passed).toBe(true)
  })
})
