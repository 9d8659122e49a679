import { ModeltestError, listNames } from '../errors.js'
import { hashText } from '../hash.js'

export type ColumnType = 'int' | 'float' | 'string' | 'bool'
export type Value = number | string | boolean | null
export type Row = Record<string, Value>

export interface Column {
  readonly type: ColumnType
  readonly values: readonly Value[]
}

/**
 * A table held by column: what `dataset()` returns for every input format. Derived datasets
 * (`head`, `sample`) share the parent's columns' types and get a hash of their own.
 */
export class Dataset {
  readonly source: string
  /** SHA-256 of the file's bytes, or of the rows' content for an in-memory or derived dataset. */
  readonly hash: string
  readonly rowCount: number
  readonly #columns: ReadonlyMap<string, Column>

  constructor(source: string, hash: string, columns: ReadonlyMap<string, Column>) {
    const lengths = new Set([...columns.values()].map((column) => column.values.length))
    if (lengths.size > 1) throw new Error(`Dataset ${source}: columns differ in length (${[...lengths].join(', ')})`)
    this.source = source
    this.hash = hash
    this.#columns = columns
    this.rowCount = lengths.size === 0 ? 0 : [...lengths][0]
  }

  get columnNames(): string[] {
    return [...this.#columns.keys()]
  }

  get schema(): Record<string, ColumnType> {
    return Object.fromEntries([...this.#columns].map(([name, column]) => [name, column.type]))
  }

  hasColumn(name: string): boolean {
    return this.#columns.has(name)
  }

  /** The values of one column; an unknown name is an error that lists the columns that exist. */
  column(name: string): readonly Value[] {
    return this.#get(name).values
  }

  columnType(name: string): ColumnType {
    return this.#get(name).type
  }

  row(index: number): Row {
    const row: Row = {}
    for (const [name, column] of this.#columns) row[name] = column.values[index] ?? null
    return row
  }

  /** Rows as objects, `start` inclusive to `end` exclusive: the form a model's `preprocess` receives. */
  rows(start = 0, end = this.rowCount): Row[] {
    const rows: Row[] = []
    for (let i = start; i < Math.min(end, this.rowCount); i++) rows.push(this.row(i))
    return rows
  }

  /** Number of nulls per column, for the named columns (all columns by default). */
  nullCounts(columns: readonly string[] = this.columnNames): Record<string, number> {
    const counts: Record<string, number> = {}
    for (const name of columns) {
      let nulls = 0
      for (const value of this.column(name)) if (value === null) nulls++
      counts[name] = nulls
    }
    return counts
  }

  /** The first `n` rows. */
  head(n: number): Dataset {
    checkCount(n, 'head')
    return this.take(range(Math.min(n, this.rowCount)), `head(${n})`)
  }

  /** `n` rows drawn without replacement, the same rows for the same seed. */
  sample(n: number, options: { seed?: number } = {}): Dataset {
    checkCount(n, 'sample')
    const seed = options.seed ?? 0
    const indices = range(this.rowCount)
    const random = mulberry32(seed)
    const count = Math.min(n, this.rowCount)
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(random() * (indices.length - i))
      ;[indices[i], indices[j]] = [indices[j], indices[i]]
    }
    return this.take(indices.slice(0, count), `sample(${n}, seed=${seed})`)
  }

  /** The rows at the given indices, in that order. */
  take(indices: readonly number[], label = 'take'): Dataset {
    const columns = new Map<string, Column>()
    for (const [name, column] of this.#columns) {
      columns.set(name, { type: column.type, values: indices.map((i) => column.values[i]) })
    }
    const hash = hashText(`${this.hash}:${label}:${indices.join(',')}`)
    return new Dataset(`${this.source} ${label}`, hash, columns)
  }

  #get(name: string): Column {
    const column = this.#columns.get(name)
    if (!column) {
      throw new ModeltestError({
        what: `no column '${name}'`,
        where: this.source,
        fix: `The columns are ${listNames(this.columnNames)}. Check the name, or the header row of the file.`,
      })
    }
    return column
  }
}

export function isDataset(value: unknown): value is Dataset {
  return value instanceof Dataset
}

function checkCount(n: number, method: string): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new ModeltestError({ what: `${method}(${n}) needs a whole number of rows ≥ 0` })
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}

/** A small seeded PRNG (Mulberry32): enough for reproducible sampling, not for cryptography. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
