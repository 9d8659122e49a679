import type { Stats } from 'node:fs'
import { readlink, stat } from 'node:fs/promises'
import { dirname, extname, resolve } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import { ModeltestError, listNames } from '../errors.js'
import { checkChoice, checkFlag, checkOptionKeys, checkStrings, describeValue, didYouMean } from '../guard.js'
import { hashFile, hashText } from '../hash.js'
import { csvReader, diagnoseCsv, readCsvHeader, sniffCsv, type CsvOptions } from './csv.js'
import { Dataset, type BadRows } from './dataset.js'
import { ident, literal, newTableName, withConnection } from './duckdb.js'
import { typeValueColumn } from './infer.js'
import { diagnoseJson } from './json.js'
import { profileSql, readProfile, type Profile } from './profile.js'
import { checkMagic, checkTextStart } from './sniff.js'
import { appendRows } from './table.js'
import { COLUMN_TYPES, columnTypeOf, DUCKDB_TYPE, type ColumnType } from './types.js'

export type DatasetFormat = 'csv' | 'tsv' | 'jsonl' | 'json' | 'parquet' | 'arrow'
const DATASET_FORMATS: readonly DatasetFormat[] = ['csv', 'tsv', 'jsonl', 'json', 'parquet', 'arrow']

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
  '.json': 'json',
  '.parquet': 'parquet',
  '.arrow': 'arrow',
  '.feather': 'arrow',
  '.arrows': 'arrow',
  '.ipc': 'arrow',
}

const MATERIALIZE_UP_TO_BYTES = 256 * 1024 * 1024

// Every option dataset() knows (typed, so that none is left out): a misspelt one is refused, not ignored.
const OPTION_NAMES: Record<keyof DatasetOptions, true> = {
  format: true,
  name: true,
  materialize: true,
  badRows: true,
  countValues: true,
  profileColumns: true,
  delimiter: true,
  nullValues: true,
  types: true,
  relaxQuotes: true,
}

// Loaded datasets are kept per process, by path, size, modification time and options: every test
// file of a worker that loads the same file shares one table.
const LOADED = Symbol.for('modeltest.datasets')
type Global = typeof globalThis & { [LOADED]?: Map<string, Promise<Dataset>> }

/**
 * Loads a dataset from a CSV, TSV, JSON Lines, JSON (an array of records), Parquet or Arrow IPC
 * file, or from rows in memory. The data goes into DuckDB, not into JS objects, so files larger than
 * memory load.
 *
 *     const train = await dataset('data/train.csv')
 *     const tiny = await dataset([{ text: 'great', label: 1 }], { name: 'tiny' })
 */
export async function dataset(source: string | readonly Record<string, unknown>[], options: DatasetOptions = {}): Promise<Dataset> {
  checkSource(source)
  checkOptions(options)
  if (typeof source !== 'string') return fromRows(source, options.name ?? 'rows', options.types)
  const path = resolve(source)
  const format = options.format ?? FORMAT_BY_EXTENSION[extname(path).toLowerCase()]
  if (!format) {
    throw new ModeltestError({
      what: `cannot tell the format of '${source}' from its extension`,
      where: source,
      fix: `Name it .csv, .tsv, .jsonl, .json, .parquet or .arrow, or pass { format } to dataset(): one of ${listNames(DATASET_FORMATS)}.`,
    })
  }
  const info = await fileInfo(path, source)
  if (!info.isFile()) throw new ModeltestError({ what: 'this is not a file', where: source, fix: 'Name a data file, not a directory.' })
  const key = JSON.stringify([path, info.size, info.mtimeMs, format, options])
  const loaded = ((globalThis as Global)[LOADED] ??= new Map<string, Promise<Dataset>>())
  let data = loaded.get(key)
  if (!data) {
    data = loadFile(source, path, format, options, options.materialize ?? (info.size <= MATERIALIZE_UP_TO_BYTES || options.badRows === 'skip'))
    loaded.set(key, data)
    data.catch(() => loaded.delete(key))
  }
  return data
}

/** The source is a path or an array of row objects; anything else (a Promise, a URL, undefined) is named. */
function checkSource(source: unknown): void {
  const fix = "Pass a path such as 'data/train.csv' or rows such as [{ text: 'hi', label: 1 }]."
  if (Array.isArray(source)) {
    source.forEach((row: unknown, i) => {
      if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new ModeltestError({ what: `dataset(): rows[${i}] must be an object of column values, got ${describeValue(row)}`, fix })
    })
  } else if (typeof source !== 'string' || source === '') {
    throw new ModeltestError({ what: `dataset() takes a file path or an array of row objects, got ${describeValue(source)}`, fix })
  }
}

/** Refuses an option dataset() does not know, or a value it cannot honour, naming the allowed ones. */
function checkOptions(options: DatasetOptions): void {
  const where = 'dataset()'
  checkOptionKeys(options, Object.keys(OPTION_NAMES), where)
  checkChoice(options.format, DATASET_FORMATS, 'format', where)
  checkChoice(options.badRows, ['error', 'skip'], 'badRows', where)
  checkFlag(options.materialize, 'materialize', where)
  checkFlag(options.relaxQuotes, 'relaxQuotes', where)
  for (const [parameter, value, example] of [
    ['name', options.name, "'holdout'"],
    ['delimiter', options.delimiter, "';'"],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || value === '')) throw new ModeltestError({ what: `${where}: ${parameter} must be a non-empty string, got ${describeValue(value)}`, fix: `Write { ${parameter}: ${example} }.` })
  }
  for (const [parameter, value, example] of [
    ['nullValues', options.nullValues, "['', 'NA']"],
    ['countValues', options.countValues, "['label']"],
    ['profileColumns', options.profileColumns, "['text', 'label']"],
  ] as const) {
    if (value !== undefined) checkStrings(value, parameter, where, example)
  }
  const types: unknown = options.types
  if (types === undefined) return
  if (types === null || typeof types !== 'object' || Array.isArray(types)) {
    throw new ModeltestError({ what: `${where}: types must map column names to types, got ${describeValue(types)}`, fix: "Write { types: { zip: 'string', age: 'int' } }." })
  }
  for (const [column, type] of Object.entries(types)) checkChoice(type, COLUMN_TYPES, `types.${column}`, where)
}

/** The file's status; a missing file, a loop of symbolic links or a path that cannot be read each say so. */
async function fileInfo(path: string, source: string): Promise<Stats> {
  try {
    return await stat(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new ModeltestError({ what: 'the file does not exist', where: source, fix: `Check the path (resolved to ${path}).` })
    if (code === 'ELOOP') {
      throw new ModeltestError({ what: `the path is a loop of symbolic links: ${await linkChain(path, source)}`, where: source, fix: 'Point one of the links at the data file itself (ln -sf path/to/data.csv link).', cause: error })
    }
    throw new ModeltestError({ what: `the file cannot be read (${code}: ${(error as Error).message})`, where: source, fix: 'Check the path and its permissions.', cause: error })
  }
}

/** The links a path passes through, as each link names the next, up to the first one seen twice: `a.csv → b → a.csv`. */
async function linkChain(path: string, source: string): Promise<string> {
  const seen: string[] = []
  const names = [source]
  let current = path
  while (!seen.includes(current) && seen.length < 40) {
    seen.push(current)
    const target = await readlink(current).catch(() => undefined)
    if (target === undefined) break
    names.push(target)
    current = resolve(dirname(current), target)
  }
  return names.join(' → ')
}

async function loadFile(label: string, path: string, format: DatasetFormat, options: DatasetOptions, materialize: boolean): Promise<Dataset> {
  const hash = hashFile(path)
  const table = newTableName('ds')
  let read: Read
  if (format === 'arrow') {
    await checkMagic(path, label, 'arrow')
    // apache-arrow is loaded only for Arrow files: it adds about 70 ms to every start otherwise.
    const { arrowToTable } = await import('./arrow.js')
    const schema = await retypeTable(table, await arrowToTable(path, label, table), options.types, label)
    read = await finish({ relation: ident(table), schema, materialized: true })
  } else if (format === 'parquet') {
    await checkMagic(path, label, 'parquet')
    read = await firstPass(label, `read_parquet(${literal(path)})`, table, materialize, options)
  } else if (format === 'jsonl' || format === 'json') {
    read = await readJson(label, path, format, table, materialize, options)
  } else {
    read = await readCsv(label, path, format === 'tsv' ? '\t' : ',', options, table, materialize)
  }
  if (read.rowCount === 0) {
    throw new ModeltestError({ what: format === 'csv' || format === 'tsv' ? 'the file has a header row but no data rows' : 'the file has no rows', where: label, fix: 'Check that the file was written completely.' })
  }
  return new Dataset({ source: label, hash: await hash, ...read, reading: JSON.stringify([format, options, read.materialized]) })
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
async function firstPass(label: string, file: string, table: string, materialize: boolean, options: Pick<DatasetOptions, 'countValues' | 'profileColumns' | 'types'>): Promise<Read> {
  const run = async (c: DuckDBConnection): Promise<Read> => {
    const { relation: reader, schema } = await forceTypes(c, file, await describe(c, file, label), options.types, label)
    if (materialize) {
      await c.run(`CREATE TABLE ${ident(table)} AS SELECT * FROM ${reader}`)
      return finish({ relation: ident(table), schema, materialized: true }, c)
    }
    const known = (names: string[] | undefined) => names?.filter((name) => schema.some(([column]) => column === name))
    const counted = known(options.countValues) ?? []
    const profiled = known(options.profileColumns)
    const profiledSchema = profiled ? schema.filter(([name]) => profiled.includes(name) || counted.includes(name)) : schema
    const [row] = (await c.runAndReadAll(profileSql(reader, profiledSchema, counted))).getRowObjectsJS()
    const profile = readProfile(row, profiledSchema, counted)
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
  return rows.map((row) => [row.column_name as string, columnTypeOf(row.column_type as string, row.column_name as string, label)])
}

/** Refuses `{ types }` entries for columns the data does not have. */
function checkTypedColumns(types: DatasetOptions['types'], columns: readonly string[], label: string): void {
  for (const name of Object.keys(types ?? {})) {
    if (!columns.includes(name)) {
      throw new ModeltestError({ what: `dataset(): types names a column '${name}' that the data does not have${didYouMean(name, columns)}`, where: label, fix: `The columns are ${listNames(columns)}.` })
    }
  }
}

/**
 * Applies `{ types }` to a relation: each forced column is cast to its type, after a scan for the
 * first value that does not fit it (an error naming its row), so that no value becomes a silent null.
 */
async function forceTypes(connection: DuckDBConnection, relation: string, schema: [string, ColumnType][], types: DatasetOptions['types'], label: string): Promise<{ relation: string; schema: [string, ColumnType][] }> {
  checkTypedColumns(
    types,
    schema.map(([name]) => name),
    label,
  )
  const changed = schema.flatMap(([name, type]): [string, ColumnType][] => (types?.[name] !== undefined && types[name] !== type ? [[name, types[name]]] : []))
  if (changed.length === 0) return { relation, schema }
  for (const [name, type] of changed) await checkCast(connection, relation, name, type, label)
  return {
    relation: `(SELECT * REPLACE (${changed.map(([name, type]) => `CAST(${ident(name)} AS ${DUCKDB_TYPE[type]}) AS ${ident(name)}`).join(', ')}) FROM ${relation})`,
    schema: schema.map(([name, type]) => [name, types?.[name] ?? type]),
  }
}

/** `{ types }` on a table already written (Arrow, rows in memory): rewritten with the forced types. */
async function retypeTable(table: string, schema: [string, ColumnType][], types: DatasetOptions['types'], label: string): Promise<[string, ColumnType][]> {
  if (types === undefined) return schema
  return withConnection(async (c) => {
    const typed = await forceTypes(c, ident(table), schema, types, label)
    if (typed.relation !== ident(table)) await c.run(`CREATE OR REPLACE TABLE ${ident(table)} AS SELECT * FROM ${typed.relation}`)
    return typed.schema
  })
}

/** Throws an error naming the first non-null value of a column that does not fit `type`, and its row (from 1). */
async function checkCast(connection: DuckDBConnection, relation: string, column: string, type: ColumnType, label: string): Promise<void> {
  if (type === 'string') return
  // DuckDB rounds '0.5' and 2.5 when casting to BIGINT: an int must equal its value read as a double.
  const v = ident(column)
  const misfit = `${v} IS NOT NULL AND NOT coalesce(${type === 'int' ? `TRY_CAST(${v} AS BIGINT) = TRY_CAST(${v} AS DOUBLE)` : `TRY_CAST(${v} AS ${DUCKDB_TYPE[type]}) IS NOT NULL`}, false)`
  // A scan that stops at the first misfit; the rows are numbered (a window over the whole file) only when there is one.
  if ((await connection.runAndReadAll(`SELECT 1 FROM ${relation} WHERE ${misfit} LIMIT 1`)).currentRowCount === 0) return
  const [bad] = (
    await connection.runAndReadAll(`SELECT modeltest_row::DOUBLE AS n, ${v}::VARCHAR AS v FROM (SELECT row_number() OVER () AS modeltest_row, * FROM ${relation}) WHERE ${misfit} ORDER BY modeltest_row LIMIT 1`)
  ).getRowObjectsJS()
  if (bad) {
    throw new ModeltestError({
      what: `'${bad.v as string}' is not a${type === 'int' ? 'n' : ''} ${type}`,
      where: `${label}, data row ${Number(bad.n)}, column '${column}'`,
      fix: "Fix the value, or drop the forced type for this column in dataset()'s { types } option.",
    })
  }
}

/**
 * JSON Lines (one object per line) and JSON (one array of objects, as vega-datasets ships them),
 * through DuckDB's reader. A column that mixes strings and numbers (movie titles such as 1776) is
 * read as text, as pandas reads it into one object column. When the read fails, or reads lines that
 * are not objects as one column named json, the file is parsed line by line to name the line at fault.
 */
async function readJson(label: string, path: string, format: 'json' | 'jsonl', table: string, materialize: boolean, options: DatasetOptions): Promise<Read> {
  await checkTextStart(path, label, format === 'json' ? 'JSON' : 'JSON Lines')
  const file = `read_json(${literal(path)}, format=${format === 'json' ? "'array'" : "'newline_delimited'"})`
  let read: Read
  try {
    const mixed = (await withConnection((c) => c.runAndReadAll(`DESCRIBE SELECT * FROM ${file}`)))
      .getRowObjectsJS()
      .filter((row) => row.column_type === 'JSON')
      .map((row) => row.column_name as string)
    const reader = mixed.length === 0 ? file : `(SELECT * REPLACE (${mixed.map((name) => `${ident(name)}->>'$' AS ${ident(name)}`).join(', ')}) FROM ${file})`
    read = await firstPass(label, reader, table, materialize, options)
  } catch (error) {
    await diagnoseJson(path, label, format)
    throw error
  }
  if (read.schema.length === 1 && read.schema[0][0] === 'json') await diagnoseJson(path, label, format)
  return read
}

/**
 * CSV and TSV: DuckDB's reader with types detected from the data. When that read fails, csv-parse
 * finds the malformed line to report; when the file is well formed (a value later in the file
 * breaks a detected type), it is read again as text and typed from every value.
 */
async function readCsv(label: string, path: string, delimiter: string, options: DatasetOptions, table: string, materialize: boolean): Promise<Read> {
  await checkTextStart(path, label, delimiter === '\t' ? 'TSV' : 'CSV')
  const header = await readCsvHeader(path, label, delimiter)
  checkTypedColumns(options.types, header, label)
  if (options.badRows === 'skip') return readCsvAsText(label, path, delimiter, options, header, table, true)
  try {
    const sniffed = await sniffCsv(path, options, delimiter, header).catch((error: unknown) => {
      throw duckdbError(error, label)
    })
    const scan = (singleThreaded: boolean) => firstPass(label, csvReader(path, options, delimiter, { ...sniffed, singleThreaded }), table, materialize, options)
    return await scan(false).catch((error: unknown) => {
      // DuckDB 1.5's parallel reader gives up on some files where its buffers fall (duckdb/duckdb#24237;
      // the benchmark's 10M-row text file at 32 MiB buffers): one thread reads them.
      if (String((error as Error).cause ?? error).includes('Parallel CSV Reader currently does not support a full read')) return scan(true)
      throw error
    })
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
  return { count: lines.size, examples: rows.slice(0, 5).map((row) => ({ line: Number(row.line), error: row.error_message as string })) }
}

const TEXT_TESTS: [ColumnType, (c: string) => string][] = [
  // A regular expression, not TRY_CAST: DuckDB casts '0.5' to BIGINT by rounding.
  ['int', (c) => `regexp_full_match(trim(${c}), '[+-]?[0-9]+')`],
  ['float', (c) => `TRY_CAST(${c} AS DOUBLE) IS NOT NULL`],
  ['bool', (c) => `lower(${c}) IN ('true', 'false')`],
]

/** Types text columns from all their values: int, float, bool when every non-null value fits, else string; forced types are checked. */
export async function inferTextTypes(connection: DuckDBConnection, relation: string, header: string[], forced: Record<string, ColumnType>, label: string): Promise<ColumnType[]> {
  const tests = header.flatMap((name, i) => TEXT_TESTS.map(([type, test]) => `bool_and(${test(ident(name))} OR ${ident(name)} IS NULL) AS "${type}${i}"`))
  const [row] = (await connection.runAndReadAll(`SELECT ${tests.join(', ')} FROM ${relation}`)).getRowObjectsJS()
  for (const name of header) if (forced[name]) await checkCast(connection, relation, name, forced[name], label)
  return header.map((name, i) => forced[name] ?? TEXT_TESTS.find(([type]) => row[`${type}${i}`] === true)?.[0] ?? 'string')
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
    return new ModeltestError({ what: `malformed JSON: ${first.replace(/^[^:]*Error:\s*/, '')}`, where, fix: 'Write one JSON object per line (.jsonl), or one array of objects (.json).', cause: error })
  }
  // DuckDB's first line can be only "CSV Error on Line: N"; the reason is on the next one.
  const lines = message
    .split('\n')
    .map((text) => text.replace(/^[A-Za-z ]*Error:\s*/, '').trim())
    .filter((text) => text !== '' && !/^CSV Error on Line: \d+$/.test(text))
  return new ModeltestError({ what: `the file could not be read: ${lines[0] ?? message}`, where, fix: 'Check the file against its format.', cause: error })
}

async function fromRows(rows: readonly Record<string, unknown>[], name: string, types: DatasetOptions['types']): Promise<Dataset> {
  if (rows.length === 0) throw new ModeltestError({ what: 'the rows are empty', where: name, fix: 'Give at least one row.' })
  const names: string[] = []
  for (const row of rows) for (const key of Object.keys(row)) if (!names.includes(key)) names.push(key)
  checkTypedColumns(types, names, name)
  // A forced column is written as text and cast by DuckDB, so that it may mix what JS gives (ids as numbers and strings).
  const columns = names.map((column) =>
    typeValueColumn(
      column,
      rows.map((row) => (types?.[column] ? asText(row[column]) : row[column])),
      name,
    ),
  )
  const inferred = names.map((column, i): [string, ColumnType] => [column, columns[i].type])
  const table = newTableName('rows')
  await appendRows(
    table,
    inferred,
    (function* () {
      for (let r = 0; r < rows.length; r++) yield columns.map((column) => column.values[r])
    })(),
  )
  const schema = await retypeTable(table, inferred, types, name)
  const content = [names, columns.map((column) => column.values)]
  return new Dataset({ source: name, hash: hashText(JSON.stringify(types ? [...content, types] : content)), relation: ident(table), schema, rowCount: rows.length, materialized: true })
}

function asText(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString()
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' ? String(value) : value
}
