import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'

let api: typeof import('@duckdb/node-api') | undefined

/**
 * DuckDB's Node API, loaded on first use: a run that reads no data (a report, `--help`, a model-only
 * check) never loads its native binding. It is CommonJS: loaded with require, Node skips the scan of
 * its sources for named exports that an ESM import makes, about 50 ms of every `modeltest validate`.
 */
export function duckdb(): typeof import('@duckdb/node-api') {
  api ??= createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api')
  return api
}

/**
 * The process's DuckDB: an in-memory database that holds the datasets of a test worker, with a
 * memory limit and a spill directory so that files larger than memory still validate.
 * MODELTEST_DUCKDB_MEMORY sets the limit (default 512MB); MODELTEST_DUCKDB_THREADS the threads.
 */
const KEY = Symbol.for('modeltest.duckdb')
type Global = typeof globalThis & { [KEY]?: Promise<DuckDBInstance> }

function instance(): Promise<DuckDBInstance> {
  const global = globalThis as Global
  global[KEY] ??= (async () => {
    const spill = spillDirectory()
    process.once('exit', () => rmSync(spill, { recursive: true, force: true }))
    return duckdb().DuckDBInstance.create(':memory:', {
      threads: process.env.MODELTEST_DUCKDB_THREADS ?? String(availableParallelism()),
      memory_limit: process.env.MODELTEST_DUCKDB_MEMORY ?? '512MB',
      temp_directory: spill,
      preserve_insertion_order: 'true',
    })
  })()
  return global[KEY]
}

/**
 * A spill directory of this process's own, under one shared folder. Test workers are often killed
 * rather than exited, so the folders of processes that no longer run are removed here.
 */
function spillDirectory(): string {
  const base = join(tmpdir(), 'modeltest-duckdb')
  mkdirSync(base, { recursive: true })
  for (const entry of readdirSync(base)) {
    if (!isRunning(Number(entry))) rmSync(join(base, entry), { recursive: true, force: true })
  }
  const own = join(base, String(process.pid))
  mkdirSync(own, { recursive: true })
  return own
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Runs `work` on a connection of its own (tables are shared; connections are cheap). */
export async function withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const connection = await (await instance()).connect()
  try {
    return await work(connection)
  } finally {
    connection.closeSync()
  }
}

/** Rows of a query as plain JS objects (BIGINT as bigint: cast in SQL where a number is wanted). */
export async function queryRows(sql: string): Promise<Record<string, unknown>[]> {
  return withConnection(async (connection) => (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[])
}

/** Streams a query's rows in DuckDB's chunks (2,048 rows), for results too large to hold at once. */
export async function* streamRows(sql: string): AsyncGenerator<Record<string, unknown>[]> {
  const connection = await (await instance()).connect()
  try {
    const result = await connection.stream(sql)
    for await (const rows of result.yieldRowObjectJs()) yield rows
  } finally {
    connection.closeSync()
  }
}

/**
 * Streams a query's result as DuckDB's own chunks (2,048 rows), to be read column by column
 * (`chunk.getColumnVector(i).getItem(row)`): no JS object per row or per value.
 */
export async function* streamChunks(sql: string): AsyncGenerator<import('@duckdb/node-api').DuckDBDataChunk> {
  const connection = await (await instance()).connect()
  try {
    const result = await connection.stream(sql)
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) yield chunk
  } finally {
    connection.closeSync()
  }
}

const TABLE_COUNT = Symbol.for('modeltest.duckdb.tables')

/**
 * A table name not used before in this process's database, which every copy of modeltest loaded in
 * the process shares: the count lives on globalThis, not in this module.
 */
export function newTableName(prefix: string): string {
  const global = globalThis as typeof globalThis & { [TABLE_COUNT]?: number }
  global[TABLE_COUNT] = (global[TABLE_COUNT] ?? 0) + 1
  return `${prefix}_${global[TABLE_COUNT]}_${process.pid}`
}

/** A SQL identifier, quoted. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

/** A SQL string literal, quoted. */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`
}

/** The first column of a query's result as one array (no object per row). */
export async function queryColumn(sql: string): Promise<unknown[]> {
  return withConnection(async (connection) => ((await connection.runAndReadAll(sql)).getColumnsJS()[0] ?? []) as unknown[])
}
