import { execFile } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, test } from 'vitest'
import { makeCheck, type ShardResult } from '../src/index.js'
import { fixturesDir, repoRoot, runCli, tempDir } from './helpers.js'

// Which packages fresh Node processes load, recorded by a preload (test/startup/record-modules.mjs) as
// each module loads: the runtimes must wait until a check uses them.
const recorder = join(repoRoot, 'test', 'startup', 'record-modules.mjs')

/** The packages that are loaded only when a check needs them: model runtimes, DuckDB, Arrow, the AWS SDK. */
const HEAVY = /^(@tensorflow\/|webgpu$|onnxruntime-node$|@duckdb\/|apache-arrow$|@aws-sdk\/)/

interface Loaded {
  /** Every file the process loaded. */
  files: string[]
  /** The heavy packages among them, sorted. */
  heavy: string[]
}

/** What each process loaded, in the order the processes started (the first is the command's own). */
async function loadedByProcess(record: string): Promise<Loaded[]> {
  const loaded = new Map<string, Loaded>()
  for (const line of (await readFile(record, 'utf8')).split('\n').filter(Boolean)) {
    const [pid, file] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)]
    if (!loaded.has(pid)) loaded.set(pid, { files: [], heavy: [] })
    const entry = loaded.get(pid)!
    entry.files.push(file.replace(/^file:\/\//, ''))
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(file.replace(/^.*node_modules\/(?=.*node_modules\/)/, 'node_modules/'))
    // modeltest --version and the reports read runtime packages' package.json for their versions: no code is loaded.
    if (match && HEAVY.test(match[1]) && match[2] !== 'package.json' && !entry.heavy.includes(match[1])) entry.heavy.push(match[1])
  }
  return [...loaded.values()].map(({ files, heavy }) => ({ files, heavy: heavy.sort() }))
}

/** Runs `modeltest args` in `cwd` with the recorder preloaded into it and into vitest's workers. */
async function recordCli(args: string[], cwd: string) {
  const record = join(await tempDir(), 'modules.txt')
  const run = await runCli(args, cwd, { NODE_OPTIONS: `--import ${recorder}`, MODELTEST_RECORD_MODULES: record })
  const [main, ...workers] = await loadedByProcess(record)
  return { run, main: main.heavy, workers: workers.map((worker) => worker.heavy), mainFiles: main.files }
}

const index = pathToFileURL(join(repoRoot, 'dist', 'src', 'index.js')).href

/** Runs `node args` with the recorder preloaded; what it loaded. */
async function recordNode(args: string[]): Promise<Loaded[]> {
  const record = join(await tempDir(), 'modules.txt')
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, ['--import', recorder, ...args], { env: { ...process.env, MODELTEST_RECORD_MODULES: record } }, (error, _, stderr) => (error ? reject(new Error(stderr)) : resolve())),
  )
  return loadedByProcess(record)
}

describe('what a run loads', () => {
  test('a data-only suite: DuckDB in the worker, no model runtime or AWS SDK anywhere, nothing heavy in the main process', async () => {
    const { run, main, workers } = await recordCli(['--no-junit', '--no-json', '--no-html', '--no-summary'], join(fixturesDir, 'startup', 'data-only'))
    expect(run.stdout).toContain('null_check')
    expect(run.code).toBe(0)
    expect(main).toEqual([])
    expect(workers).toHaveLength(1)
    expect(workers[0]).toContain('@duckdb/node-api')
    expect(workers[0].filter((name) => !name.startsWith('@duckdb/'))).toEqual([])
  })

  test('commands that only read and write reports load nothing heavy: merge, --help, --version', async () => {
    const dir = await tempDir()
    const shard: ShardResult = {
      format: 'modeltest-shard/1',
      shard: { index: 1, count: 1 },
      startedAt: '2026-11-30T09:00:00.000Z',
      durationMs: 5,
      runtime: {},
      problems: [],
      tests: [{ file: 'data.modeltest.ts', name: 'rows', state: 'passed', durationMs: 1, errors: [], checks: [makeCheck({ name: 'min_rows', kind: 'data', actual: 344, threshold: 100, comparator: '>=', message: 'Rows' })] }],
    }
    await mkdir(join(dir, 'shards'))
    await writeFile(join(dir, 'shards', 'shard-1-of-1.json'), JSON.stringify(shard))
    const merge = await recordCli(['merge', 'shards', '--json', 'out/modeltest.json', '--junit', 'out/junit.xml', '--html', 'out/modeltest.html', '--summary', 'out/summary.md'], dir)
    expect(merge.run.code).toBe(0)
    expect(await readFile(join(dir, 'out', 'modeltest.html'), 'utf8')).toContain('min_rows')
    expect(merge.main).toEqual([])
    // The reports need the report modules, not the whole library behind modeltest's index.
    expect(merge.mainFiles).not.toContain(join(repoRoot, 'dist', 'src', 'index.js'))
    for (const args of [['--help'], ['--version'], ['validate', '--help']]) {
      const { run, main, workers } = await recordCli(args, dir)
      expect(run.code).toBe(0)
      expect({ args, main, workers }).toEqual({ args, main: [], workers: [] })
    }
  })

  test("import('modeltest') loads nothing heavy until a function needs it", async () => {
    const loaded = await recordNode(['--input-type=module', '-e', `const { tf, dataset } = await import(${JSON.stringify(index)}); if (typeof dataset !== 'function' || typeof tf !== 'object') process.exit(3)`])
    expect(loaded.map((entry) => entry.heavy)).toEqual([[]])
  })

  test('an ONNX model predicts with onnxruntime and DuckDB, without tfjs', async () => {
    const loaded = await recordNode([join(fixturesDir, 'startup', 'onnx-only.mjs'), index])
    expect(loaded.map((entry) => entry.heavy.filter((name) => !name.startsWith('@duckdb/')))).toEqual([['onnxruntime-node']])
  })
})
