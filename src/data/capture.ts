import { createReadStream } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import type { S3Client } from '@aws-sdk/client-s3'
import type { DuckDBConnection } from '@duckdb/node-api'
import { ModeltestError, listNames } from '../errors.js'
import { checkChoice, checkColumnList, checkNumber, checkOptionKeys, describeValue } from '../guard.js'
import { hashFile, hashText } from '../hash.js'
import { describeAwsError, setupProblem } from '../deploy/aws-errors.js'
import { BadRequest, parseRows } from '../serve/payload.js'
import { Dataset, type BadRows, type DatasetParts } from './dataset.js'
import { ident, newTableName, withConnection } from './duckdb.js'
import { inferTextTypes } from './load.js'
import { appendRows } from './table.js'
import { DUCKDB_TYPE, type ColumnType } from './types.js'

/**
 * SageMaker Data Capture as a dataset. An endpoint with DataCaptureConfig writes every request and answer it
 * samples as one JSON line under `<DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/<file>.jsonl`:
 *
 *     {"captureData": {"endpointInput": {"observedContentType": "text/csv", "mode": "INPUT", "data": "39.1,18.7,181,3750", "encoding": "CSV"},
 *                      "endpointOutput": {"observedContentType": "application/json", "mode": "OUTPUT", "data": "{\"predictions\": [[0.9, 0.05, 0.05]]}", "encoding": "JSON"}},
 *      "eventMetadata": {"eventId": "…", "inferenceId": "…", "inferenceTime": "2026-11-23T10:00:00Z"}, "eventVersion": "0"}
 *
 * and Model Monitor reads ground truth, written later by the user, as `{"groundTruthData": {"data": "1", "encoding": "CSV"},
 * "eventMetadata": {"eventId": "…"}, "eventVersion": "0"}` lines under `<prefix>/yyyy/mm/dd/hh/`.
 */

export interface CaptureOptions {
  /** The first moment read (inclusive): a Date or an ISO time. Only the hour folders from its hour on are listed. Default: everything. */
  since?: Date | string
  /** The end (exclusive); default now. */
  until?: Date | string
  /** The model's feature columns, in order: the names of CSV values and of JSON rows sent as arrays, as `modeltest serve --features` takes them. */
  features?: string[]
  /** Names of the score columns the outputs become; `score_0`, `score_1`, … by default. */
  scores?: string[]
  /** Ground truth in Model Monitor's format (an s3:// prefix or a folder of the same layout), joined as the `label` column. */
  groundTruth?: string
  /** Which capture id the ground truth's `eventMetadata.eventId` matches: `eventId` (default) or the `inferenceId` the caller gave InvokeEndpoint. */
  joinOn?: 'eventId' | 'inferenceId'
  /** The name of the joined label column; `label` by default. */
  label?: string
  /** `error` (default): a malformed line stops the read, naming its file and line. `skip`: such lines are counted, reported and left out. */
  badRows?: 'error' | 'skip'
  /** A name for reports; by default `capture <endpoint>/<variant> <since>–<until>`. */
  name?: string
  /** S3 only: the region (default: the environment's). */
  region?: string
  /** S3 only: milliseconds one request may take (default 30 000). */
  requestTimeoutMs?: number
  /** S3 only: keys per ListObjectsV2 page (1 to 1000, S3's maximum and the default). */
  listPageSize?: number
}

/** What a capture dataset was read from, as its `capture` property and reports show it. */
export interface CaptureInfo {
  endpoint: string
  variant: string
  location: string
  since?: string
  until: string
  /** The hour folders in the range and the files each held: a missing hour holds 0. */
  hours: { hour: string; files: number }[]
  files: number
  /** Captured requests read (one may hold several rows). */
  records: number
  features: string[]
  scores: string[]
  groundTruth?: { location: string; label: string; joinOn: 'eventId' | 'inferenceId'; labels: number; unlabelled: number }
}

const OPTION_NAMES: Record<keyof CaptureOptions, true> = {
  since: true,
  until: true,
  features: true,
  scores: true,
  groundTruth: true,
  joinOn: true,
  label: true,
  badRows: true,
  name: true,
  region: true,
  requestTimeoutMs: true,
  listPageSize: true,
}

/** The metadata columns every capture dataset has, beside its features and scores. */
export const CAPTURE_COLUMNS = ['event_id', 'inference_id', 'inference_time'] as const
const WHERE = 'dataset.capture()'
const HOUR_FILE = /^(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/[^/]+\.jsonl$/
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const HOUR_MS = 3_600_000

/**
 * A dataset of captured production traffic, read from SageMaker Data Capture files; see `dataset.capture()`.
 * Its rows are the captured inputs (the feature columns), outputs (score columns) and ids; with ground truth, a
 * label column too, null where no label came: `labelled()` gives the rows with one.
 */
export class CaptureDataset extends Dataset {
  readonly capture: CaptureInfo
  readonly #relation: string

  constructor(parts: DatasetParts, capture: CaptureInfo) {
    super(parts)
    this.capture = capture
    this.#relation = parts.relation
  }

  /** The rows that have a ground-truth label: what accuracy and other label checks take. Its name says how many rows had none. */
  labelled(): Dataset {
    const truth = this.capture.groundTruth
    if (!truth) throw new ModeltestError({ what: 'this capture was read without ground truth, so no row has a label', where: this.source, fix: "Pass { groundTruth: 's3://bucket/ground-truth/<endpoint>' } to dataset.capture()." })
    const rows = this.rowCount - truth.unlabelled
    if (rows === 0)
      throw new ModeltestError({
        what: `none of the ${this.rowCount} captured rows has a ground-truth label`,
        where: `${this.source}, ground truth ${truth.location}`,
        fix: `Check that the labels' eventMetadata.eventId matches the capture's ${truth.joinOn} (option joinOn) and that they were written for this time range.`,
      })
    return new Dataset({
      source: `${this.source}, labelled (${formatCount(truth.unlabelled)} of ${formatCount(this.rowCount)} captured rows had no ground truth)`,
      hash: hashText(`${this.hash}:labelled`),
      relation: `(SELECT * FROM ${this.#relation} WHERE ${ident(truth.label)} IS NOT NULL)`,
      schema: Object.entries(this.schema),
      rowCount: rows,
      materialized: false,
    })
  }
}

/**
 * Reads SageMaker Data Capture files into a dataset, streamed line by line into DuckDB (the records are never
 * held at once). `location` is `s3://bucket/prefix/<endpoint>/<variant>/` or a local folder of the same layout.
 *
 *     const week = await dataset.capture('s3://monitoring/capture/penguins/AllTraffic/', { since: lastWeek, features, groundTruth: 's3://monitoring/ground-truth/penguins/' })
 */
export async function captureDataset(location: string, options: CaptureOptions = {}): Promise<CaptureDataset> {
  checkOptions(location, options)
  const until = options.until === undefined ? new Date() : parseTime(options.until, 'until')
  const since = options.since === undefined ? undefined : parseTime(options.since, 'since')
  if (since && since >= until) throw new ModeltestError({ what: `since (${since.toISOString()}) is not before until (${until.toISOString()})`, where: WHERE, fix: 'Give a since earlier than until.' })
  const store = await openStore(location, options)
  const { endpoint, variant } = store
  const hours = await listHours(store, since, until)
  const files = hours.flatMap((hour) => hour.keys)
  const range = `${since ? formatTime(since) : 'start'}–${formatTime(until)}`
  const source = options.name ?? `capture ${endpoint}/${variant} ${range}`
  const label = options.label ?? 'label'
  const joinOn = options.joinOn ?? 'eventId'
  const bad = badRowsCollector(options.badRows ?? 'error')
  const stage = newTableName('capture')
  const truthTable = newTableName('ground_truth')
  try {
    const layout = await stageCapture(stage, store, files, { since, until, features: options.features, bad })
    if (!layout) {
      throw new ModeltestError({
        what: `no captured requests between ${since ? formatTime(since) : 'the first hour'} and ${formatTime(until)}: ${files.length} files in ${hours.length} hour folders listed`,
        where: store.describe(''),
        fix: 'Check the location (s3://bucket/prefix/<endpoint>/<variant>/), the time range, and that the endpoint captures (DataCaptureConfig with EnableCapture and a sampling percentage above 0).',
      })
    }
    const scores = options.scores ?? Array.from({ length: layout.width }, (_, i) => `score_${i}`)
    if (scores.length !== layout.width) {
      throw new ModeltestError({
        what: `scores names ${scores.length} columns, but the captured outputs hold ${layout.width} scores per row`,
        where: WHERE,
        fix: `Name ${layout.width} score columns, or leave scores out for score_0…score_${layout.width - 1}.`,
      })
    }
    checkDistinct([...CAPTURE_COLUMNS, ...layout.features, ...scores, ...(options.groundTruth ? [label] : [])])
    let truth: { store: Store; files: string[] } | undefined
    if (options.groundTruth) {
      const truthStore = await openStore(options.groundTruth, options, false)
      const truthFiles = (await listHours(truthStore, since, new Date(Math.max(Date.now(), until.getTime())))).flatMap((hour) => hour.keys)
      await stageGroundTruth(truthTable, truthStore, truthFiles, bad)
      truth = { store: truthStore, files: truthFiles }
    }
    // The content's identity: every file read (its SHA-256, or S3's ETag) and the options that shape the rows.
    const identities = async (from: Store, keys: string[]) => Promise.all(keys.map(async (key) => [from.describe(key), await from.identity(key)]))
    const hash = hashText(JSON.stringify([options.features, options.scores, label, joinOn, since, until, await identities(store, files), truth ? await identities(truth.store, truth.files) : []]))
    const table = newTableName('capture')
    const built = await buildTable(table, stage, layout.features, scores, truth && { table: truthTable, label, joinOn }, source)
    const info: CaptureInfo = {
      endpoint,
      variant,
      location: store.describe(''),
      ...(since ? { since: since.toISOString() } : {}),
      until: until.toISOString(),
      hours: hours.map(({ hour, keys }) => ({ hour, files: keys.length })),
      files: files.length,
      records: layout.records,
      features: layout.features,
      scores,
      ...(truth ? { groundTruth: { location: truth.store.describe(''), label, joinOn, labels: built.labels, unlabelled: built.unlabelled } } : {}),
    }
    return new CaptureDataset({ source, hash, relation: ident(table), schema: built.schema, rowCount: built.rows, materialized: true, ...(bad.rows.count > 0 ? { badRows: bad.rows } : {}) }, info)
  } finally {
    // The staging tables go once the capture's table is built, or when the read fails.
    await withConnection(async (c) => {
      await c.run(`DROP TABLE IF EXISTS ${ident(stage)}; DROP TABLE IF EXISTS ${ident(truthTable)}`)
    })
  }
}

function checkOptions(location: unknown, options: CaptureOptions): void {
  if (typeof location !== 'string' || location === '') {
    throw new ModeltestError({ what: `${WHERE} takes the capture's location, got ${describeValue(location)}`, fix: "Pass 's3://bucket/prefix/<endpoint>/<variant>/' or a folder of the same layout." })
  }
  checkOptionKeys(options, Object.keys(OPTION_NAMES), WHERE)
  checkChoice(options.badRows, ['error', 'skip'], 'badRows', WHERE)
  checkChoice(options.joinOn, ['eventId', 'inferenceId'], 'joinOn', WHERE)
  if (options.features !== undefined) checkColumnList(options.features, 'features', WHERE, "['bill_length_mm', 'flipper_length_mm']")
  if (options.scores !== undefined) checkColumnList(options.scores, 'scores', WHERE, "['p_adelie', 'p_chinstrap', 'p_gentoo']")
  for (const key of ['groundTruth', 'label', 'name', 'region'] as const) {
    const value = options[key]
    if (value !== undefined && (typeof value !== 'string' || value === '')) throw new ModeltestError({ what: `${WHERE}: ${key} must be a non-empty string, got ${describeValue(value)}`, fix: `Pass { ${key}: '…' }, or leave it out.` })
  }
  if (options.requestTimeoutMs !== undefined) checkNumber(options.requestTimeoutMs, 'requestTimeoutMs', WHERE, { min: 1, whole: true })
  if (options.listPageSize !== undefined) checkNumber(options.listPageSize, 'listPageSize', WHERE, { min: 1, max: 1000, whole: true })
}

function parseTime(value: unknown, parameter: string): Date {
  const time = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined
  if (!time || Number.isNaN(time.getTime())) {
    throw new ModeltestError({ what: `${WHERE}: ${parameter} must be a Date or an ISO time, got ${describeValue(value)}`, fix: `Pass { ${parameter}: '2026-11-23T00:00:00Z' } or a Date.` })
  }
  return time
}

function checkDistinct(columns: string[]): void {
  const twice = columns.find((name, i) => columns.indexOf(name) !== i)
  if (twice) throw new ModeltestError({ what: `two columns of the capture would be named '${twice}'`, where: WHERE, fix: `Rename the feature, score or label column: ${listNames(CAPTURE_COLUMNS)} are the capture's own.` })
}

/** A capture location: an S3 prefix or a local folder, listed and read the same way. */
interface Store {
  endpoint: string
  variant: string
  /** The location of a key under the root, as messages name it. */
  describe(key: string): string
  /** The `.jsonl` keys under a prefix of the root (`2026/11/23/10/`, or '' for all), relative to the root. */
  list(prefix: string): Promise<string[]>
  lines(key: string): AsyncIterable<string>
  /** What identifies a listed file's content: its SHA-256, or the ETag S3 listed (a digest of the object's bytes). */
  identity(key: string): Promise<string>
}

async function openStore(location: string, options: CaptureOptions, capture = true): Promise<Store> {
  const trimmed = location.replace(/\/+$/, '')
  const parts = trimmed.split('/')
  const names = { endpoint: parts.at(-2) ?? '', variant: parts.at(-1) ?? '' }
  if (location.startsWith('s3://')) return s3Store(trimmed, names, options, capture)
  const root = resolve(trimmed)
  return {
    ...names,
    describe: (key) => (key ? join(root, key) : root),
    async list(prefix) {
      const entries = await readdir(join(root, prefix), { recursive: true }).catch((error: unknown) => {
        const { code } = error as NodeJS.ErrnoException
        if (code === 'ENOENT') return []
        throw new ModeltestError({ what: `the capture folder cannot be read (${code})`, where: join(root, prefix), fix: 'Check the path and its permissions.', cause: error })
      })
      return entries.map((entry) => `${prefix}${entry.split('\\').join('/')}`).filter((key) => HOUR_FILE.test(key))
    },
    lines: (key) => createInterface({ input: createReadStream(join(root, key)), crlfDelay: Infinity }),
    identity: (key) => hashFile(join(root, key)),
  }
}

async function s3Store(url: string, names: { endpoint: string; variant: string }, options: CaptureOptions, capture: boolean): Promise<Store> {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url)
  if (!match || (capture && !/\/.+\/.+/.test(`/${match[2] ?? ''}`))) {
    throw new ModeltestError({
      what: `'${url}' is not an s3:// URL of ${capture ? "a capture's <endpoint>/<variant> prefix" : 'a bucket and prefix'}`,
      where: WHERE,
      fix: capture ? 'Give s3://bucket/prefix/<endpoint>/<variant>/, the DestinationS3Uri of DataCaptureConfig followed by the endpoint and variant names.' : 'Give s3://bucket/prefix/.',
    })
  }
  const bucket = match[1]
  const root = match[2] ? `${match[2]}/` : ''
  const { s3Client } = await import('../deploy/artifact.js')
  const client: S3Client = await s3Client({ region: options.region, requestTimeoutMs: options.requestTimeoutMs })
  const { GetObjectCommand, paginateListObjectsV2 } = await import('@aws-sdk/client-s3')
  const describe = (key: string) => `s3://${bucket}/${root}${key}`
  const etags = new Map<string, string>()
  return {
    ...names,
    describe,
    async list(prefix) {
      const keys: string[] = []
      try {
        for await (const page of paginateListObjectsV2({ client, pageSize: options.listPageSize ?? 1000 }, { Bucket: bucket, Prefix: root + prefix })) {
          for (const object of page.Contents ?? []) {
            if (!object.Key) continue
            keys.push(object.Key.slice(root.length))
            etags.set(object.Key.slice(root.length), object.ETag ?? '')
          }
        }
      } catch (error) {
        throw s3Error('ListObjectsV2', error, describe(prefix), 's3:ListBucket')
      }
      return keys.filter((key) => HOUR_FILE.test(key)).sort()
    },
    async *lines(key) {
      let body: Readable
      try {
        body = (await client.send(new GetObjectCommand({ Bucket: bucket, Key: root + key }))).Body as Readable
      } catch (error) {
        throw s3Error('GetObject', error, describe(key), 's3:GetObject')
      }
      yield* createInterface({ input: body, crlfDelay: Infinity })
    },
    identity: async (key) => etags.get(key) ?? '',
  }
}

function s3Error(action: string, error: unknown, url: string, permission: string): ModeltestError {
  const failure = describeAwsError(error)
  const problem = setupProblem(failure.name, failure.message)
  const fix =
    problem === 'region'
      ? 'Give { region }, or set AWS_REGION.'
      : problem === 'credentials' || failure.name === 'AccessDenied' || failure.name === 'Forbidden'
        ? `Check that the job's AWS credentials may call ${permission} on this bucket.`
        : failure.name === 'NoSuchBucket'
          ? 'Check the bucket name of the location.'
          : 'Check the network path to S3 (proxy, VPC endpoint, AWS_ENDPOINT_URL_S3); when S3 is only slow, raise { requestTimeoutMs }.'
  return new ModeltestError({ what: `S3 ${action} failed: ${failure.text}`, where: url, fix, cause: error })
}

/** The hour folders of [since, until) and their files; without since, the hours the listing finds. */
async function listHours(store: Store, since: Date | undefined, until: Date): Promise<{ hour: string; keys: string[] }[]> {
  if (!since) {
    const byHour = new Map<string, string[]>()
    for (const key of (await store.list('')).sort()) {
      const hour = key.slice(0, 13)
      if (hourStart(hour) < until.getTime()) byHour.set(hour, [...(byHour.get(hour) ?? []), key])
    }
    return [...byHour].map(([hour, keys]) => ({ hour, keys }))
  }
  const hours: string[] = []
  for (let time = Math.floor(since.getTime() / HOUR_MS) * HOUR_MS; time < until.getTime(); time += HOUR_MS) hours.push(hourFolder(new Date(time)))
  // One listing per hour folder, a few at a time: a week is 168 small listings, never the whole prefix.
  const listed: { hour: string; keys: string[] }[] = []
  for (let i = 0; i < hours.length; i += 8) {
    const batch = hours.slice(i, i + 8)
    listed.push(...(await Promise.all(batch.map(async (hour) => ({ hour, keys: (await store.list(`${hour}/`)).sort() })))))
  }
  return listed
}

function hourFolder(time: Date): string {
  return time.toISOString().slice(0, 13).replace(/[-T]/g, '/')
}

function hourStart(folder: string): number {
  const [year, month, day, hour] = folder.split('/').map(Number)
  return Date.UTC(year, month - 1, day, hour)
}

function formatTime(time: Date): string {
  return `${time.toISOString().slice(0, 16)}Z`
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}

interface BadRowsCollector {
  rows: BadRows
  /** Records a malformed line, or throws its error when bad rows are errors. */
  add(where: string, line: number, what: string, fix: string): void
}

function badRowsCollector(mode: 'error' | 'skip'): BadRowsCollector {
  const rows: BadRows = { count: 0, examples: [] }
  return {
    rows,
    add(where, line, what, fix) {
      if (mode === 'error') throw new ModeltestError({ what, where: `${where}, line ${line}`, fix: `${fix} Or pass { badRows: 'skip' } to count and leave out such lines.` })
      rows.count++
      if (rows.examples.length < 5) rows.examples.push({ line, error: `${where}: ${what}` })
    },
  }
}

/** A line that is not a well-formed capture or ground-truth record: its reason and how to fix it. */
class BadLine extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message)
  }
}

interface Payload {
  data?: unknown
  encoding?: unknown
  observedContentType?: unknown
}

/** A payload's text and the content type to read it as: CSV and JSON are kept as text, BASE64 decoded. */
function payloadText(payload: Payload | undefined, field: string): { text: string; type: string } {
  if (!payload || typeof payload.data !== 'string') throw new BadLine(`${field} has no data`, `Write ${field} as { "data": "…", "encoding": "CSV" | "JSON" | "BASE64", "observedContentType": "…" }.`)
  const encoding = typeof payload.encoding === 'string' ? payload.encoding.toUpperCase() : ''
  const observed = typeof payload.observedContentType === 'string' ? payload.observedContentType : ''
  if (encoding === 'CSV') return { text: payload.data, type: /^text\/csv/i.test(observed) ? observed : 'text/csv' }
  if (encoding === 'JSON') return { text: payload.data, type: 'application/json' }
  if (encoding !== 'BASE64') throw new BadLine(`${field} has encoding ${describeValue(payload.encoding)}`, 'Data Capture writes the encodings CSV, JSON and BASE64.')
  if (payload.data.length % 4 !== 0 || !BASE64.test(payload.data)) throw new BadLine(`${field}.data is not valid base64`, 'Check that the file was written by Data Capture, whole.')
  if (!/^(text\/csv|application\/json)/i.test(observed)) {
    throw new BadLine(
      `${field} holds ${observed || 'a payload of no content type'}, which modeltest cannot read as rows`,
      "Capture CSV or JSON: list the endpoint's content types in CaptureContentTypeHeader, or send text/csv or application/json.",
    )
  }
  return { text: Buffer.from(payload.data, 'base64').toString('utf8'), type: observed }
}

/** The values of the input rows, in the order of `features`; a row that does not match `features` is a BadLine. */
function inputValues(payload: Payload | undefined, features: string[]): unknown[][] {
  const { text, type } = payloadText(payload, 'captureData.endpointInput')
  let rows
  try {
    rows = parseRows(text, type, features)
  } catch (error) {
    if (error instanceof BadRequest) throw new BadLine(`the captured input does not read as rows: ${error.message}`, `Give the features in the order the model takes them (${listNames(features)}).`)
    throw error
  }
  return rows.map((row) => {
    const missing = features.find((name) => !(name in row))
    const extra = Object.keys(row).find((name) => !features.includes(name))
    if (missing || extra) {
      throw new BadLine(missing ? `the captured input has no feature '${missing}'` : `the captured input has '${extra}', which features does not name`, `The features are ${listNames(features)}: give the names the endpoint receives.`)
    }
    return features.map((name) => row[name])
  })
}

/** The feature names of a JSON payload's first row, when `features` is not given. */
function featuresOf(payload: Payload | undefined): string[] {
  const { text, type } = payloadText(payload, 'captureData.endpointInput')
  if (type.toLowerCase().startsWith('text/csv') && !/header\s*=\s*present/i.test(type)) {
    throw new ModeltestError({ what: 'the capture holds CSV inputs, whose values have no names', where: WHERE, fix: "Pass { features: ['bill_length_mm', …] }, the columns in the order the endpoint receives them." })
  }
  try {
    return Object.keys(parseRows(text, type, undefined)[0])
  } catch (error) {
    if (error instanceof BadRequest) throw new BadLine(`the captured input does not read as rows: ${error.message}`, "Give the features: { features: ['bill_length_mm', …] }.")
    throw error
  }
}

/** The scores of every row of a captured output: `{ "predictions": [[…]] }` (what `modeltest serve` answers), an array, a number, or CSV lines. */
function outputScores(payload: Payload | undefined, rows: number): number[][] {
  const { text, type } = payloadText(payload, 'captureData.endpointOutput')
  let value: unknown
  if (type.toLowerCase().startsWith('text/csv')) {
    value = text
      .trim()
      .split(/\r?\n/)
      .map((line) => line.split(',').map((cell) => (cell.trim() === '' ? NaN : Number(cell))))
  } else {
    try {
      value = JSON.parse(text)
    } catch {
      throw new BadLine('the captured output is not valid JSON', 'Check that the file was written by Data Capture, whole.')
    }
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const answer = value as Record<string, unknown>
    value = answer.predictions ?? answer.scores ?? answer.probabilities
  }
  if (typeof value === 'number') value = [value]
  if (!Array.isArray(value)) throw new BadLine('the captured output holds no scores', 'modeltest reads { "predictions": [[…], …] }, an array of scores per row, or CSV lines of scores.')
  const scores = value.every((entry) => typeof entry === 'number') ? (value.length === rows ? value.map((entry) => [entry]) : [value]) : value
  if (scores.length !== rows) throw new BadLine(`the captured output has scores for ${scores.length} rows, the input ${rows}`, 'Check that the endpoint answers one prediction per input row.')
  return scores.map((row) => {
    if (!Array.isArray(row) || !row.every((score) => typeof score === 'number' && Number.isFinite(score)))
      throw new BadLine(`the captured output holds ${describeValue(row)} where scores should be`, 'The endpoint must answer numbers: one array of class scores per row, or one score per row.')
    return row as number[]
  })
}

interface Layout {
  features: string[]
  width: number
  records: number
}

/**
 * Streams the capture's lines into a staging table of text features, double scores and ids (and the row's
 * place within its request), line by line: memory holds one line and DuckDB's append buffer. Undefined when
 * no record was in range.
 */
async function stageCapture(table: string, store: Store, files: string[], read: { since?: Date; until: Date; features?: string[]; bad: BadRowsCollector }): Promise<Layout | undefined> {
  let layout: Layout | undefined
  const rows = decodeLines(
    store,
    files,
    read.bad,
    'Check that the file was written by Data Capture, whole: one JSON object per line.',
    (record: { captureData?: { endpointInput?: Payload; endpointOutput?: Payload }; eventMetadata?: { eventId?: unknown; inferenceId?: unknown; inferenceTime?: unknown } }) => {
      const meta = record?.eventMetadata ?? {}
      const time = typeof meta.inferenceTime === 'string' ? new Date(meta.inferenceTime) : undefined
      if (time && !Number.isNaN(time.getTime()) && ((read.since && time < read.since) || time >= read.until)) return []
      const input = record?.captureData?.endpointInput
      layout ??= { features: read.features ?? featuresOf(input), width: -1, records: 0 }
      const values = inputValues(input, layout.features)
      const output = record.captureData?.endpointOutput
      const scores = output ? outputScores(output, values.length) : undefined
      const width = scores?.[0]?.length ?? 0
      if (layout.width < 0) layout.width = width
      if (width !== layout.width) throw new BadLine(`the captured output has ${width} scores per row, the first record ${layout.width}`, 'Read one model version at a time: a capture range that spans a change of outputs needs two reads.')
      layout.records++
      const ids = [text(meta.eventId), text(meta.inferenceId), time && !Number.isNaN(time.getTime()) ? time : null]
      return values.map((row, i) => [...ids, i, ...row.map(text), ...(scores?.[i] ?? [])])
    },
  )
  // The first row sets the columns: the features of the first record (unless given) and its number of scores.
  const first = await rows.next()
  if (first.done || !layout) return undefined
  const known: Layout = layout
  const schema: [string, ColumnType][] = [
    ['event_id', 'string'],
    ['inference_id', 'string'],
    ['inference_time', 'date'],
    ['record_row', 'int'],
    ...known.features.map((name): [string, ColumnType] => [name, 'string']),
    ...Array.from({ length: known.width }, (_, i): [string, ColumnType] => [`score_${i}`, 'float']),
  ]
  await appendRows(
    table,
    schema,
    (async function* (): AsyncGenerator<unknown[]> {
      yield first.value
      yield* rows
    })(),
  )
  return known
}

/** The rows each JSON line of the files decodes to, one line at a time; a line that is not JSON, or that `decode` refuses with a BadLine, goes to `bad`. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- R is the record's shape as each caller's decode reads it, field by field, with its own checks
async function* decodeLines<R>(store: Store, files: string[], bad: BadRowsCollector, notJson: string, decode: (record: R, place: { file: string; line: number }) => unknown[][]): AsyncGenerator<unknown[]> {
  for (const key of files) {
    let number = 0
    for await (const line of store.lines(key)) {
      number++
      if (line.trim() === '') continue
      let rows: unknown[][]
      try {
        rows = decode(JSON.parse(line) as R, { file: store.describe(key), line: number })
      } catch (error) {
        if (error instanceof BadLine) bad.add(store.describe(key), number, error.message, error.fix)
        else if (error instanceof SyntaxError) bad.add(store.describe(key), number, 'the line is not valid JSON', notJson)
        else throw error
        continue
      }
      yield* rows
    }
  }
}

/** A value of a JSON line as text for staging (an object as its JSON): DuckDB types the column from all its values afterwards. */
function text(value: unknown): string | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  return JSON.stringify(value)
}

/** Streams ground-truth lines into a table of (event id, row within the request, label text, file, line). */
async function stageGroundTruth(table: string, store: Store, files: string[], bad: BadRowsCollector): Promise<void> {
  const schema: [string, ColumnType][] = [
    ['event_id', 'string'],
    ['record_row', 'int'],
    ['label', 'string'],
    ['file', 'string'],
    ['line', 'int'],
  ]
  await appendRows(
    table,
    schema,
    decodeLines(store, files, bad, "Write one ground-truth record per line, in Model Monitor's format.", (record: { groundTruthData?: Payload; eventMetadata?: { eventId?: unknown } }, place) => {
      const id = record?.eventMetadata?.eventId
      if (typeof id !== 'string' || id === '') throw new BadLine('the ground-truth record has no eventMetadata.eventId', 'Give each label the eventId (or inferenceId) of the captured request it labels.')
      return truthLabels(record.groundTruthData).map((label, i) => [id, i, label, place.file, place.line])
    }),
  )
}

/** The labels of a ground-truth record, one per row of the request it labels. */
function truthLabels(payload: Payload | undefined): string[] {
  const { text, type } = payloadText(payload, 'groundTruthData')
  if (type.toLowerCase().startsWith('text/csv'))
    return text
      .trim()
      .split(/\r?\n/)
      .map((line) => line.trim())
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new BadLine('groundTruthData.data is not valid JSON', 'Write the label as JSON (1, "spam", [1, 0]) with encoding JSON, or as text with encoding CSV.')
  }
  const labels = Array.isArray(value) ? value : [value]
  if (labels.some((label) => label === null || typeof label === 'object')) throw new BadLine(`groundTruthData.data holds ${describeValue(value)}, not labels`, 'Write one label (a number, a string or a boolean) per row of the request.')
  return labels.map(String)
}

/**
 * The capture's table: features typed from all their values, the scores, the ids and, with ground truth, the
 * label joined on the id and the row's place in its request. Two labels for one row are an error.
 */
async function buildTable(table: string, stage: string, features: string[], scores: string[], truth: { table: string; label: string; joinOn: 'eventId' | 'inferenceId' } | undefined, source: string) {
  return withConnection(async (c) => {
    const types = await inferTextTypes(c, ident(stage), features, {}, source)
    const columns = [
      ...CAPTURE_COLUMNS.map((name) => `s.${ident(name)}`),
      ...features.map((name, i) => `CAST(s.${ident(name)} AS ${DUCKDB_TYPE[types[i]]}) AS ${ident(name)}`),
      ...scores.map((name, i) => `s.${ident(`score_${i}`)} AS ${ident(name)}`),
    ]
    const schema: [string, ColumnType][] = [
      ['event_id', 'string'],
      ['inference_id', 'string'],
      ['inference_time', 'date'],
      ...features.map((name, i): [string, ColumnType] => [name, types[i]]),
      ...scores.map((name): [string, ColumnType] => [name, 'float']),
    ]
    if (!truth) {
      await c.run(`CREATE TABLE ${ident(table)} AS SELECT ${columns.join(', ')} FROM ${ident(stage)} s ORDER BY s.rowid`)
      return { schema, ...(await counts(c, table)) }
    }
    const [duplicate] = (await c.runAndReadAll(`SELECT event_id, list(file || ', line ' || line) AS places FROM ${ident(truth.table)} GROUP BY event_id, record_row HAVING count(*) > 1 LIMIT 1`)).getRowObjectsJS()
    if (duplicate) {
      throw new ModeltestError({
        what: `two ground-truth labels for the event '${duplicate.event_id as string}'`,
        where: (duplicate.places as string[]).join('; '),
        fix: 'Keep one label per captured request: remove the label written in error.',
      })
    }
    const [labelType] = await inferTextTypes(c, ident(truth.table), ['label'], {}, source)
    const key = truth.joinOn === 'eventId' ? 'event_id' : 'inference_id'
    await c.run(
      `CREATE TABLE ${ident(table)} AS SELECT ${columns.join(', ')}, CAST(t.label AS ${DUCKDB_TYPE[labelType]}) AS ${ident(truth.label)} FROM ${ident(stage)} s LEFT JOIN ${ident(truth.table)} t ON t.event_id = s.${key} AND t.record_row = s.record_row ORDER BY s.rowid`,
    )
    const found = await counts(c, table, truth.label)
    return { schema: [...schema, [truth.label, labelType] as [string, ColumnType]], ...found }
  })
}

async function counts(c: DuckDBConnection, table: string, label?: string): Promise<{ rows: number; labels: number; unlabelled: number }> {
  const [row] = (await c.runAndReadAll(`SELECT count(*)::DOUBLE AS rows, ${label ? `count(${ident(label)})::DOUBLE` : '0::DOUBLE'} AS labels FROM ${ident(table)}`)).getRowObjectsJS()
  const rows = Number(row.rows)
  const labels = Number(row.labels)
  return { rows, labels, unlabelled: label ? rows - labels : 0 }
}
