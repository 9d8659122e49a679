import { ModeltestError, listNames } from '../errors.js'
import { checkNumber, checkOptionKeys } from '../guard.js'
import { hashText } from '../hash.js'
import { ident, queryColumn, queryRows, streamChunks, streamRows } from './duckdb.js'
import { histogramCounts, profileSql, readProfile, type Profile } from './profile.js'
import { jsExpression, type ColumnType } from './types.js'

export type { ColumnType } from './types.js'
export type Value = number | string | boolean | null
export type Row = Record<string, Value>
/** Rows as columns, what `preprocessColumns` receives: int and float columns as Float64Array (a null as NaN), the others as arrays of values. */
export type Columns = Record<string, Float64Array | Value[]>
type Chunk = import('@duckdb/node-api').DuckDBDataChunk

/** Rows that a lenient read skipped (`{ badRows: 'skip' }`), with the first few reasons. */
export interface BadRows {
  count: number
  examples: { line: number; error: string }[]
}

export interface DatasetParts {
  source: string
  hash: string
  /** A SQL table expression over the data: a DuckDB table, or a reader such as read_csv(…). */
  relation: string
  schema: [string, ColumnType][]
  rowCount: number
  /** Whether `relation` is a table (fast repeated scans, rowid) rather than a re-read of the file. */
  materialized: boolean
  badRows?: BadRows
  profile?: Profile
  /**
   * How a file was read (format and options that change the values), when `hash` and this determine the
   * rows; left out where they do not (rows given in memory, a sample drawn by DuckDB's reservoir).
   */
  reading?: string
}

// Profiles and value counts are kept per process by content hash: each is computed once per run.
const PROFILES = Symbol.for('modeltest.profiles')
const COLUMN_STATISTICS = Symbol.for('modeltest.column-statistics')
type Global = typeof globalThis & { [PROFILES]?: Map<string, Promise<Profile>>; [COLUMN_STATISTICS]?: Map<string, Promise<unknown>> }

// The mark of a dataset, shared by every copy of modeltest in the process (a registry symbol, not a class):
// a test file and the modeltest CLI may load two copies, and each must accept the other's datasets.
const DATASET_BRAND = Symbol.for('modeltest.dataset')

/**
 * A table of named, typed columns: what `dataset()` returns for every input format. The data stays
 * in DuckDB, out of the JS heap; rows come out in batches when a model needs them. Row count,
 * columns and types are known at once; statistics come from one profiling pass, computed on first
 * use and shared by every check on the same data.
 */
export class Dataset {
  readonly [DATASET_BRAND] = true
  readonly source: string
  /** SHA-256 of the file's bytes, or of the rows' content for in-memory and derived datasets. */
  readonly hash: string
  readonly rowCount: number
  readonly badRows?: BadRows
  readonly #parts: DatasetParts
  readonly #schema: Map<string, ColumnType>

  constructor(parts: DatasetParts) {
    this.source = parts.source
    this.hash = parts.hash
    this.rowCount = parts.rowCount
    this.badRows = parts.badRows
    this.#parts = parts
    this.#schema = new Map(parts.schema)
    if (parts.profile) profiles().set(parts.hash, Promise.resolve(parts.profile))
  }

  get columnNames(): string[] {
    return [...this.#schema.keys()]
  }

  get schema(): Record<string, ColumnType> {
    return Object.fromEntries(this.#schema)
  }

  hasColumn(name: string): boolean {
    return this.#schema.has(name)
  }

  /** The type of a column; an unknown name is an error that lists the columns that exist. */
  columnType(name: string): ColumnType {
    this.checkColumns([name])
    return this.#schema.get(name)!
  }

  /** Throws a ModeltestError naming the first unknown column and listing those that exist. */
  checkColumns(names: readonly string[]): void {
    for (const name of names) {
      if (!this.#schema.has(name)) {
        throw new ModeltestError({ what: `no column '${name}'`, where: this.source, fix: `The columns are ${listNames(this.columnNames)}. Check the name, or the header row of the file.` })
      }
    }
  }

  /** The SQL table expression of the data, for the engine's queries. */
  /**
   * What determines the rows, for caches that outlive the process: the file's hash, how it was read,
   * the schema and the row count. Undefined when they do not (see DatasetParts.reading).
   */
  get contentKey(): string | undefined {
    const { reading } = this.#parts
    return reading === undefined ? undefined : hashText(JSON.stringify([this.hash, reading, [...this.#schema], this.rowCount]))
  }

  get relation(): string {
    return this.#parts.materialized ? this.#parts.relation : `(SELECT * FROM ${this.#parts.relation})`
  }

  /** Rows as objects, `start` inclusive to `end` exclusive: the form a model's `preprocess` receives. */
  async rows(start = 0, end = this.rowCount): Promise<Row[]> {
    checkNumber(start, 'start', 'rows()', { min: 0, whole: true })
    checkNumber(end, 'end', 'rows()', { min: 0, whole: true })
    const limit = Math.max(0, Math.min(end, this.rowCount) - start)
    if (limit === 0) return []
    return (await queryRows(`SELECT ${this.#selectList()} FROM ${this.relation} LIMIT ${limit} OFFSET ${start}`)) as Row[]
  }

  /** Every row, in order, `size` at a time, streamed: the whole dataset is never held at once. */
  async *batches(size: number): AsyncGenerator<Row[]> {
    checkNumber(size, 'size', 'batches()', { min: 1, whole: true })
    let batch: Row[] = []
    for await (const chunk of streamRows(`SELECT ${this.#selectList()} FROM ${this.relation}`)) {
      for (const row of chunk) {
        batch.push(row as Row)
        if (batch.length === size) {
          yield batch
          batch = []
        }
      }
    }
    if (batch.length > 0) yield batch
  }

  /**
   * The numeric columns `names`, `size` rows at a time, as row-major float32 matrices (rows × names):
   * a model's input copied from DuckDB's column vectors, with no object per row. A null is the error
   * `onNull` gives for its column and row.
   */
  async *featureBatches(names: readonly string[], size: number, onNull: (column: string, row: number) => Error): AsyncGenerator<{ rows: number; matrix: Float32Array }> {
    const width = names.length
    const batches = this.#chunkBatches(
      // Float columns as they are (FLOAT and DOUBLE vectors hold numbers; a cast would copy them); integers as double.
      names.map((name) => (this.columnType(name) === 'int' ? `CAST(${ident(name)} AS DOUBLE)` : ident(name))),
      size,
      (rows) => new Float32Array(rows * width),
      (matrix, chunk, from, count, at, row) => {
        for (let j = 0; j < width; j++) {
          const vector = chunk.getColumnVector(j)
          for (let i = 0; i < count; i++) {
            const value = vector.getItem(from + i)
            if (typeof value === 'number') matrix[(at + i) * width + j] = value
            else if (value === null) throw onNull(names[j], row + i)
            else matrix[(at + i) * width + j] = (value as { toDouble(): number }).toDouble() // DECIMAL
          }
        }
      },
      (matrix, rows) => matrix.subarray(0, rows * width),
    )
    for await (const { rows, batch } of batches) yield { rows, matrix: batch }
  }

  /** Every row, in order, `size` at a time, as columns (see Columns): what `preprocessColumns` receives. */
  async *columnBatches(size: number): AsyncGenerator<{ rows: number; columns: Columns }> {
    const schema = [...this.#schema]
    const numeric = schema.map(([, type]) => type === 'int' || type === 'float')
    const batches = this.#chunkBatches(
      schema.map(([name, type], j) => (numeric[j] ? `CAST(${ident(name)} AS DOUBLE)` : jsExpression(name, type, ident))),
      size,
      (rows) => schema.map((_, j): Float64Array | Value[] => (numeric[j] ? new Float64Array(rows) : new Array<Value>(rows))),
      (columns, chunk, from, count, at) => {
        columns.forEach((column, j) => {
          const vector = chunk.getColumnVector(j)
          if (column instanceof Float64Array) for (let i = 0; i < count; i++) column[at + i] = (vector.getItem(from + i) as number | null) ?? NaN
          else for (let i = 0; i < count; i++) column[at + i] = vector.getItem(from + i) as Value
        })
      },
      (columns, rows) => columns.map((column) => column.slice(0, rows)),
    )
    for await (const { rows, batch } of batches) yield { rows, columns: Object.fromEntries(schema.map(([name], j) => [name, batch[j]])) }
  }

  /**
   * A query's rows regrouped from DuckDB's chunks into batches of `size`: `copy` moves `count` rows of a
   * chunk from `from` into the batch at `at` (`row`: their index in the data); `trim` shortens the last.
   */
  async *#chunkBatches<T>(
    expressions: string[],
    size: number,
    allocate: (rows: number) => T,
    copy: (batch: T, chunk: Chunk, from: number, count: number, at: number, row: number) => void,
    trim: (batch: T, rows: number) => T,
  ): AsyncGenerator<{ rows: number; batch: T }> {
    checkNumber(size, 'size', 'batches()', { min: 1, whole: true })
    let batch = allocate(size)
    let filled = 0
    let row = 0
    for await (const chunk of streamChunks(`SELECT ${expressions.join(', ')} FROM ${this.relation}`)) {
      for (let from = 0; from < chunk.rowCount;) {
        const count = Math.min(chunk.rowCount - from, size - filled)
        copy(batch, chunk, from, count, filled, row)
        from += count
        filled += count
        row += count
        if (filled === size) {
          yield { rows: size, batch }
          batch = allocate(size)
          filled = 0
        }
      }
    }
    if (filled > 0) yield { rows: filled, batch: trim(batch, filled) }
  }

  /** The values of one column, in row order. */
  async column(name: string): Promise<Value[]> {
    const type = this.columnType(name)
    return (await queryColumn(`SELECT ${jsExpression(name, type, ident)} FROM ${this.relation}`)) as Value[]
  }

  /**
   * Statistics from one pass over the data, computed once per content hash. A first pass may have
   * profiled only some columns (`modeltest validate` profiles those its checks name); asking for
   * another column runs the full pass.
   */
  async profile(columns: readonly string[] = this.columnNames): Promise<Profile> {
    this.checkColumns(columns)
    const cache = profiles()
    const cached = cache.get(this.hash)
    if (cached) {
      const profile = await cached
      if (columns.every((name) => profile.columns.some((column) => column.name === name))) return profile
    }
    const schema = [...this.#schema]
    const profile = queryRows(profileSql(this.relation, schema)).then(([row]) => readProfile(row, schema))
    cache.set(this.hash, profile)
    profile.catch(() => cache.delete(this.hash))
    return profile
  }

  /** Exact counts per non-null value of a column (labels, categories), from the profile when it has them. */
  async valueCounts(name: string): Promise<Record<string, number>> {
    this.checkColumns([name])
    const profiled = (await profiles().get(this.hash))?.columns.find((c) => c.name === name)?.counts
    if (profiled) return profiled
    return this.#columnStatistic('counts', name, async () => {
      const [row] = await queryRows(`SELECT histogram(${ident(name)}) FILTER (WHERE ${ident(name)} IS NOT NULL) AS h FROM ${this.relation}`)
      return histogramCounts(row.h)
    })
  }

  /** The number of distinct non-null values of a column (exact), computed once per content hash. */
  distinctCount(name: string): Promise<number> {
    this.checkColumns([name])
    return this.#columnStatistic('distinct', name, async () => {
      const [row] = await queryRows(`SELECT count(DISTINCT ${ident(name)})::DOUBLE AS n FROM ${this.relation}`)
      return Number(row.n)
    })
  }

  /** A statistic of one column that the profile does not hold, computed once per content hash and kept for the run. */
  #columnStatistic<T>(kind: string, name: string, compute: () => Promise<T>): Promise<T> {
    const cache = ((globalThis as Global)[COLUMN_STATISTICS] ??= new Map())
    const key = `${kind}\0${this.hash}\0${name}`
    let value = cache.get(key) as Promise<T> | undefined
    if (!value) {
      value = compute()
      cache.set(key, value)
      value.catch(() => cache.delete(key))
    }
    return value
  }

  /** The first `n` rows. */
  head(n: number): Dataset {
    checkNumber(n, 'n', 'head()', { min: 0, whole: true })
    return this.#derive(`head(${n})`, `(SELECT * FROM ${this.relation} LIMIT ${n})`, Math.min(n, this.rowCount))
  }

  /**
   * `n` rows drawn without replacement, the same rows for the same seed: ordered by a hash of the
   * row's position and the seed. (A dataset read without materializing uses DuckDB's seeded
   * reservoir sample instead.)
   */
  sample(n: number, options: { seed?: number } = {}): Dataset {
    checkNumber(n, 'n', 'sample()', { min: 0, whole: true })
    checkOptionKeys(options, ['seed'], 'sample()')
    const seed = checkNumber(options.seed ?? 0, 'seed', 'sample()', { whole: true })
    const relation = this.#parts.materialized ? `(SELECT * FROM ${this.relation} ORDER BY hash(rowid, ${seed}) LIMIT ${n})` : `(SELECT * FROM ${this.relation} USING SAMPLE reservoir(${n} ROWS) REPEATABLE (${seed}))`
    // A reservoir sample repeats its rows only on one thread: not something a cache on disk may count on.
    return this.#derive(`sample(${n}, seed=${seed})`, relation, Math.min(n, this.rowCount), this.#parts.materialized)
  }

  /** A dataset of some of these rows; `reproducible`: whether the same data always gives the same rows. */
  #derive(label: string, relation: string, rowCount: number, reproducible = true): Dataset {
    return new Dataset({
      source: `${this.source} ${label}`,
      hash: hashText(`${this.hash}:${label}`),
      relation,
      schema: [...this.#schema],
      rowCount,
      materialized: false,
      reading: reproducible ? this.#parts.reading : undefined,
    })
  }

  #selectList(): string {
    return [...this.#schema].map(([name, type]) => jsExpression(name, type, ident)).join(', ')
  }
}

function profiles(): Map<string, Promise<Profile>> {
  return ((globalThis as Global)[PROFILES] ??= new Map<string, Promise<Profile>>())
}

/** Whether a value is a dataset from `dataset()`, of this copy of modeltest or of another one in the process. */
export function isDataset(value: unknown): value is Dataset {
  return typeof value === 'object' && value !== null && (value as { [DATASET_BRAND]?: unknown })[DATASET_BRAND] === true
}
