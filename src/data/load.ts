import { stat } from 'node:fs/promises'
import { extname, resolve } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import { ModeltestError } from '../errors.js'
import { hashFile, hashText } from '../hash.js'
import { csvReader, diagnoseCsv, readCsvHeader, type CsvOptions } from './csv.js'
import { Dataset, type BadRows } from './dataset.js'
import { ident, literal, withConnection } from './duckdb.js'
import { typeValueColumn } from './infer.js'
import { profileSql, readProfile, type Profile } from './profile.js'
import { checkMagic, checkTextStart } from './sniff.js'
import { appendRows } from './table.js'
import { columnTypeOf, DUCKDB_TYPE, type ColumnType } from './types.js'

export type DatasetFormat = 'csv' | 'tsv' | 'jsonl' | 'parquet' | 'arrow'

export interface DatasetOptions extends CsvOptions {
  /** The file's format when its extension does not tell. */
  format?: DatasetFormat
  /** A name for rows given in memory, shown in reports. */
  name?: string
  /**
   * Copy the data into a DuckDB table (spilled to disk past the memory limit) so that repeated
   * checks scan it fast; otherwise every query reads the file again. Default: files up to 256 MB.
   */
  materialize?: boolean
  /** `error` (default): a malformed row stops the read, naming its line. `skip`: such rows are counted, reported and left out. */
  badRows?: 'error' | 'skip'
  /** Columns whose exact value counts the first pass computes too (labels), when not materializing. */
  countValues?: string[]
  /** The columns the first pass profiles, when not materializing; all by default (a later check on another column profiles the rest). */
  profileColumns?: string[]
}

const FORMAT_BY_EXTENSION: Record<string, DatasetFormat> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.parquet': 'parquet',
  '.arrow': 'arrow',
  '.feather': 'arrow',
  '.arrows': 'arrow',
  '.ipc': 'arrow',
}

const MATERIALIZE_UP_TO_BYTES = 256 * 1024 * 1024

// Loaded datasets are kept per process, by path, size, modification time and options: every test
// file of a worker that loads the same file shares one table.
const LOADED = Symbol.for('modeltest.datasets')
type Global = typeof globalThis & { [LOADED]?: Map<string, Promise<Dataset>> }
let tables = 0

/**
 * Loads a dataset from a CSV, TSV, JSON Lines, Parquet or Arrow IPC file, or from rows in memory.
 * The data goes into DuckDB, not into JS objects, so files larger than memory load.
 *
 *     const train = await dataset('data/train.csv')
 *     const tiny = await dataset([{ text: 'great', label: 1 }], { name: 'tiny' })
 */
export async function dataset(source: string | readonly Record<string, unknown>[], options: DatasetOptions = {}): Promise<Dataset> {
  if (typeof source !== 'string') return fromRows(source, options.name ?? 'rows')
  const path = resolve(source)
  const format = options.format ?? FORMAT_BY_EXTENSION[extname(path).toLowerCase()]
  if (!format) {
    throw new ModeltestError({
      what: `cannot tell the format of '${source}' from its extension`,
      where: source,
      fix: `Name it .csv, .tsv, .jsonl, .parquet or .arrow, or pass { format: 'csv' | 'tsv' | 'jsonl' | 'parquet' | 'arrow' } to dataset().`,
    })
  }
  const info = await stat(path).catch(() => undefined)
  if (!info) throw new ModeltestError({ what: 'the file does not exist', where: source, fix: `Check the path (resolved to ${path}).` })
  if (!info.isFile()) throw new ModeltestError({ what: 'this is not a file', where: source, fix: 'Name a data file, not a directory.' })
  const key = JSON.stringify([path, info.size, info.mtimeMs, format, options])
  const loaded = ((globalThis as Global)[LOADED] ??= new Map())
  let data = loaded.get(key)
  if (!data) {
    data = loadFile(source, path, format, options, options.materialize ?? (info.size <= MATERIALIZE_UP_TO_BYTES || options.badRows === 'skip'))
    loaded.set(key, data)
    data.catch(() => loaded.delete(key))
  }
  return data
}

async function loadFile(label: string, path: string, format: DatasetFormat, options: DatasetOptions, materialize: boolean): Promise<Dataset> {
  const hash = hashFile(path)
  const table = `ds_${++tables}_${process.pid}`
  let read: Read
  if (format === 'arrow') {
    await checkMagic(path, label, 'arrow')
    // apache-arrow is loaded only for Arrow files: it adds about 70 ms to every start otherwise.
    const { arrowToTable } = await import('./arrow.js')
    const schema = await arrowToTable(path, label, table)
    read = await finish({ relation: ident(table), schema, materialized: true })
  } else if (format === 'parquet') {
    await checkMagic(path, label, 'parquet')
    read = await firstPass(label, `read_parquet(${literal(path)})`, table, materialize, options)
  } else if (format === 'jsonl') {
    await checkTextStart(path, label, 'JSON Lines')
    read = await firstPass(label, `read_json(${literal(path)}, format='newline_delimited')`, table, materialize, options)
  } else {
    read = await readCsv(label, path, format === 'tsv' ? '\t' : ',', options, table, materialize)
  }
  if (read.rowCount === 0) {
    throw new ModeltestError({ what: format === 'csv' || format === 'tsv' ? 'the file has a header row but no data rows' : 'the file has no rows', where: label, fix: 'Check that the file was written completely.' })
  }
  return new Dataset({ source: label, hash: await hash, ...read })
}

interface Read {
  relation: string
  schema: [string, ColumnType][]
  rowCount: number
  materialized: boolean
  profile?: Profile
  badRows?: BadRows
}

/**
 * The one pass over a file: copy it into a table, or, when not materializing, run the profile
 * straight over the file (which counts the rows, and which every later check reuses).
 */
async function firstPass(label: string, reader: string, table: string, materialize: boolean, options: Pick<DatasetOptions, 'countValues' | 'profileColumns'>): Promise<Read> {
  const run = async (c: DuckDBConnection): Promise<Read> => {
    if (materialize) {
      await c.run(`CREATE TABLE ${ident(table)} AS SELECT * FROM ${reader}`)
      return finish({ relation: ident(table), schema: await describe(c, ident(table), label), materialized: true }, c)
    }
    const schema = await describe(c, reader, label)
    const known = (names: string[] | undefined) => names?.filter((name) => schema.some(([column]) => column === name))
    const counted = known(options.countValues) ?? []
    const profiled = known(options.profileColumns)
    const profiledSchema = profiled ? schema.filter(([name]) => profiled.includes(name) || counted.includes(name)) : schema
    const [row] = (await c.runAndReadAll(profileSql(reader, profiledSchema, counted))).getRowObjectsJS()
    const profile = readProfile(row as Record<string, unknown>, profiledSchema, counted)
    return { relation: reader, schema, rowCount: profile.rows, materialized: false, profile }
  }
  try {
    return await withConnection(run)
  } catch (error) {
    throw duckdbError(error, label)
  }
}

async function finish(read: Omit<Read, 'rowCount'>, connection?: DuckDBConnection): Promise<Read> {
  const count = async (c: DuckDBConnection) => Number((await c.runAndReadAll(`SELECT count(*)::DOUBLE AS n FROM ${read.relation}`)).getRowObjectsJS()[0].n)
  return { ...read, rowCount: connection ? await count(connection) : await withConnection(count) }
}

async function describe(connection: DuckDBConnection, relation: string, label: string): Promise<[string, ColumnType][]> {
  const rows = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`)).getRowObjectsJS()
  return rows.map((row) => [String(row.column_name), columnTypeOf(String(row.column_type), String(row.column_name), label)])
}

/**
 * CSV and TSV: DuckDB's reader with types detected from the data. When that read fails, csv-parse
 * finds the malformed line to report; when the file is well formed (a value later in the file
 * breaks a detected type), it is read again as text and typed from every value.
 */
async function readCsv(label: string, path: string, delimiter: string, options: DatasetOptions, table: string, materialize: boolean): Promise<Read> {
  await checkTextStart(path, label, delimiter === '\t' ? 'TSV' : 'CSV')
  const header = await readCsvHeader(path, label, delimiter)
  for (const name of Object.keys(options.types ?? {})) {
    if (!header.includes(name)) throw new ModeltestError({ what: `{ types } names a column '${name}' that the file does not have`, where: label, fix: `The columns are ${header.join(', ')}.` })
  }
  if (options.badRows === 'skip') return readCsvAsText(label, path, delimiter, options, header, table, true)
  try {
    return await firstPass(label, csvReader(path, options, delimiter, { header, as: 'detect' }), table, materialize, options)
  } catch (error) {
    await diagnoseCsv(path, label, delimiter, options)
    if (!/Conversion Error|Could not convert/.test(String((error as Error).cause ?? error))) throw error
    return readCsvAsText(label, path, delimiter, options, header, table, false)
  }
}

/** Reads every column as text (skipping malformed rows when asked), then types each column from all its values. */
async function readCsvAsText(label: string, path: string, delimiter: string, options: DatasetOptions, header: string[], table: string, skipBadRows: boolean): Promise<Read> {
  const rejects = skipBadRows ? `${table}_rejects` : undefined
  return withConnection(async (c) => {
    try {
      await c.run(`CREATE TABLE ${ident(table)} AS SELECT * FROM ${csvReader(path, options, delimiter, { header, as: 'text', rejects })}`)
    } catch (error) {
      throw duckdbError(error, label)
    }
    const badRows = rejects ? await readRejects(c, rejects) : undefined
    const types = await inferTextTypes(c, ident(table), header, options.types ?? {}, label)
    await c.run(`CREATE OR REPLACE TABLE ${ident(table)} AS SELECT ${header.map((name, i) => `CAST(${ident(name)} AS ${DUCKDB_TYPE[types[i]]}) AS ${ident(name)}`).join(', ')} FROM ${ident(table)}`)
    return { ...(await finish({ relation: ident(table), schema: header.map((name, i) => [name, types[i]]), materialized: true }, c)), badRows }
  })
}

async function readRejects(connection: DuckDBConnection, rejects: string): Promise<BadRows> {
  const rows = (await connection.runAndReadAll(`SELECT line::DOUBLE AS line, error_message FROM ${ident(`${rejects}_errors`)} ORDER BY line`)).getRowObjectsJS()
  const lines = new Set(rows.map((row) => Number(row.line)))
  return { count: lines.size, examples: rows.slice(0, 5).map((row) => ({ line: Number(row.line), error: String(row.error_message) })) }
}

const TEXT_TESTS: [ColumnType, (c: string) => string][] = [
  // A regular expression, not TRY_CAST: DuckDB casts '0.5' to BIGINT by rounding.
  ['int', (c) => `regexp_full_match(trim(${c}), '[+-]?[0-9]+')`],
  ['float', (c) => `TRY_CAST(${c} AS DOUBLE) IS NOT NULL`],
  ['bool', (c) => `lower(${c}) IN ('true', 'false')`],
]

/** Types text columns from all their values: int, float, bool when every non-null value fits, else string; forced types are checked. */
async function inferTextTypes(connection: DuckDBConnection, relation: string, header: string[], forced: Record<string, ColumnType>, label: string): Promise<ColumnType[]> {
  const tests = header.flatMap((name, i) => TEXT_TESTS.map(([type, test]) => `bool_and(${test(ident(name))} OR ${ident(name)} IS NULL) AS "${type}${i}"`))
  const [row] = (await connection.runAndReadAll(`SELECT ${tests.join(', ')} FROM ${relation}`)).getRowObjectsJS()
  const types = header.map((name, i) => forced[name] ?? TEXT_TESTS.find(([type]) => row[`${type}${i}`] === true)?.[0] ?? 'string')
  for (const [i, name] of header.entries()) {
    if (!forced[name] || forced[name] === 'string') continue
    const cast = `TRY_CAST(${ident(name)} AS ${DUCKDB_TYPE[forced[name]]})`
    const [bad] = (await connection.runAndReadAll(`SELECT rowid::DOUBLE AS r, ${ident(name)} AS v FROM ${relation} WHERE ${ident(name)} IS NOT NULL AND ${cast} IS NULL LIMIT 1`)).getRowObjectsJS()
    if (bad) {
      throw new ModeltestError({
        what: `'${bad.v}' is not a${forced[name] === 'int' ? 'n' : ''} ${forced[name]}`,
        where: `${label}, data row ${Number(bad.r) + 1}, column '${header[i]}'`,
        fix: 'Fix the value, or drop the forced type for this column in dataset()\'s { types } option.',
      })
    }
  }
  return types
}

/** A DuckDB error as a ModeltestError: the file, the line when DuckDB names one, its first sentence. */
function duckdbError(error: unknown, label: string): Error {
  if (error instanceof ModeltestError) return error
  const message = (error as Error).message ?? String(error)
  const line = /Line: (\d+)/.exec(message)?.[1]
  const where = line ? `${label}, line ${line}` : label
  if (/not utf-8 encoded|Invalid unicode/i.test(message)) {
    return new ModeltestError({ what: 'the file is not UTF-8 text', where, fix: 'Convert it to UTF-8, for instance: iconv -f latin1 -t utf-8 in.csv > out.csv', cause: error })
  }
  if (/Malformed JSON|JSON/i.test(message) && /read_json|JSON/.test(message)) {
    const first = message.split('\n').find((text) => /Malformed|JSON/.test(text)) ?? message
    return new ModeltestError({ what: `malformed JSON Lines: ${first.replace(/^[^:]*Error:\s*/, '')}`, where, fix: 'Write one JSON object per line.', cause: error })
  }
  // DuckDB's first line can be only "CSV Error on Line: N"; the reason is on the next one.
  const lines = message.split('\n').map((text) => text.replace(/^[A-Za-z ]*Error:\s*/, '').trim()).filter((text) => text !== '' && !/^CSV Error on Line: \d+$/.test(text))
  return new ModeltestError({ what: `the file could not be read: ${lines[0] ?? message}`, where, fix: 'Check the file against its format.', cause: error })
}

async function fromRows(rows: readonly Record<string, unknown>[], name: string): Promise<Dataset> {
  if (!Array.isArray(rows)) {
    throw new ModeltestError({ what: `dataset() takes a file path or an array of row objects, not ${typeof rows}`, fix: "Pass a path such as 'data/train.csv' or rows such as [{ text: 'hi', label: 1 }]." })
  }
  if (rows.length === 0) throw new ModeltestError({ what: 'the rows are empty', where: name, fix: 'Give at least one row.' })
  const names: string[] = []
  for (const row of rows) for (const key of Object.keys(row)) if (!names.includes(key)) names.push(key)
  const columns = names.map((column) => typeValueColumn(column, rows.map((row) => row[column]), name))
  const schema = names.map((column, i): [string, ColumnType] => [column, columns[i].type])
  const table = `rows_${++tables}_${process.pid}`
  await appendRows(table, schema, (function* () {
    for (let r = 0; r < rows.length; r++) yield columns.map((column) => column.values[r])
  })())
  return new Dataset({ source: name, hash: hashText(JSON.stringify([names, columns.map((column) => column.values)])), relation: ident(table), schema, rowCount: rows.length, materialized: true })
}
