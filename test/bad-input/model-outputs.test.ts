import { readdir, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { Model, dataset, isModel, model, serveModel, type Row } from '../../src/index.js'
import * as builtCopy from '../../dist/src/index.js'
import { fixturesDir, rejection, runCli, tempDir } from '../helpers.js'

// Matchers are registered by src/cli/setup.ts (vitest.config.ts loads it).

/** 40 labelled rows in two groups of 20, for metrics and slices; row 3 is the one bad models get wrong. */
const holdout = await dataset(
  Array.from({ length: 40 }, (_, i) => ({ id: i, label: i % 2, target: i / 10, group: i < 20 ? 'a' : 'b' })),
  { name: 'holdout' },
)
const on = { on: holdout, label: 'label' }

/** Right on every row. */
const good = await model(async (rows: Row[]) => rows.map((row) => (row.label === 1 ? [0.1, 0.9] : [0.9, 0.1])), { name: 'good' })
/** Right on every row but row 3, which it scores `bad`: today NaN counts as class 0 and the metric passes. */
const scoring = (bad: number, name: string) => model(async (rows: Row[]) => rows.map((row) => (row.id === 3 ? [bad, 0.5] : row.label === 1 ? [0.1, 0.9] : [0.9, 0.1])), { name })
const nanModel = await scoring(NaN, 'nan-scores')
const infinityModel = await scoring(Infinity, 'infinite-scores')
const nanRegressor = await model(async (rows: Row[]) => rows.map((row) => (row.id === 3 ? NaN : (row.target as number))), { name: 'nan-regressor' })
const three = await dataset([{ x: 1 }, { x: 2 }, { x: 3 }], { name: 'three' })
/** Six penguin-like rows for the ONNX model. */
const six = await dataset(
  Array.from({ length: 6 }, (_, i) => ({ a: i, b: 1, c: 2, d: 3, label: i % 3 })),
  { name: 'six' },
)

describe('NaN or Infinity in the scores fails every metric check, naming the model and the first bad row', () => {
  const checks: [string, (m: Model) => Promise<unknown>][] = [
    ['toMeetAccuracy', (m) => expect(m).toMeetAccuracy(0.5, on)],
    ['toMeetAccuracy with { confidence }', (m) => expect(m).toMeetAccuracy(0.5, { ...on, confidence: 0.95 })],
    ['toMeetAccuracy by slice', (m) => expect(m).toMeetAccuracy(0.5, { ...on, by: 'group', minSliceSize: 5 })],
    ['toMeetMetric accuracy', (m) => expect(m).toMeetMetric('accuracy', 0.5, on)],
    ['toMeetMetric f1', (m) => expect(m).toMeetMetric('f1', 0.5, on)],
    ['toMeetMetric roc_auc', (m) => expect(m).toMeetMetric('roc_auc', 0.5, on)],
    ['toMeetMetric log_loss', (m) => expect(m).toMeetMetric('log_loss', 5, on)],
    ['toMeetMetric by slice', (m) => expect(m).toMeetMetric('f1', 0.5, { ...on, by: 'group', minSliceSize: 5 })],
    ['toNotRegressFrom, as the candidate', (m) => expect(m).toNotRegressFrom(good, { ...on, maxDrop: 0.5 })],
    ['toNotRegressFrom, as the baseline', (m) => expect(good).toNotRegressFrom(m, { ...on, maxDrop: 0.5 })],
    ['toBeInvariantTo', (m) => expect(m).toBeInvariantTo((row) => row, { on: holdout })],
  ]

  test.each(checks)('%s: NaN', async (_, check) => {
    const error = await rejection(check(nanModel))
    expect(error.message).toMatch(/^nan-scores: the model scored row 3 of holdout as NaN \(score 0 of 2\); 1 of 40 rows have NaN or infinite scores/)
    expect(error.fix).toMatch(/toProduceFiniteOutputs/)
  })

  test.each(checks)('%s: Infinity', async (_, check) => {
    await expect(check(infinityModel)).rejects.toThrow(/^infinite-scores: the model scored row 3 of holdout as Infinity/)
  })

  test.each([
    ['toMeetAccuracy', (m: Model) => expect(m).not.toMeetAccuracy(0.99, on)],
    ['toMeetMetric', (m: Model) => expect(m).not.toMeetMetric('f1', 0.99, on)],
    ['toNotRegressFrom', (m: Model) => expect(m).not.toNotRegressFrom(good, { ...on, maxDrop: 0 })],
  ])('%s under .not fails too (a failing record would pass there)', async (_, check) => {
    await expect(check(nanModel)).rejects.toThrow(/nan-scores: the model scored row 3 of holdout as NaN/)
  })

  test('regression metrics', async () => {
    await expect(expect(nanRegressor).toMeetMetric('mae', 1, { on: holdout, label: 'target' })).rejects.toThrow(/^nan-regressor: the model scored row 3 of holdout as NaN; 1 of 40 rows/)
    await expect(expect(nanRegressor).toMeetMetric('r2', 0.5, { on: holdout, label: 'target', by: 'group', minSliceSize: 5 })).rejects.toThrow(/row 3 of holdout as NaN/)
  })

  test('the same models without the bad row pass, and toProduceFiniteOutputs still reports the bad row as a check', async () => {
    await expect(good).toMeetAccuracy(0.99, on)
    await expect(good).toMeetMetric('f1', 0.99, on)
    await expect(good).toProduceFiniteOutputs(holdout)
    await expect(expect(nanModel).toProduceFiniteOutputs(holdout)).rejects.toThrow(/1 of 80 outputs are NaN or Inf, the first at row 3/)
    await expect(nanModel).not.toProduceFiniteOutputs(holdout)
  })
})

describe('a predict function that returns what cannot be scored says so, naming the model and the row of the batch', () => {
  const rows = three
  const returning = (output: (rows: Row[]) => unknown) => model(async (batch: Row[]) => output(batch) as number[], { name: 'my-predict' })

  test.each([
    ['class names, one per row', () => ['pos', 'neg', 'pos'], /my-predict: the predict function returned the class name 'pos' for row 0 of the batch, not a score/],
    ['class names inside rows', () => [[0.1], ['neg'], [0.3]], /returned the class name 'neg' for row 1 of the batch/],
    ['too few results', () => [[0.1, 0.9]], /my-predict: the predict function returned 1 results for a batch of 3 rows/],
    ['too many results', () => [1, 0, 1, 0], /returned 4 results for a batch of 3 rows/],
    ['ragged rows', () => [[0.1, 0.9], [0.5, 0.5], [1]], /my-predict: row 2 of the batch has 1 scores; row 0 has 2 scores/],
    ['a row that is not an array', () => [[0.1, 0.9], 0.5, [0.2, 0.8]], /row 1 of the batch has number 0\.5; row 0 has 2 scores/],
    ['an array where a score is', () => [0.1, [0.5, 0.5], 0.2], /row 1 of the batch has 2 scores; row 0 has one score/],
    ['null', () => [0.1, null, 0.2], /returned null for row 1 of the batch, not a number/],
    ['booleans', () => [true, false, true], /returned boolean true for row 0 of the batch, not a number/],
    [
      'numbers as strings',
      () => [
        ['0.1', '0.9'],
        [0.5, 0.5],
        [0.2, 0.8],
      ],
      /returned the class name '0\.1' for row 0/,
    ],
    ['objects', () => [{ score: 1 }, { score: 0 }, { score: 1 }], /returned an object for row 0 of the batch, not a number/],
    ['no array at all', () => 0.5, /the predict function returned number 0\.5, not an array of scores/],
    ['undefined (no return)', () => undefined, /the predict function returned undefined, not an array of scores/],
  ])('%s', async (_, output, message) => {
    const net = await returning(output)
    await expect(net.predict(rows)).rejects.toThrow(message)
    await expect(expect(net).toMeetAccuracy(0, { on: rows, label: 'x' })).rejects.toThrow(message)
  })

  test('typed arrays and arrays of typed arrays are scores', async () => {
    expect((await (await returning((batch) => Float32Array.from(batch, () => 0.5))).predict(rows)).width).toBe(1)
    expect((await (await returning((batch) => batch.map(() => Float64Array.of(0.2, 0.8)))).predict(rows)).width).toBe(2)
  })
})

describe('a prediction that never settles fails at modeltest’s timeout, naming the model', () => {
  afterEach(() => {
    delete process.env.MODELTEST_PREDICT_TIMEOUT_MS
  })
  const never = () => new Promise<number[]>(() => {})

  test('{ timeoutMs } on a function model: predict, a metric matcher and a latency matcher', async () => {
    const stuck = await model(never, { name: 'stuck', timeoutMs: 50 })
    const error = await rejection(stuck.predict(holdout))
    expect(error.message).toMatch(/^stuck: no scores within 50 ms for a batch of 40 rows: the prediction call did not settle/)
    expect(error.fix).toMatch(/\{ timeoutMs \} in model\(\), predictTimeoutMs in modeltest\.config\.ts, --predict-timeout or MODELTEST_PREDICT_TIMEOUT_MS/)
    await expect(expect(stuck).toMeetAccuracy(0.5, on)).rejects.toThrow(/stuck: no scores within 50 ms/)
    await expect(expect(stuck).toHaveP95LatencyBelow(10, { input: holdout.head(1), runs: 2, warmup: 0 })).rejects.toThrow(/stuck: no scores within 50 ms for a batch of 1 rows/)
  })

  test('MODELTEST_PREDICT_TIMEOUT_MS sets the default; a model’s own timeoutMs wins', async () => {
    process.env.MODELTEST_PREDICT_TIMEOUT_MS = '40'
    const stuck = await model(never, { name: 'stuck-default' })
    expect(stuck.timeoutMs).toBe(40)
    await expect(stuck.predict(holdout)).rejects.toThrow(/stuck-default: no scores within 40 ms/)
    expect((await model(never, { timeoutMs: 1000 })).timeoutMs).toBe(1000)
  })

  test('the default is 60 s, under vitest’s 120 s test timeout', async () => {
    expect((await model(never)).timeoutMs).toBe(60_000)
  })

  test('a preprocess that never settles on an ONNX model', async () => {
    const stuck = await model(join(fixturesDir, 'models', 'penguins.onnx'), { preprocess: () => new Promise<number[][]>(() => {}), timeoutMs: 50, name: 'penguins-stuck' })
    await expect(stuck.predict(holdout)).rejects.toThrow(/penguins-stuck: no scores within 50 ms/)
  })

  test('an HTTP endpoint that never answers', async () => {
    const silent = createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/invocations`
      const remote = model.http(url, { protocol: 'sagemaker', timeoutMs: 100, name: 'silent-endpoint' })
      await expect(expect(remote).toMeetAccuracy(0.5, on)).rejects.toThrow(/^silent-endpoint (\(http:\/\/127\.0\.0\.1:\d+\/invocations\): the endpoint did not answer within 100 ms|: no scores within 100 ms)/)
    } finally {
      silent.closeAllConnections()
      silent.close()
    }
  })

  test('modeltest serve answers 500 for a model that does not answer, naming it', async () => {
    const server = await serveModel(await model(never, { name: 'stuck-server', timeoutMs: 50 }), { port: 0, host: '127.0.0.1' })
    try {
      const response = await fetch(`${server.url}/invocations`, { method: 'POST', body: '[{"a": 1}]', headers: { 'content-type': 'application/json' } })
      expect(response.status).toBe(500)
      expect((await response.json()).error).toMatch(/^the model failed: stuck-server: no scores within 50 ms for a batch of 1 rows/)
    } finally {
      await server.close()
    }
  })

  test('a slow model within its limit is not stopped', async () => {
    const slow = await model(async (rows: Row[]) => new Promise<number[]>((resolve) => setTimeout(() => resolve(rows.map(() => 1)), 30)), { timeoutMs: 2000 })
    expect((await slow.predict(holdout)).rows).toBe(40)
  })

  test('a bad MODELTEST_PREDICT_TIMEOUT_MS is refused, naming the variable', async () => {
    process.env.MODELTEST_PREDICT_TIMEOUT_MS = 'soon'
    const error = await rejection(model(never))
    expect(error.message).toMatch(/^MODELTEST_PREDICT_TIMEOUT_MS: the prediction timeout 'soon' is not a whole number of milliseconds ≥ 1/)
  })
})

describe('the prediction cache keeps no NaN and no error', () => {
  const onnxPath = join(fixturesDir, 'models', 'penguins.onnx')
  const penguins = six
  let dir = ''
  afterEach(() => {
    delete process.env.MODELTEST_CACHE_DIR
  })
  async function cacheEntries(): Promise<string[]> {
    const subs = await readdir(dir).catch(() => [])
    return (await Promise.all(subs.map((sub) => readdir(join(dir, sub))))).flat()
  }

  test('NaN scores are not written; finite ones are', async () => {
    dir = await tempDir()
    process.env.MODELTEST_CACHE_DIR = dir
    const nan = await model(onnxPath, { preprocess: (rows) => rows.map(() => [NaN, 1, 2, 3]), batchSize: 2, name: 'nan-input' })
    const scores = await nan.predict(penguins)
    expect(Number.isNaN(scores.values[0])).toBe(true)
    expect(await cacheEntries()).toEqual([])
    await expect(expect(nan).toMeetAccuracy(0.1, { on: penguins, label: 'label' })).rejects.toThrow(/nan-input: the model scored row 0 of six as NaN/)
    const finite = await model(onnxPath, { features: ['a', 'b', 'c', 'd'], batchSize: 2 })
    await finite.predict(penguins)
    expect(await cacheEntries()).toHaveLength(3)
  })

  test('a batch that fails or times out writes nothing', async () => {
    dir = await tempDir()
    process.env.MODELTEST_CACHE_DIR = dir
    const failing = await model(onnxPath, { preprocess: (rows) => rows.map(() => [1, 2, 3]), name: 'too-narrow' })
    await expect(failing.predict(penguins)).rejects.toThrow(/too-narrow|penguins\.onnx/)
    const stuck = await model(onnxPath, { preprocess: () => new Promise<number[][]>(() => {}), timeoutMs: 30 })
    await expect(stuck.predict(penguins)).rejects.toThrow(/no scores within 30 ms/)
    expect(await cacheEntries()).toEqual([])
  })
})

describe('model() options are checked before anything loads', () => {
  const fn = async (rows: Row[]) => rows.map(() => 1)
  test.each([
    [{ batchsize: 8 }, /model\(\): unknown option 'batchsize' \(did you mean 'batchSize'\?\)/],
    [{ preproces: fn }, /model\(\): unknown option 'preproces' \(did you mean 'preprocess'\?\)/],
    [{ timeout: 5000 }, /model\(\): unknown option 'timeout' \(did you mean 'timeoutMs'\?\)/],
    [{ labels: ['a'] }, /model\(\): unknown option 'labels'/],
    [{ batchSize: 0 }, /model\(\): batchSize must be a whole number ≥ 1, got number 0/],
    [{ batchSize: 2.5 }, /model\(\): batchSize must be a whole number ≥ 1, got number 2\.5/],
    [{ batchSize: '64' }, /model\(\): batchSize must be a whole number ≥ 1, got '64'/],
    [{ features: [] }, /model\(\): features is empty/],
    [{ features: 'bill_length_mm' }, /model\(\): features must be an array of column names, got 'bill_length_mm'/],
    [{ features: ['a', 'a'] }, /model\(\): features names 'a' twice/],
    [{ preprocess: 'bag-of-words' }, /model\(\): preprocess must be a function from rows to the model's input, got 'bag-of-words'/],
    [{ timeoutMs: 0 }, /model\(\): timeoutMs must be a number ≥ 1, got number 0/],
    [{ timeoutMs: Infinity }, /model\(\): timeoutMs must be a number ≥ 1, got number Infinity/],
    [{ name: '' }, /model\(\): name must be a non-empty string, got ''/],
    [{ output: 1 }, /model\(\): output must be a non-empty string, got number 1/],
  ])('%o', async (options, message) => {
    await expect(model(fn, options as never)).rejects.toThrow(message)
    await expect(model(join(fixturesDir, 'models', 'penguins.onnx'), options as never)).rejects.toThrow(message)
  })

  test('options a predict function would ignore', async () => {
    await expect(model(fn, { features: ['a'], name: 'scores' })).rejects.toThrow(/^scores: the option 'features' does not apply to a predict function\n {2}The function gets the rows themselves/)
    await expect(model(fn, { preprocess: (rows) => rows.map(() => [1]), output: 'probabilities' })).rejects.toThrow(/the options 'preprocess' and 'output' do not apply to a predict function/)
  })

  test('options that are not an object', async () => {
    await expect(model(fn, 'fast' as never)).rejects.toThrow(/model\(\): the options must be an object, got 'fast'/)
    await expect(model(fn, null as never)).rejects.toThrow(/model\(\): the options must be an object, got null/)
  })

  test('model.http() and model.sagemaker() check theirs, with their own options allowed', () => {
    expect(() => model.http('http://127.0.0.1:9/invocations', { protocol: 'sagemaker', header: {} } as never)).toThrow(/model\.http\(\): unknown option 'header' \(did you mean 'headers'\?\)/)
    expect(() => model.http('http://127.0.0.1:9/invocations', { protocol: 'sagemaker', headers: {}, timeoutMs: 100, batchSize: 4 })).not.toThrow()
    expect(() => model.sagemaker('endpoint', { varient: 'green' } as never)).toThrow(/model\.sagemaker\(\): unknown option 'varient' \(did you mean 'variant'\?\)/)
    expect(() => model.sagemaker('endpoint', { variant: 'green', region: 'eu-west-1', batchSize: 0 })).toThrow(/model\.sagemaker\(\): batchSize must be a whole number ≥ 1/)
  })
})

describe('models are recognised by a global brand, not instanceof', () => {
  test('a model from another copy of modeltest (the built dist/) passes this copy’s guards and matchers', async () => {
    const other = await builtCopy.model(async (rows: Row[]) => rows.map((row) => (row.label === 1 ? [0.1, 0.9] : [0.9, 0.1])), { name: 'other-copy' })
    expect(other).not.toBeInstanceOf(Model)
    expect(isModel(other)).toBe(true)
    expect(builtCopy.isModel(good)).toBe(true)
    await expect(other).toMeetAccuracy(0.99, on)
    await expect(other).toNotRegressFrom(good, { ...on, maxDrop: 0 })
  })

  test('look-alikes are not models', async () => {
    expect(isModel({ name: 'fake', predict: () => undefined })).toBe(false)
    expect(isModel(null)).toBe(false)
    await expect(expect({ name: 'fake' }).toMeetAccuracy(0.5, on)).rejects.toThrow(/toMeetAccuracy expects a model, got an object/)
  })
})

describe('through the command line', () => {
  const suite = [
    "import { expect, test } from 'vitest'",
    "import { dataset, model } from 'modeltest'",
    "const holdout = await dataset([{ label: 0 }, { label: 1 }, { label: 1 }], { name: 'holdout' })",
    'const nan = await model(async (rows) => rows.map((_, i) => (i === 1 ? [NaN, NaN] : [0.9, 0.1])), { name: "nan-model" })',
    'const stuck = await model(() => new Promise(() => {}), { name: "stuck-model" })',
    "test('nan', async () => { await expect(nan).toMeetAccuracy(0.1, { on: holdout, label: 'label' }) })",
    "test('stuck', async () => { await expect(stuck).toMeetAccuracy(0.1, { on: holdout, label: 'label' }) })",
    '',
  ].join('\n')

  test('NaN scores and a stuck model fail the run and show in the report; --predict-timeout and the config set the limit', async () => {
    const dir = await tempDir({ 'outputs.modeltest.ts': suite })
    const run = await runCli(['--predict-timeout', '300', '--no-html', '--no-junit', '--json', 'report.json'], dir)
    expect(run.code).toBe(1)
    expect(run.stdout + run.stderr).toMatch(/nan-model: the model scored row 1 of holdout as NaN/)
    expect(run.stdout + run.stderr).toMatch(/stuck-model: no scores within 300 ms/)
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as { passed: boolean; tests: { name: string; state: string; errors: string[] }[] }
    expect(report.passed).toBe(false)
    expect(report.tests.map((t) => [t.name, t.state])).toEqual([
      ['nan', 'failed'],
      ['stuck', 'failed'],
    ])
    expect(JSON.stringify(report.tests[0].errors)).toMatch(/nan-model: the model scored row 1 of holdout as NaN/)

    await writeFile(join(dir, 'modeltest.config.ts'), 'export default { predictTimeoutMs: 250, html: false, junit: false, json: false }\n')
    const configured = await runCli(['-t', 'stuck'], dir)
    expect(configured.code).toBe(1)
    expect(configured.stdout + configured.stderr).toMatch(/stuck-model: no scores within 250 ms/)
  })

  test('a bad --predict-timeout is a usage error', async () => {
    const dir = await tempDir({ 'outputs.modeltest.ts': suite })
    const run = await runCli(['--predict-timeout', '1m'], dir)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/--predict-timeout: the prediction timeout '1m' is not a whole number of milliseconds/)
    expect(run.stderr).not.toMatch(/\n\s+at /)
  })
})
