import { ModeltestError, listNames } from '../errors.js'
import { hashText } from '../hash.js'
import { Dataset, type DatasetParts } from './dataset.js'
import { ident, newTableName, withConnection } from './duckdb.js'
import { WHERE, checkOptions, parseTime, type CaptureOptions } from './capture/options.js'
import { badRowsCollector } from './capture/records.js'
import { CAPTURE_COLUMNS, buildTable, stageCapture, stageGroundTruth } from './capture/stage.js'
import { listHours, openStore, type Store } from './capture/store.js'

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

export { CAPTURE_COLUMNS, type CaptureOptions }

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

function checkDistinct(columns: string[]): void {
  const twice = columns.find((name, i) => columns.indexOf(name) !== i)
  if (twice) throw new ModeltestError({ what: `two columns of the capture would be named '${twice}'`, where: WHERE, fix: `Rename the feature, score or label column: ${listNames(CAPTURE_COLUMNS)} are the capture's own.` })
}

function formatTime(time: Date): string {
  return `${time.toISOString().slice(0, 16)}Z`
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}
