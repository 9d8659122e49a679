import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { buildReport, compareWithBaseline, makeCheck, mergeShards, readReport, type RunReport, type ShardResult, type TestOutcome } from '../src/index.js'
import { fixturesDir, rejection, repoRoot, runCli, tempDir } from './helpers.js'

const shardedDir = join(fixturesDir, 'sharded')
const brokenDir = join(fixturesDir, 'sentiment-broken')

const readJson = async <T = RunReport>(path: string): Promise<T> => JSON.parse(await readFile(path, 'utf8')) as T

/** A report without what differs between two runs of the same suite: times and tool versions. */
function content(report: RunReport) {
  return { ...report, startedAt: undefined, durationMs: undefined, tests: report.tests.map((test) => ({ ...test, durationMs: undefined })), files: report.files?.map((timing) => ({ ...timing, durationMs: undefined })) }
}

/** JUnit without times. */
const timeless = (junit: string) => junit.replace(/ (time|timestamp)="[^"]*"/g, '')

describe('shards', () => {
  test('modeltest --shard i/n writes partial results, and modeltest merge builds the same reports as an unsharded run', async () => {
    const out = await tempDir()
    const whole = await runCli(['.', '--json', join(out, 'whole/modeltest.json'), '--junit', join(out, 'whole/junit.xml'), '--no-html'], shardedDir)
    expect(whole.code).toBe(0)
    for (const shard of ['1/2', '2/2']) {
      const run = await runCli(['.', '--shard', shard, '--json', join(out, 'sharded/modeltest.json'), '--no-html'], shardedDir)
      expect(run.code).toBe(0)
      expect(run.stdout).toContain(`Shard ${shard}: merge every shard with modeltest merge`)
    }
    const shardFiles = ['shard-1-of-2.json', 'shard-2-of-2.json'].map((name) => join(out, 'sharded/shards', name))
    const shards = await Promise.all(shardFiles.map((file) => readJson<ShardResult>(file)))
    expect(shards.map((shard) => shard.tests.length).reduce((a, b) => a + b)).toBe(5)
    expect(shards.every((shard) => shard.tests.length > 0)).toBe(true)

    // As CI downloads artifacts: each shard in a folder of its own.
    const downloaded = join(out, 'downloaded')
    for (const [i, file] of shardFiles.entries()) {
      await mkdir(join(downloaded, `shard-${i + 1}`), { recursive: true })
      await cp(file, join(downloaded, `shard-${i + 1}`, 'result.json'))
    }
    const merged = await runCli(
      ['merge', downloaded, '--json', join(out, 'merged/modeltest.json'), '--junit', join(out, 'merged/junit.xml'), '--html', join(out, 'merged/modeltest.html'), '--summary', join(out, 'merged/summary.md')],
      shardedDir,
    )
    expect(merged.stderr).toBe('')
    expect(merged.code).toBe(0)
    expect(merged.stdout).toMatch(/5\/5 checks passed/)
    const [wholeReport, mergedReport] = await Promise.all([readJson(join(out, 'whole/modeltest.json')), readJson(join(out, 'merged/modeltest.json'))])
    expect(content(mergedReport)).toEqual(content(wholeReport))
    const [wholeJUnit, mergedJUnit] = await Promise.all([readFile(join(out, 'whole/junit.xml'), 'utf8'), readFile(join(out, 'merged/junit.xml'), 'utf8')])
    expect(timeless(mergedJUnit)).toBe(timeless(wholeJUnit))
    expect(await readFile(join(out, 'merged/summary.md'), 'utf8')).toMatch(/gentoo by flipper length/)
    expect(await readFile(join(out, 'merged/modeltest.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/i)
  })

  test('merge refuses a folder with a shard missing, and one without shard results', async () => {
    const out = await tempDir()
    await runCli(['.', '--shard', '1/2', '--json', join(out, 'modeltest.json'), '--no-html'], shardedDir)
    const missing = await runCli(['merge', join(out, 'shards')], shardedDir)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/shard 2\/2 missing/)
    const empty = await runCli(['merge', await tempDir()], shardedDir)
    expect(empty.code).toBe(2)
    expect(empty.stderr).toMatch(/no shard results found/)
    const nofolder = await runCli(['merge'], shardedDir)
    expect(nofolder.stderr).toMatch(/modeltest merge needs one folder/)
  })
})

describe('mergeShards', () => {
  const shard = (index: number, count: number): ShardResult => ({ format: 'modeltest-shard/1', shard: { index, count }, startedAt: `2026-11-28T10:00:0${index}.000Z`, durationMs: 1000, runtime: {}, problems: [], tests: [] })
  test('refuses a shard twice and shards of different splits', () => {
    expect(() => mergeShards([shard(1, 2), shard(1, 2), shard(2, 2)], 'dir')).toThrow(/shard 1\/2 appears twice/)
    expect(() => mergeShards([shard(1, 2), shard(2, 3)], 'dir')).toThrow(/shard results of different splits: 1\/2 and 2\/3/)
  })
  test('spans the run from the first start to the last end, and says a run of empty shards checked nothing', () => {
    const report = mergeShards([shard(2, 2), shard(1, 2)], 'dir')
    expect(report.startedAt).toBe('2026-11-28T10:00:01.000Z')
    expect(report.durationMs).toBe(2000)
    expect(report.passed).toBe(false)
    expect(report.problems).toEqual(['No test ran.'])
  })
})

const check = (name: string, actual: number, passed = true) => makeCheck({ name, kind: 'data', actual, threshold: passed ? actual : actual + 1, comparator: '>=', message: `${name} ${actual}` })
const outcome = (name: string, checks: ReturnType<typeof check>[]): TestOutcome => ({ file: 'a.modeltest.ts', name, state: checks.every((c) => c.passed) ? 'passed' : 'failed', durationMs: 1, errors: [], checks })
const run = (tests: TestOutcome[]) => buildReport({ tests, startedAt: new Date('2026-11-28T10:00:00Z'), durationMs: 5, runtime: {} })

describe('baseline report', () => {
  test('gives each check the earlier value and verdict, matched by test, name and occurrence, and lists removed checks', () => {
    const before = run([outcome('rows', [check('min_samples', 500), check('min_samples', 7)]), outcome('gone', [check('null_check', 0)])])
    const after = compareWithBaseline(run([outcome('rows', [check('min_samples', 480, false), check('min_samples', 9)]), outcome('new', [check('unique_values', 0)])]), before, 'main/modeltest.json')
    const checks = after.tests.flatMap((test) => test.checks)
    expect(checks.map((c) => c.previous)).toEqual([{ actual: 500, passed: true }, { actual: 7, passed: true }, undefined])
    expect(after.baselineReport).toEqual({ source: 'main/modeltest.json', startedAt: '2026-11-28T10:00:00.000Z', passed: true, removed: [{ file: 'a.modeltest.ts', test: 'gone', name: 'null_check', actual: 0, passed: true }] })
  })

  test('a missing, malformed or foreign baseline report is a clear error', async () => {
    const dir = await tempDir({ 'junit.xml': '<testsuites/>', 'other.json': '{"tests": []}' })
    expect((await rejection(readReport(join(dir, 'nope.json'), 'baseline report'))).message).toMatch(/cannot read the baseline report \(ENOENT\)/)
    expect((await rejection(readReport(join(dir, 'junit.xml'), 'baseline report'))).message).toMatch(/is not JSON[\s\S]*not the JUnit or HTML report/)
    expect((await rejection(readReport(join(dir, 'other.json'), 'baseline report'))).message).toMatch(/other\.json: not a complete modeltest report \(missing format\)/)
  })

  test('modeltest --baseline-report adds the change to every report; a bad path stops before any test runs', async () => {
    const out = await tempDir()
    const first = await runCli(['.', '--json', join(out, 'main.json'), '--no-junit', '--no-html'], shardedDir)
    expect(first.code).toBe(0)
    const second = await runCli(['.', '--baseline-report', join(out, 'main.json'), '--json', join(out, 'pr.json'), '--summary', join(out, 'summary.md'), '--no-junit', '--no-html'], shardedDir)
    expect(second.code).toBe(0)
    const report = await readJson(join(out, 'pr.json'))
    expect(report.baselineReport).toMatchObject({ source: join(out, 'main.json'), passed: true, removed: [] })
    expect(report.tests.flatMap((test) => test.checks).every((c) => c.previous?.actual === c.actual)).toBe(true)
    expect(await readFile(join(out, 'summary.md'), 'utf8')).toMatch(/What changed/i)
    const bad = await runCli(['.', '--baseline-report', join(out, 'nope.json')], shardedDir)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/cannot read the baseline report/)
    expect(bad.stdout).toBe('')
  })
})

describe('on GitHub Actions', () => {
  test('appends the job summary, annotates failed checks at their assertion, and sets the step output', async () => {
    const out = await tempDir({ 'summary.md': '# earlier step\n', 'output.txt': '' })
    const env = { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: join(out, 'summary.md'), GITHUB_OUTPUT: join(out, 'output.txt') }
    const failed = await runCli(['--no-html', '--no-junit', '--json', join(out, 'broken.json'), '--github-output', 'should_retrain'], brokenDir, env)
    expect(failed.code).toBe(1)
    const source = await readFile(join(brokenDir, 'broken.modeltest.ts'), 'utf8')
    const nullLine = source.split('\n').findIndex((line) => line.includes('toHaveNoNulls')) + 1
    // Relative to the repository, which the run's folder is inside.
    expect(failed.stdout).toContain(`::error file=fixtures/sentiment-broken/broken.modeltest.ts,line=${nullLine},`)
    const summary = await readFile(join(out, 'summary.md'), 'utf8')
    expect(summary.startsWith('# earlier step\n')).toBe(true)
    expect(summary).toMatch(/null_check/)
    expect(summary.indexOf('null_check')).toBeLessThan(!summary.includes('schema_match') ? Infinity : summary.indexOf('schema_match'))
    const passed = await runCli(['.', '--no-html', '--no-junit', '--json', join(out, 'ok.json'), '--github-output', 'should_retrain'], shardedDir, env)
    expect(passed.code).toBe(0)
    expect(passed.stdout).not.toContain('::error')
    expect(await readFile(join(out, 'output.txt'), 'utf8')).toBe('should_retrain=true\nshould_retrain=false\n')
  })

  test('off GitHub, --github-output says why it wrote nothing', async () => {
    const out = await tempDir()
    const run = await runCli(['.', '--no-html', '--no-junit', '--json', join(out, 'r.json'), '--github-output', 'should_retrain'], shardedDir, { GITHUB_OUTPUT: '', GITHUB_ACTIONS: '' })
    expect(run.code).toBe(0)
    expect(run.stderr).toMatch(/GITHUB_OUTPUT is not set .* should_retrain=false was not written/)
  })
})

describe('modeltest.config.ts', () => {
  test('sets the tests and reports; flags override it', async () => {
    const dir = await tempDir()
    await cp(shardedDir, join(dir, 'suite'), { recursive: true })
    await mkdir(join(dir, 'data'))
    await cp(join(fixturesDir, 'data', 'penguins.csv'), join(dir, 'data', 'penguins.csv'))
    await writeFile(
      join(dir, 'suite', 'modeltest.config.ts'),
      "import { defineConfig } from 'modeltest/config'\nexport default defineConfig({ include: ['rows.modeltest.ts'], json: 'out/run.json', junit: false, html: false, test: { testTimeout: 30_000 } })\n",
    )
    // As an installed package: the config imports modeltest/config.
    await mkdir(join(dir, 'suite', 'node_modules'), { recursive: true })
    await symlink(repoRoot, join(dir, 'suite', 'node_modules', 'modeltest'), 'dir')
    const run = await runCli([], join(dir, 'suite'))
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const report = await readJson(join(dir, 'suite', 'out', 'run.json'))
    expect(report.tests.map((test) => test.name)).toEqual(['enough rows', 'measurements present'])
    const overridden = await runCli(['--json', 'other.json'], join(dir, 'suite'))
    expect(overridden.code).toBe(0)
    expect((await readJson(join(dir, 'suite', 'other.json'))).tests).toHaveLength(2)
  })

  test('a config that does not load is a usage error naming the file', async () => {
    const dir = await tempDir({ 'modeltest.config.ts': 'export default {\n', 'a.modeltest.ts': '' })
    const run = await runCli([], dir)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/modeltest\.config\.ts: cannot load the config/)
  })
})
