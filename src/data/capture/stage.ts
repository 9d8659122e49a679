/** Captured rows and ground-truth labels staged in DuckDB, then the capture's table: typed features, scores, ids and the joined label. */

import type { DuckDBConnection } from '@duckdb/node-api'
import { ModeltestError } from '../../errors.js'
import { ident, withConnection } from '../duckdb.js'
import { inferTextTypes } from '../load.js'
import { appendRows } from '../table.js'
import { DUCKDB_TYPE, type ColumnType } from '../types.js'
import { BadLine, decodeLines, featuresOf, inputValues, outputScores, truthLabels, type BadRowsCollector, type Payload } from './records.js'
import type { Store } from './store.js'

/** The metadata columns every capture dataset has, beside its features and scores. */
export const CAPTURE_COLUMNS = ['event_id', 'inference_id', 'inference_time'] as const

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
export async function stageCapture(table: string, store: Store, files: string[], read: { since?: Date; until: Date; features?: string[]; bad: BadRowsCollector }): Promise<Layout | undefined> {
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

/** A value of a JSON line as text for staging (an object as its JSON): DuckDB types the column from all its values afterwards. */
function text(value: unknown): string | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  return JSON.stringify(value)
}

/** Streams ground-truth lines into a table of (event id, row within the request, label text, file, line). */
export async function stageGroundTruth(table: string, store: Store, files: string[], bad: BadRowsCollector): Promise<void> {
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

/**
 * The capture's table: features typed from all their values, the scores, the ids and, with ground truth, the
 * label joined on the id and the row's place in its request. Two labels for one row are an error.
 */
export async function buildTable(table: string, stage: string, features: string[], scores: string[], truth: { table: string; label: string; joinOn: 'eventId' | 'inferenceId' } | undefined, source: string) {
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
