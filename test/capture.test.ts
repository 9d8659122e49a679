import { execFile } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { once } from 'node:events'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { CaptureDataset, dataset, model } from '../src/index.js'
import { queryRows } from '../src/data/duckdb.js'
import { startFakeS3, type FakeS3 } from './fake-s3/s3rver.js'
import { fixturesDir, lastRecord, rejection, repoRoot, tempDir } from './helpers.js'

// Matchers are registered by src/cli/setup.ts.

const captures = join(fixturesDir, 'capture')
const local = join(captures, 'penguins-prod', 'AllTraffic')
const groundTruth = join(captures, 'ground-truth', 'penguins-prod')
const features = ['bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g']
const day = { since: '2026-11-23T00:00:00Z', until: '2026-11-24T00:00:00Z' }
const penguins = await dataset(join(fixturesDir, 'data', 'penguins.csv'))

describe('dataset.capture() on a local folder of the Data Capture layout', () => {
  test('reads CSV, JSON and BASE64 payloads into features, scores and ids; a missing hour holds 0 files', async () => {
    const week = await dataset.capture(local, { ...day, features })
    expect(week).toBeInstanceOf(CaptureDataset)
    expect(week.rowCount).toBe(30)
    expect(week.columnNames).toEqual(['event_id', 'inference_id', 'inference_time', ...features, 'score_0', 'score_1', 'score_2'])
    expect(week.schema).toMatchObject({ bill_length_mm: 'float', flipper_length_mm: 'int', score_0: 'float', inference_time: 'date' })
    expect(week.source).toBe('capture penguins-prod/AllTraffic 2026-11-23T00:00Z–2026-11-24T00:00Z')
    expect(week.capture).toMatchObject({ endpoint: 'penguins-prod', variant: 'AllTraffic', files: 3, records: 30, scores: ['score_0', 'score_1', 'score_2'] })
    expect(week.capture.hours).toHaveLength(24)
    expect(week.capture.hours.filter((hour) => hour.files > 0).map((hour) => hour.hour)).toEqual(['2026/11/23/10', '2026/11/23/11', '2026/11/23/13'])
    // The same bird in each encoding: CSV (hour 10), JSON (hour 11), BASE64 (hour 13).
    const rows = await week.rows()
    const [csv, json, base64] = ['request-0', 'request-1', 'request-2'].map((id) => rows.find((row) => row.inference_id === id)!)
    expect(csv).toMatchObject({ event_id: '8f1e6a2c-0000-4000-8000-000000000000', inference_time: '2026-11-23T10:00:07', bill_length_mm: 39.1, body_mass_g: 3750, score_0: 0.8 })
    expect(json).toMatchObject({ bill_length_mm: 39.5, bill_depth_mm: 17.4, flipper_length_mm: 186, body_mass_g: 3800, score_0: 0.8 })
    expect(base64).toMatchObject({ bill_length_mm: 40.3, body_mass_g: 3250, score_0: 0.8, score_1: 0.1 })
  })

  test('since and until keep only the records of the range', async () => {
    const hour = await dataset.capture(local, { since: '2026-11-23T11:00:00Z', until: '2026-11-23T12:00:00Z', features })
    expect(hour.rowCount).toBe(10)
    expect(hour.capture.hours).toEqual([{ hour: '2026/11/23/11', files: 1 }])
  })

  test('ground truth is joined on the event id; rows without a label are counted and named, never dropped', async () => {
    const week = await dataset.capture(local, { ...day, features, groundTruth })
    expect(week.rowCount).toBe(30)
    expect(week.capture.groundTruth).toMatchObject({ labels: 27, unlabelled: 3, joinOn: 'eventId', label: 'label' })
    expect(await week.column('label')).toContain(null)
    const labelled = week.labelled()
    expect(labelled.rowCount).toBe(27)
    expect(labelled.source).toContain('labelled (3 of 30 captured rows had no ground truth)')
  })

  test('joinOn inferenceId matches the labels against the ids the caller gave', async () => {
    const folder = await tempDir()
    await mkdir(join(folder, '2026', '11', '24', '09'), { recursive: true })
    const lines = [0, 1, 2].map((i) => JSON.stringify({ groundTruthData: { data: '2', encoding: 'CSV' }, eventMetadata: { eventId: `request-${i}` }, eventVersion: '0' }))
    await writeFile(join(folder, '2026', '11', '24', '09', 'labels.jsonl'), lines.join('\n'))
    const week = await dataset.capture(local, { ...day, features, groundTruth: folder, joinOn: 'inferenceId', label: 'species' })
    expect(week.labelled().rowCount).toBe(3)
    expect(await week.labelled().column('species')).toEqual([2, 2, 2])
  })

  test('two labels for one event are an error naming both', async () => {
    const folder = await tempDir()
    await mkdir(join(folder, '2026', '11', '24', '09'), { recursive: true })
    const label = (data: string) => JSON.stringify({ groundTruthData: { data, encoding: 'JSON' }, eventMetadata: { eventId: '8f1e6a2c-0000-4000-8000-000000000000' }, eventVersion: '0' })
    await writeFile(join(folder, '2026', '11', '24', '09', 'labels.jsonl'), [label('0'), label('1')].join('\n'))
    const error = await rejection(dataset.capture(local, { ...day, features, groundTruth: folder }))
    expect(error.message).toMatch(/two ground-truth labels for the event '8f1e6a2c-0000-4000-8000-000000000000'/)
    expect(error.message).toMatch(/labels\.jsonl, line 1; .*labels\.jsonl, line 2/)
    // The staging tables of the failed read (and of every read before) are gone.
    expect(await queryRows("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'ground_truth%'")).toEqual([])
  })

  test('a malformed line stops the read naming file and line; badRows skip counts and reports each', async () => {
    const broken = join(captures, 'malformed', 'penguins-prod', 'AllTraffic')
    const error = await rejection(dataset.capture(broken, { ...day, features }))
    expect(error.message).toContain(`${join(broken, '2026/11/23/10/broken.jsonl')}, line 2: the line is not valid JSON`)
    const skipped = await dataset.capture(broken, { ...day, features, badRows: 'skip' })
    expect(skipped.rowCount).toBe(2)
    expect(skipped.badRows!.count).toBe(3)
    expect(skipped.badRows!.examples.map((example) => [example.line, example.error.replace(/^.*broken\.jsonl: /, '')])).toEqual([
      [2, 'the line is not valid JSON'],
      [3, 'the captured input does not read as rows: CSV line 1 has 3 values, expected 4 (bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g)'],
      [4, 'captureData.endpointInput.data is not valid base64'],
    ])
  })

  test('a JSON payload whose names do not match features is refused, naming the feature', async () => {
    const renamed = features.map((name) => (name === 'body_mass_g' ? 'mass' : name))
    const error = await rejection(dataset.capture(local, { since: '2026-11-23T11:00:00Z', until: '2026-11-23T12:00:00Z', features: renamed }))
    expect(error.message).toMatch(/2026-11-23-11-capture-a1b2c3\.jsonl, line 1: the captured input has no feature 'mass'/)
  })

  test('CSV inputs without features, an empty range, a bad time and an unknown option are errors that say what to do', async () => {
    expect((await rejection(dataset.capture(local, day))).message).toMatch(/CSV inputs, whose values have no names[\s\S]*Pass \{ features/)
    expect((await rejection(dataset.capture(local, { since: '2026-11-20T00:00:00Z', until: '2026-11-21T00:00:00Z', features }))).message).toMatch(
      /no captured requests between 2026-11-20T00:00Z and 2026-11-21T00:00Z: 0 files in 24 hour folders listed/,
    )
    expect((await rejection(dataset.capture(local, { since: 'last week', features }))).message).toMatch(/since must be a Date or an ISO time, got 'last week'/)
    expect((await rejection(dataset.capture(local, { ...day, feature: features } as never))).message).toMatch(/feature.*features/)
    expect((await rejection(dataset.capture(local, { ...day, features, scores: ['a', 'b'] }))).message).toMatch(/scores names 2 columns, but the captured outputs hold 3 scores per row/)
  })
})

test('a capture larger than the JS heap reads within it: lines are decoded one at a time into DuckDB', { timeout: 60_000 }, async () => {
  // 1,500 requests of 10 texts of 2,000 characters, base64-encoded JSON: 15,000 rows in about 40 MB of lines,
  // read by a process whose V8 heap may not pass 32 MB. Holding the lines, or the rows as objects, would not fit.
  const folder = await tempDir()
  const hour = join(folder, 'text-prod', 'AllTraffic', '2026', '11', '23', '10')
  await mkdir(hour, { recursive: true })
  const out = createWriteStream(join(hour, 'capture.jsonl'))
  for (let i = 0; i < 1500; i++) {
    const instances = Array.from({ length: 10 }, (_, r) => ({ text: `${i}:${r} `.padEnd(2000, 'abcdefghij') }))
    const line = JSON.stringify({
      captureData: {
        endpointInput: { observedContentType: 'application/json', mode: 'INPUT', data: Buffer.from(JSON.stringify({ instances })).toString('base64'), encoding: 'BASE64' },
        endpointOutput: { observedContentType: 'application/json', mode: 'OUTPUT', data: JSON.stringify({ predictions: instances.map(() => [0.3, 0.7]) }), encoding: 'JSON' },
      },
      eventMetadata: { eventId: `event-${i}`, inferenceTime: '2026-11-23T10:30:00Z' },
      eventVersion: '0',
    })
    if (!out.write(line + '\n')) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
  const script = join(folder, 'read.mts')
  await writeFile(
    script,
    `import { captureDataset } from ${JSON.stringify(join(repoRoot, 'src', 'data', 'capture.ts'))}
const data = await captureDataset(${JSON.stringify(join(folder, 'text-prod', 'AllTraffic'))})
console.log(JSON.stringify({ rows: data.rowCount, columns: data.columnNames }))\n`,
  )
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, ['--max-old-space-size=32', '--import', 'tsx', script], { cwd: repoRoot, env: { ...process.env, MODELTEST_DUCKDB_THREADS: '1' } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  )
  expect(result.code, result.stderr.slice(-2000)).toBe(0)
  expect(JSON.parse(result.stdout.trim().split('\n').at(-1)!)).toEqual({ rows: 15_000, columns: ['event_id', 'inference_id', 'inference_time', 'text', 'score_0', 'score_1'] })
})

describe('model.captured(): checks on what production answered', () => {
  let week: CaptureDataset
  beforeAll(async () => {
    week = await dataset.capture(local, { ...day, features, groundTruth })
  })

  test('toMeetAccuracy on the recorded outputs: 22 of the 27 labelled rows, named by endpoint, variant and range', async ({ task }) => {
    const production = model.captured(week)
    await expect(production).toMeetAccuracy(0.8, { on: week.labelled(), label: 'label' })
    const record = lastRecord(task)
    expect(record.actual).toBeCloseTo(22 / 27, 12)
    expect(record.model).toMatchObject({ name: 'penguins-prod/AllTraffic (captured)', runtime: 'captured' })
    expect(record.data!.name).toBe('capture penguins-prod/AllTraffic 2026-11-23T00:00Z–2026-11-24T00:00Z, labelled (3 of 30 captured rows had no ground truth)')
    await expect(expect(production).toMeetAccuracy(0.9, { on: week.labelled(), label: 'label' })).rejects.toThrow(/0\.8148/)
    await expect(production).not.toMeetAccuracy(0.9, { on: week.labelled(), label: 'label' })
  })

  test('toMeetMetric and toNotRegressFrom compare a candidate with production on the captured rows', async () => {
    const production = model.captured(week)
    await expect(production).toMeetMetric('f1', 0.7, { on: week.labelled(), label: 'label', average: 'macro' })
    const candidate = await model(join(fixturesDir, 'models', 'penguins.onnx'), { features })
    await expect(candidate).toNotRegressFrom(production, { on: week.labelled(), label: 'label', maxDrop: 0.02 })
  })

  test('slices of the recorded outputs: accuracy by class, 9 labelled rows each', async ({ task }) => {
    await expect(model.captured(week)).toMeetAccuracy(0.5, { on: week.labelled(), label: 'label', by: 'label', minSliceSize: 5 })
    const slices = (lastRecord(task).details as { slices: { slice: string; n: number; value?: number }[] }).slices
    expect(slices.map((slice) => [slice.slice, slice.n, slice.value])).toEqual([
      ['0', 9, 7 / 9],
      ['1', 9, 7 / 9],
      ['2', 9, 8 / 9],
    ])
  })

  test('on the capture itself, whose unlabelled rows have a null label, the label check fails naming the row', async () => {
    await expect(expect(model.captured(week)).toMeetAccuracy(0.8, { on: week, label: 'label' })).rejects.toThrow(/label is null at row/)
  })

  test('toHaveNoDriftFrom compares the captured inputs with the training data', async () => {
    await expect(week).toHaveNoDriftFrom(penguins, { columns: ['flipper_length_mm'], test: 'psi', threshold: 10 })
    await expect(expect(week).toHaveNoDriftFrom(penguins, { columns: ['body_mass_g'] })).resolves.toBeUndefined()
  })

  test('a captured model scores only rows that carry its score columns', async () => {
    await expect(model.captured(week).predict(penguins)).rejects.toThrow(/the rows have no column 'score_0': a captured model scores only the rows of its capture/)
    expect(() => model.captured(penguins)).toThrow(/this dataset is not a capture/)
  })
})

describe('dataset.capture() on S3 (s3rver)', { timeout: 60_000 }, () => {
  let s3: FakeS3
  const prefix = 'capture/penguins-prod/AllTraffic'
  beforeAll(async () => {
    s3 = await startFakeS3(undefined, 'monitoring')
    // dataset.capture() builds its S3 client as in production: from the environment.
    Object.assign(process.env, s3.env)
    // The fixture's three hours, and 45 more hours of one record each: many hour folders, several pages each at a page size of 2.
    for (const hour of ['2026/11/23/10', '2026/11/23/11', '2026/11/23/13']) {
      const name = `${hour.replace(/\//g, '-')}-capture-a1b2c3.jsonl`
      await s3.put(`${prefix}/${hour}/${name}`, await readFile(join(local, hour, name)))
    }
    const line = (await readFile(join(local, '2026/11/23/10/2026-11-23-10-capture-a1b2c3.jsonl'), 'utf8')).split('\n')[0]
    for (let h = 0; h < 45; h++) {
      const time = new Date(Date.UTC(2026, 10, 25) + h * 3_600_000)
      const hour = time.toISOString().slice(0, 13).replace(/[-T]/g, '/')
      const record = line.replace('2026-11-23T10:00:07Z', time.toISOString()).replace('request-0', `late-${h}`).replace('8f1e6a2c-0000-4000-8000-000000000000', `late-event-${h}`)
      for (const part of ['a', 'b', 'c']) await s3.put(`${prefix}/${hour}/part-${part}.jsonl`, part === 'a' ? record : '')
    }
    await s3.put(`${prefix}/2026/11/24/09/notes.txt`, 'not a capture file: listed, and left alone')
    await s3.put('ground-truth/penguins-prod/2026/11/24/09/labels.jsonl', await readFile(join(groundTruth, '2026/11/24/09/labels.jsonl')))
  })
  afterAll(async () => {
    for (const name of Object.keys(s3?.env ?? {})) Reflect.deleteProperty(process.env, name)
    await s3?.close()
  })

  test('lists only the hour prefixes of the range, page by page, and reads the objects', async () => {
    const before = s3.requests.length
    const capture = await dataset.capture(`s3://monitoring/${prefix}/`, { since: '2026-11-23T10:00:00Z', until: '2026-11-26T21:00:00Z', features, listPageSize: 2, groundTruth: 's3://monitoring/ground-truth/penguins-prod/' })
    const requests = s3.requests.slice(before)
    expect(capture.rowCount).toBe(30 + 45)
    expect(capture.capture.files).toBe(3 + 45 * 3)
    expect(capture.capture.groundTruth).toMatchObject({ labels: 27, unlabelled: 3 + 45 })
    expect(capture.source).toBe('capture penguins-prod/AllTraffic 2026-11-23T10:00Z–2026-11-26T21:00Z')
    const listings = requests.filter((request) => request.startsWith('GET /monitoring?') || request.startsWith('GET /monitoring/?'))
    // Every listed prefix is one hour of the range; an hour of three files takes two pages of two keys.
    const prefixes = listings.map((request) => decodeURIComponent(/prefix=([^&]*)/.exec(request)![1]))
    expect(prefixes.every((listed) => /^(capture\/penguins-prod\/AllTraffic|ground-truth\/penguins-prod)\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/$/.test(listed))).toBe(true)
    expect(prefixes.filter((listed) => listed === `${prefix}/2026/11/25/00/`)).toHaveLength(2)
    expect(listings.some((request) => request.includes('continuation-token='))).toBe(true)
    expect(new Set(prefixes.filter((listed) => listed.startsWith('capture/'))).size).toBe(24 * 3 + 11)
  })

  test('a bucket that does not exist is an S3 error naming the location', async () => {
    const error = await rejection(dataset.capture('s3://no-such-bucket/capture/penguins-prod/AllTraffic/', { since: '2026-11-23T10:00:00Z', until: '2026-11-23T11:00:00Z', features }))
    expect(error.message).toMatch(/^s3:\/\/no-such-bucket\/capture\/penguins-prod\/AllTraffic\/2026\/11\/23\/10\/: S3 ListObjectsV2 failed: NoSuchBucket/)
  })
})
