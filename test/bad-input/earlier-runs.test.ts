import { readFileSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { readReport, requirePassedReport, type RunReport } from '../../src/index.js'
import { checkReportContent, reportSchema } from '../../src/report-schema.js'
import { exampleDir, fixturesDir, rejection, repoRoot, runCli, tempDir } from '../helpers.js'

const model = join(fixturesDir, 'models', 'penguins.onnx')

/** Real reports, written by the built command: the example's (passing, with a baseline comparison), a failing run's, and a shard result. */
const real: { passed?: RunReport; compared?: RunReport; failed?: RunReport; shard?: unknown } = {}

beforeAll(async () => {
  const out = await tempDir()
  const json = (name: string) => ['--json', join(out, name), '--no-junit', '--no-html', '--no-summary']
  const example = await runCli(json('example.json'), exampleDir)
  expect(example.code, example.stderr).toBe(0)
  const compared = await runCli([...json('compared.json'), '--baseline-report', join(out, 'example.json')], exampleDir)
  expect(compared.code, compared.stderr).toBe(0)
  const failed = await runCli(json('failed.json'), join(fixturesDir, 'sentiment-broken'))
  expect(failed.code).toBe(1)
  const shard = await runCli(['.', '--shard', '1/2', ...json('sharded/modeltest.json')], join(fixturesDir, 'sharded'))
  expect(shard.code, shard.stderr).toBe(0)
  const read = async (path: string) => JSON.parse(await readFile(join(out, path), 'utf8'))
  Object.assign(real, { passed: await read('example.json'), compared: await read('compared.json'), failed: await read('failed.json'), shard: await read('sharded/shards/shard-1-of-2.json') })
})

describe('the published schema matches what modeltest writes', () => {
  test('the package exports it under its name', async () => {
    const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8'))
    expect(pkg.files).toContain('schema')
    expect(pkg.exports['./schema/modeltest-report.schema.json']).toBe('./schema/modeltest-report.schema.json')
    expect(reportSchema()).toMatchObject({ title: 'modeltest-report/1', properties: { format: { const: 'modeltest-report/1' } } })
  })

  test.each(['passed', 'compared', 'failed'] as const)('a real report (%s) validates', (name) => {
    const report = real[name]!
    expect(() => checkReportContent(report, name, 'report')).not.toThrow()
    expect(report.tests.flatMap((test) => test.checks).length).toBeGreaterThan(0)
  })

  test('the comparison and the failure are in them, so the schema covers those fields', () => {
    expect(real.compared!.baselineReport).toBeDefined()
    expect(real.compared!.tests.some((test) => test.checks.some((check) => check.previous))).toBe(true)
    expect(real.failed!.passed).toBe(false)
  })

  test('a real shard result validates', () => expect(() => checkReportContent(real.shard, 'shard', 'shard')).not.toThrow())
})

/** A passing report with one change applied: what a broken or hand-edited file from an earlier run looks like. */
function broken(change: (report: Record<string, any>) => void): string {
  const report = structuredClone(real.passed!) as unknown as Record<string, any>
  change(report)
  return JSON.stringify(report)
}

/** [case, the file's content (made once the real reports are there), what the message says] */
const MALFORMED: [string, () => string, string][] = [
  ['truncated JSON', () => JSON.stringify(real.passed).slice(0, 200), 'is not JSON'],
  ['an empty file', () => '', 'is not JSON'],
  ['a JUnit file', () => '<?xml version="1.0"?><testsuites/>', 'is not JSON'],
  ['a JSON array', () => '[]', 'not a complete modeltest report (the top level is an array, expected an object)'],
  ['JSON null', () => 'null', 'not a complete modeltest report (the top level is null, expected an object)'],
  ['another JSON object', () => '{"name":"x","version":"1.0.0"}', 'not a complete modeltest report (missing format)'],
  ['missing tests[0].checks', () => broken((r) => delete r.tests[0].checks), 'not a complete modeltest report (missing tests[0].checks)'],
  ['missing summary', () => broken((r) => delete r.summary), 'not a complete modeltest report (missing summary)'],
  ['missing a check field', () => broken((r) => delete r.tests[0].checks[0].passed), 'not a complete modeltest report (missing tests[0].checks[0].passed)'],
  ['missing a model hash', () => broken((r) => delete r.models[0].hash), 'not a complete modeltest report (missing models[0].hash)'],
  ['tests not an array', () => broken((r) => (r.tests = {})), 'not a complete modeltest report (tests is an object, expected an array)'],
  ['actual a string', () => broken((r) => (r.tests[0].checks[0].actual = '0.9')), 'not a complete modeltest report (tests[0].checks[0].actual is a string, expected a number or null)'],
  ['passed a string', () => broken((r) => (r.passed = 'true')), 'not a complete modeltest report (passed is a string, expected a boolean)'],
  ['an unknown test state', () => broken((r) => (r.tests[1].state = 'done')), "not a complete modeltest report (tests[1].state is 'done', expected one of 'passed', 'failed', 'skipped')"],
  ['a fractional count', () => broken((r) => (r.summary.checks = 1.5)), 'not a complete modeltest report (summary.checks is a number, expected an integer)'],
  ['a future format', () => broken((r) => (r.format = 'modeltest-report/2')), 'written by another version of modeltest (format modeltest-report/2; this one reads modeltest-report/1)'],
  ['another format', () => broken((r) => (r.format = 'vitest-json')), "not a complete modeltest report (format is 'vitest-json', expected 'modeltest-report/1')"],
]

async function writeReport(content: string): Promise<string> {
  const file = join(await tempDir(), 'modeltest.json')
  await writeFile(file, content)
  return file
}

describe('--baseline-report: a file that is not a complete report is named, with its first missing or wrong field', () => {
  test.each(MALFORMED)('%s', async (_, content, message) => {
    const file = await writeReport(content())
    const error = await rejection(readReport(file, 'baseline report'))
    expect(error.message).toContain(`${file}: `)
    expect(error.message).toContain(message)
    expect(error.fix).toBeTruthy()
  })

  test('on the command line: exit 2, the message, no stack trace, no run', async () => {
    const file = await writeReport(broken((r) => delete r.tests[0].checks))
    const run = await runCli(['--baseline-report', file], join(fixturesDir, 'sharded'))
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(`modeltest: ${file}: not a complete modeltest report (missing tests[0].checks)\n  Give the reports/modeltest.json an earlier modeltest run wrote, whole (a download cut short leaves it incomplete).\n`)
    expect(run.stdout).toBe('')
  })
})

describe("deploy's gate: a malformed report is refused the same way", () => {
  test.each(MALFORMED)('%s', async (_, content, message) => {
    const file = await writeReport(content())
    const error = await rejection(requirePassedReport({ report: file, model, log: () => {} }))
    expect(error.message).toContain(`${file}: `)
    expect(error.message).toContain(message)
  })

  test('on the command line: exit 2 before any AWS call', async () => {
    const file = await writeReport(broken((r) => delete r.models))
    const run = await runCli(
      [
        'deploy',
        'sagemaker',
        '--report',
        file,
        '--model',
        model,
        '--endpoint',
        'sentiment-staging',
        '--model-name',
        'sentiment',
        '--image',
        '123456789012.dkr.ecr.us-east-1.amazonaws.com/sentiment:1.4',
        '--model-data',
        's3://ml-models/sentiment/model.tar.gz',
        '--role',
        'arn:aws:iam::123456789012:role/SageMakerExecution',
        '--region',
        'us-east-1',
      ],
      repoRoot,
      { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
    )
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`${file}: not a complete modeltest report (missing models)`)
    expect(run.stderr).not.toMatch(/\n\s+at |Cannot read/)
  })
})

describe('modeltest merge: a broken shard result is named', () => {
  /** A folder with shard 2/2 as the real one and shard 1/2 as `content`. */
  async function shardFolder(content: string): Promise<string> {
    const dir = await tempDir()
    await mkdir(join(dir, 'shards'))
    await writeFile(join(dir, 'shards', 'shard-2-of-2.json'), JSON.stringify({ ...(real.shard as object), shard: { index: 2, count: 2 } }))
    await writeFile(join(dir, 'shards', 'shard-1-of-2.json'), content)
    return dir
  }
  const shard = (change: (result: Record<string, any>) => void) => {
    const result = structuredClone(real.shard) as Record<string, any>
    change(result)
    return JSON.stringify(result)
  }

  test.each([
    ['truncated JSON', () => JSON.stringify(real.shard).slice(0, 100), /not JSON/],
    ['missing tests', () => shard((r) => delete r.tests), /shard-1-of-2\.json: not a complete modeltest shard result \(missing tests\)/],
    ['missing tests[0].checks', () => shard((r) => delete r.tests[0].checks), /not a complete modeltest shard result \(missing tests\[0\]\.checks\)/],
    ['a shard index that is not a number', () => shard((r) => (r.shard.index = '1')), /not a complete modeltest shard result \(shard\.index is a string, expected an integer\)/],
    ['problems not a list', () => shard((r) => (r.problems = 'none')), /not a complete modeltest shard result \(problems is a string, expected an array\)/],
    ['named as a shard, but not one', () => '{"hello":"world"}', /not a complete modeltest shard result \(missing format\)/],
    ['a future shard format', () => shard((r) => (r.format = 'modeltest-shard/2')), /written by another version of modeltest \(format modeltest-shard\/2; this one reads modeltest-shard\/1\)/],
  ])('%s: exit 2', async (_, content, message) => {
    const dir = await shardFolder(content())
    const run = await runCli(['merge', 'shards', '--no-html', '--no-junit', '--json', 'out.json'], dir)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(message)
    expect(run.stderr).not.toMatch(/\n\s+at |Cannot read/)
  })

  test('whole shards merge, into a report that validates', async () => {
    const dir = await shardFolder(JSON.stringify(real.shard))
    const run = await runCli(['merge', 'shards', '--no-html', '--no-junit', '--json', 'out.json'], dir)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(() => checkReportContent(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')), 'out.json', 'report')).not.toThrow()
  })
})
