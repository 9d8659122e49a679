import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { XMLParser } from 'fast-xml-parser'
import { SyntaxValidator } from 'fast-xml-validator'
import { describe, expect, test } from 'vitest'
import type { RunReport } from '../src/index.js'
import { exampleDir, fixturesDir, repoRoot, runCli, tempDir } from './helpers.js'

const brokenDir = join(fixturesDir, 'sentiment-broken')
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) })

async function reportsIn(dir: string): Promise<{ json: RunReport; junit: string }> {
  const json = JSON.parse(await readFile(join(dir, 'reports', 'modeltest.json'), 'utf8'))
  const junit = await readFile(join(dir, 'reports', 'junit.xml'), 'utf8')
  return { json, junit }
}

/** A JUnit testcase: `title` as written, with its checks' values in brackets; `name` the test's name without them. */
interface Testcase {
  name: string
  title: string
  failure?: unknown
  error?: unknown
}

function testcases(junit: string): Testcase[] {
  expect(SyntaxValidator.validate(junit)).toBe(true)
  const parsed = xml.parse(junit)
  return parsed.testsuites.testsuite.flatMap((suite: { testcase: Testcase[] }) => suite.testcase.map((c) => ({ ...c, title: c.name, name: c.name.replace(/ \[[^\]]*\]$/, '') })))
}

/** A check value of a test: a property of its file's testsuite, named `<test> :: <check>.<field>`. */
function property(junit: string, test: Testcase, name: string): string | undefined {
  const suites: { properties?: { property: { name: string; value: string }[] } }[] = xml.parse(junit).testsuites.testsuite
  return suites.flatMap((suite) => suite.properties?.property ?? []).find((p) => p.name === `${test.name} :: ${name}`)?.value
}

describe('modeltest on the sentiment example', () => {
  test('passes, prints the report grouped by data and model checks, and writes JUnit and JSON', async () => {
    await rm(join(exampleDir, 'reports'), { recursive: true, force: true })
    const run = await runCli([], exampleDir)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/Data checks\n[\s\S]*✓ null_check: No null values in text, label \(2385 rows\)/)
    expect(run.stdout).toMatch(/Model checks\n[\s\S]*✓ accuracy_threshold: Accuracy 0\.\d{4} ≥ 0\.80 \(95% CI 0\.\d{4}–0\.\d{4}, n=597\).*\n.*\n\s+! n=597 is too small to tell/)
    expect(run.stdout).toMatch(/✓ latency_p95: P95 latency \d+\.\d\d ms ≤ 50 ms \(p50 [\d.]+, p99 [\d.]+; batch 1, 100 runs after 10 warm-up\)/)
    expect(run.stdout).toMatch(/✓ no_regression: Accuracy 0\.\d{4} vs baseline 0\.\d{4}/)
    expect(run.stdout).toMatch(/Actual: 0\.\d+, Threshold: 0\.8\n/)
    expect(run.stdout).toMatch(/✓ no_overlap: No rows of data\/holdout\.csv appear in data\/train\.csv \(compared on text\)/)
    expect(run.stdout).toMatch(/✓ no_drift: No drift in 1 column: label chi2 \d+\.\d{4} p=[\d.]+ shift share [\d.]+ \(min 0\.02, detectable [\d.]+\)/)
    expect(run.stdout).toMatch(/13\/13 checks passed/)
    expect(run.stdout).toMatch(/tfjs-layers on wasm/)

    const { json, junit } = await reportsIn(exampleDir)
    expect(json.passed).toBe(true)
    expect(json.summary).toEqual({ tests: 13, failedTests: 0, skippedTests: 0, checks: 13, failedChecks: 0 })
    expect(json.runtime).toMatchObject({ modeltest: '0.1.0', vitest: expect.stringMatching(/^4\.1\./), '@tensorflow/tfjs': expect.any(String) })
    expect(json.datasets.map((d) => d.name).sort()).toEqual(['data/holdout.csv', 'data/holdout.csv head(1)', 'data/train.csv'])
    expect(json.models.map((m) => [m.name, m.runtime])).toEqual([
      ['models/candidate/model.json', 'tfjs-layers on wasm'],
      ['models/baseline/model.json', 'tfjs-layers on wasm'],
    ])
    expect(json.models[0].hash).toMatch(/^[0-9a-f]{64}$/)

    const cases = testcases(junit)
    expect(cases).toHaveLength(13)
    const accuracy = cases.find((c) => c.name === 'model > accuracy')!
    expect(accuracy.title).toMatch(/^model > accuracy \[accuracy_threshold 0\.\d+ ≥ 0\.8\]$/)
    expect(Number(property(junit, accuracy, 'accuracy_threshold.value'))).toBeGreaterThanOrEqual(0.8)
    expect(property(junit, accuracy, 'accuracy_threshold.threshold')).toBe('0.8')
    expect(property(junit, accuracy, 'accuracy_threshold.passed')).toBe('true')
    expect(property(junit, accuracy, 'accuracy_threshold.interval.low')).toMatch(/^0\.\d+$/)
    expect(property(junit, accuracy, 'accuracy_threshold.interval.method')).toBe('wilson')
  })

  test('passes vitest options through: -t runs only the matching tests', async () => {
    const run = await runCli(['-t', 'schema', '--no-junit', '--no-json', '--no-cache'], exampleDir)
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/1\/1 checks passed/)
  })
})

describe('a model shared by several test files', () => {
  test('is loaded once per worker: the second file adds no weight tensors', async () => {
    const run = await runCli(['--no-junit', '--no-json', '--maxWorkers', '1'], join(fixturesDir, 'cli', 'shared-model'))
    expect(run.code).toBe(0)
    const loads = [...run.stdout.matchAll(/worker (\d+): (\d+) tensors after loading the model in (first|second)/g)]
    expect(loads.map((load) => load[3]).sort()).toEqual(['first', 'second'])
    expect(loads[0][1]).toBe(loads[1][1])
    expect(loads[0][2]).toBe(loads[1][2])
  })
})

describe('modeltest on the broken variant', () => {
  test('exits 1 and names the failing checks in the console, JUnit and JSON reports', async () => {
    await rm(join(brokenDir, 'reports'), { recursive: true, force: true })
    const run = await runCli([], brokenDir)
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/✗ null_check: Found nulls in 1 of 2 columns: text 30 \(597 rows\)/)
    expect(run.stdout).toMatch(/✗ accuracy_threshold: Accuracy 0\.\d{4} < 0\.80 \(95% CI 0\.\d{4}–0\.\d{4}, n=597\)/)
    expect(run.stdout).toMatch(/✗ no_regression: Accuracy 0\.\d{4} vs baseline 0\.\d{4}: drop 0\.\d{4} > max drop 0\.02, significant \(McNemar p=[\d.e-]+ < α 0\.05, n=597\)/)
    expect(run.stdout).toMatch(/✓ latency_p95/)
    expect(run.stdout).toMatch(/1\/4 checks passed/)
    expect(run.stdout).toMatch(/FAILED/)

    const { json, junit } = await reportsIn(brokenDir)
    expect(json.passed).toBe(false)
    const failed = json.tests
      .flatMap((t) => t.checks)
      .filter((c) => !c.passed)
      .map((c) => c.name)
    expect(failed).toEqual(['null_check', 'accuracy_threshold', 'no_regression'])

    const cases = testcases(junit)
    const failures = cases.filter((c) => c.failure).map((c) => c.name)
    expect(failures).toEqual(['data > no nulls in holdout data', 'model > accuracy', 'model > no regression from the baseline'])
    const nulls = cases.find((c) => c.name === 'data > no nulls in holdout data')!
    expect((nulls.failure as { message: string }).message).toMatch(/^null_check 30 > 0 \(n=597\): Found nulls in 1 of 2 columns: text 30/)
    expect(property(junit, nulls, 'null_check.value')).toBe('30')
    expect(property(junit, nulls, 'null_check.passed')).toBe('false')
    const suites = xml.parse(junit).testsuites
    expect(suites.tests).toBe('4')
    expect(suites.failures).toBe('3')
    expect(suites.errors).toBe('0')
  })
})

describe('bad input gives a clear message and a non-zero exit', () => {
  test('a malformed CSV: the file, the line, what is wrong', async () => {
    const run = await runCli(['--no-junit', '--no-json'], join(fixturesDir, 'cli', 'malformed-csv'))
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/✗ fixtures\/cli\/malformed-csv\/malformed\.modeltest\.ts > no nulls\n\s+bad\.csv, line 4: a quoted field is not closed/)
    expect(run.stdout).not.toMatch(/at .*\.js:\d+/)
  })

  test('a missing model file', async () => {
    const run = await runCli(['--no-junit', '--no-json'], join(fixturesDir, 'cli', 'missing-model'))
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/models\/not-trained-yet\/model\.json: no model file here\n\s+Give the path of a tfjs model\.json/)
  })

  test('a label column that does not exist lists the columns that do', async () => {
    const run = await runCli(['--no-junit', '--no-json'], join(fixturesDir, 'cli', 'missing-label'))
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/holdout\.csv: no column 'sentiment'\n\s+The columns are 'text' and 'label'/)
  })

  test('a directory with no test files', async () => {
    const run = await runCli([], join(fixturesDir, 'cli', 'no-tests'))
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^modeltest: no \*\.modeltest\.ts files under '\.'/)
    expect(run.stdout).toBe('')
  })

  test('a path that does not exist', async () => {
    const run = await runCli(['no/such/dir'], repoRoot)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/the path 'no\/such\/dir' does not exist/)
  })

  test('tests that pass without any check do not make a passing run', async () => {
    const dir = join(fixturesDir, 'cli', 'no-checks')
    const run = await runCli(['--no-junit'], dir)
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/No modeltest check ran/)
    const json: RunReport = JSON.parse(await readFile(join(dir, 'reports', 'modeltest.json'), 'utf8'))
    expect(json.passed).toBe(false)
    await rm(join(dir, 'reports'), { recursive: true, force: true })
  })
})

describe('plain vitest with the preset in a user vitest.config.ts', () => {
  test('registers the matchers and writes the modeltest reports', async () => {
    const dir = join(fixturesDir, 'vitest-preset')
    await rm(join(dir, 'reports'), { recursive: true, force: true })
    const vitestBin = join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs')
    const { execFile } = await import('node:child_process')
    const output = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(process.execPath, [vitestBin, 'run'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout) => resolve({ code: error ? 1 : 0, stdout })),
    )
    expect(output.code).toBe(0)
    expect(output.stdout).toMatch(/2\/2 checks passed/)
    const { json } = await reportsIn(dir)
    expect(json.summary.checks).toBe(2)
    await rm(join(dir, 'reports'), { recursive: true, force: true })
  })
})

describe('modeltest validate', () => {
  async function validate(file: string, extra: string[] = []) {
    const dir = await tempDir()
    const output = join(dir, 'report.json')
    const run = await runCli(['validate', file, '--columns', 'text,label', '--label', 'label', '--min-samples', '1000', '--output', output, ...extra], repoRoot)
    return { run, report: run.code === 2 ? undefined : JSON.parse(await readFile(output, 'utf8')) }
  }

  test.each([
    ['examples/sentiment/data/train.csv', 'seed-validation-train.json', 0],
    ['fixtures/sentiment-broken/holdout-with-nulls.csv', 'seed-validation-broken.json', 1],
  ])('agrees with the tutorial validator on %s', async (file, goldenName, code) => {
    // Golden: the output of ../shared/bench/seed_data_validation.py (pandas) on the same file.
    const seed = JSON.parse(await readFile(join(repoRoot, 'test', 'golden', goldenName), 'utf8'))
    const { run, report } = await validate(file)
    expect(run.code).toBe(code)
    expect(run.stdout.split('\n')[0]).toBe(`Checks: ${String(seed.passed_checks)}/${String(seed.total_checks)} passed`)
    for (const key of ['dataset_path', 'dataset_hash', 'total_checks', 'passed_checks', 'failed_checks']) expect(report[key]).toEqual(seed[key])
    const pick = (results: { name: string; passed: boolean }[]) => results.map(({ name, passed }) => ({ name, passed }))
    expect(pick(report.results)).toEqual(pick(seed.results))
    const nullResult = report.results.find((r: { name: string }) => r.name === 'null_check')
    expect(nullResult.details.null_counts).toEqual(seed.results[1].details?.null_counts ?? {})
  })

  test('fails the class balance check above --max-imbalance', async () => {
    const { run } = await validate('examples/sentiment/data/train.csv', ['--max-imbalance', '0.5'])
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/✗ class_balance: Class imbalance: 50\.61% in majority class '\d' > 0\.50/)
  })

  test('a missing label column fails that check and the others still run', async () => {
    const dir = await tempDir()
    const run = await runCli(['validate', 'examples/sentiment/data/train.csv', '--columns', 'text', '--label', 'sentiment', '--output', join(dir, 'r.json')], repoRoot)
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/✓ null_check/)
    expect(run.stdout).toMatch(/✗ class_balance: no column 'sentiment'/)
  })

  test('runs the new checks from flags, on every input format', async () => {
    for (const extension of ['csv', 'tsv', 'jsonl', 'parquet', 'arrow']) {
      const dir = await tempDir()
      const output = join(dir, 'report.json')
      const run = await runCli(
        [
          'validate',
          `fixtures/data/penguins.${extension}`,
          '--columns',
          'species,island',
          '--label',
          'species',
          '--min-samples',
          '300',
          '--min-class-count',
          '60',
          '--schema',
          'species:string,body_mass_g:int',
          '--range',
          'flipper_length_mm:170:235',
          '--values',
          'island:Biscoe,Dream,Torgersen',
          '--pattern',
          'species:^[A-Z][a-z]+$',
          '--unique',
          'species,island,bill_length_mm,bill_depth_mm,body_mass_g,sex',
          '--no-duplicate-rows',
          '--drift-from',
          'fixtures/data/penguins.csv',
          '--output',
          output,
        ],
        repoRoot,
      )
      expect(run.stderr).toBe('')
      expect(run.stdout.split('\n')[0]).toBe('Checks: 12/12 passed')
      const report = JSON.parse(await readFile(output, 'utf8'))
      expect(report.results.map((r: { name: string }) => r.name)).toEqual([
        'schema_validation',
        'null_check',
        'min_samples',
        'class_balance',
        'min_class_count',
        'schema_match',
        'values_between',
        'values_in_set',
        'pattern_match',
        'unique_values',
        'duplicate_rows',
        'no_drift',
      ])
    }
  })

  test('fails the checks the data breaks, and counts skipped bad rows', async () => {
    const dir = await tempDir({ 'bad.csv': 'id,label\n1,0\n2,1,extra\n2,1\n3,5\n3,1\n' })
    const run = await runCli(['validate', join(dir, 'bad.csv'), '--label', 'label', '--min-samples', '1', '--values', 'label:0,1', '--unique', 'id', '--bad-rows', 'skip', '--output', join(dir, 'r.json')], repoRoot)
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/! 1 malformed rows skipped, first at line 3/)
    expect(run.stdout).toMatch(/✗ values_in_set: 1 of 4 values of label not in \{0, 1\}: '5' ×1/)
    expect(run.stdout).toMatch(/✗ unique_values: 1 duplicate rows in id/)
  })

  test('usage errors exit 2 with a message', async () => {
    const noFile = await runCli(['validate', '--columns', 'text'], repoRoot)
    expect(noFile.code).toBe(2)
    expect(noFile.stderr).toMatch(/modeltest validate needs one data file/)
    const needsLabel = await runCli(['validate', 'examples/sentiment/data/train.csv', '--min-class-count', '5'], repoRoot)
    expect(needsLabel.stderr).toMatch(/--min-class-count needs --label/)
    const unknown = await runCli(['validate', 'x.csv', '--columns', 'a', '--label', 'a', '--colour'], repoRoot)
    expect(unknown.stderr).toMatch(/unknown option --colour/)
    const missing = await runCli(['validate', 'no/such.csv', '--columns', 'a', '--label', 'a'], repoRoot)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/no\/such\.csv: the file does not exist/)
  })
})
