import { createReadStream } from 'node:fs'
import { parse, CsvError } from 'csv-parse'
import { ModeltestError } from '../errors.js'
import { literal, queryRows } from './duckdb.js'
import { DUCKDB_TYPE, type ColumnType } from './types.js'

export interface CsvOptions {
  /** Field separator; `,` for .csv and a tab for .tsv by default. */
  delimiter?: string
  /** Cells read as null; the empty cell by default. */
  nullValues?: readonly string[]
  /**
   * Forced column types, for columns whose inferred type is not the one meant (ids read as int).
   * Honoured on every format and on rows in memory; a value that does not fit is an error naming its row.
   */
  types?: Record<string, ColumnType>
  /** Read rows that break the CSV rules (a stray quote) as well as possible instead of stopping. */
  relaxQuotes?: boolean
}

/** What DuckDB's sniffer found in a CSV file: each column's type and the date formats it detected. */
interface Sniffed {
  columns: { name: string; type: string }[]
  dateFormat: string | null
  timestampFormat: string | null
}

/**
 * The DuckDB reader of a CSV file: header row, RFC 4180 quoting, types detected from the data
 * (`detect`, or as a sniff found them: `sniffed`) or every column as text (`text`, for a second, tolerant read).
 */
export function csvReader(path: string, options: CsvOptions, delimiter: string, mode: ({ header: string[]; as: 'detect' | 'text'; rejects?: string } | SniffedMode) & { bufferBytes?: number; singleThreaded?: boolean }): string {
  const settings = ['header=true', `delim=${literal(delimiter)}`, `quote='"'`, `escape='"'`, `strict_mode=${options.relaxQuotes ? 'false' : 'true'}`, `nullstr=[${(options.nullValues ?? ['']).map(literal).join(', ')}]`]
  if (mode.as === 'sniffed') {
    const { columns, dateFormat, timestampFormat } = mode.sniffed
    settings.push('auto_detect=false', `columns={${columns.map(({ name, type }) => `${literal(name)}: ${literal(type)}`).join(', ')}}`)
    if (dateFormat !== null) settings.push(`dateformat=${literal(dateFormat)}`)
    if (timestampFormat !== null) settings.push(`timestampformat=${literal(timestampFormat)}`)
  } else if (mode.as === 'text') {
    settings.push('auto_detect=false', `columns={${mode.header.map((name) => `${literal(name)}: 'VARCHAR'`).join(', ')}}`)
  } else {
    // The names read by readCsvHeader, so that an unnamed column is called as pandas calls it.
    settings.push(`names=[${mode.header.map(literal).join(', ')}]`)
    if (options.types && Object.keys(options.types).length > 0)
      settings.push(
        `types={${Object.entries(options.types)
          .map(([name, type]) => `${literal(name)}: '${DUCKDB_TYPE[type]}'`)
          .join(', ')}}`,
      )
  }
  if (mode.bufferBytes !== undefined) settings.push(`buffer_size=${mode.bufferBytes}`)
  if (mode.singleThreaded) settings.push('parallel=false')
  if (mode.as !== 'sniffed' && mode.rejects) settings.push('ignore_errors=true', 'store_rejects=true', `rejects_table=${literal(`${mode.rejects}_errors`)}`, `rejects_scan=${literal(`${mode.rejects}_scans`)}`)
  return `read_csv(${literal(path)}, ${settings.join(', ')})`
}

/**
 * The buffers DuckDB reads a sniffed CSV file in: 2 MiB, the longest line it reads (max_line_size),
 * not its default 32 MiB. A file under 32 MiB was held whole, once for the sniff and again for the scan
 * (at 100k rows, 20–35 MB of a validation's peak memory), and on the 10M-row text file of the benchmark
 * the parallel reader gave up at the 32 MiB boundaries (duckdb/duckdb#24237), not at 2 MiB. The scan of
 * the wide file took as long either way at 1M and 10M rows (1.03× and 0.97×, alternated in one process).
 */
const BUFFER_BYTES = 2 * 1024 * 1024

/** The reader mode of a sniffed file: what the sniff found. */
export interface SniffedMode {
  as: 'sniffed'
  sniffed: Sniffed
}

/**
 * Sniffs a CSV file once, for `csvReader` to read it with what the sniff found. Reading it with
 * `detect` would sniff it for the schema and again for every scan: the second sniff was a tenth of
 * `modeltest validate`'s time on a 1M-row file.
 */
export async function sniffCsv(path: string, options: CsvOptions, delimiter: string, header: string[]): Promise<SniffedMode & { bufferBytes: number }> {
  const detect = csvReader(path, options, delimiter, { header, as: 'detect', bufferBytes: BUFFER_BYTES })
  const [row] = await queryRows(`SELECT Columns AS columns, DateFormat AS "dateFormat", TimestampFormat AS "timestampFormat" FROM sniff_csv${detect.slice('read_csv'.length)}`)
  return { as: 'sniffed', sniffed: row as unknown as Sniffed, bufferBytes: BUFFER_BYTES }
}

/**
 * Reads and checks the header row (csv-parse): no name twice. An empty name is read as pandas reads
 * it, `Unnamed: <position>`: pandas' to_csv() writes its index under an empty name.
 */
export async function readCsvHeader(path: string, label: string, delimiter: string): Promise<string[]> {
  const parser = createReadStream(path).pipe(parse({ bom: true, delimiter, to_line: 1, relax_column_count: true }))
  let header: string[] | undefined
  try {
    for await (const record of parser as AsyncIterable<string[]>) header ??= record
  } catch (error) {
    throw toModeltestError(error, label)
  }
  if (!header) throw new ModeltestError({ what: 'the file is empty', where: label, fix: 'Write a header row and at least one data row.' })
  const names = header.map((name, c) => (name === '' ? `Unnamed: ${c}` : name))
  const repeated = names.find((name, c) => names.indexOf(name) !== c)
  if (repeated !== undefined) throw new ModeltestError({ what: `the header names column '${repeated}' twice`, where: `${label}, line 1`, fix: 'Give every column a distinct name.' })
  return names
}

/**
 * Finds the first malformed line of a CSV file (csv-parse, streaming) and throws an error that
 * names it; returns when the file is well formed. Used to explain a failed fast read.
 */
export async function diagnoseCsv(path: string, label: string, delimiter: string, options: CsvOptions): Promise<void> {
  const parser = createReadStream(path).pipe(parse({ bom: true, delimiter, info: true, relax_column_count: true, relax_quotes: options.relaxQuotes ?? false, skip_empty_lines: true }))
  let width: number | undefined
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      width ??= record.length
      if (record.length !== width) {
        throw new ModeltestError({
          what: `the row has ${record.length} field${record.length === 1 ? '' : 's'}, the header has ${width}`,
          where: `${label}, line ${info.lines}`,
          fix: "Quote fields that contain the delimiter, or fix the row so that it has one field per column; { badRows: 'skip' } counts such rows and reads the rest.",
        })
      }
    }
  } catch (error) {
    parser.destroy()
    // csv-parse notices an unclosed quote where the file ends, or where a later quote is read as its
    // end; the line to fix is the one where the quoted field opens.
    const code = error instanceof CsvError ? error.code : undefined
    const seen = (error as { lines?: number }).lines ?? Infinity
    const start = code === 'CSV_QUOTE_NOT_CLOSED' || code === 'CSV_INVALID_CLOSING_QUOTE' ? await badQuotedFieldStart(path, delimiter) : undefined
    const opened = start !== undefined && start <= seen ? start : undefined
    if (code === 'CSV_INVALID_CLOSING_QUOTE' && opened !== undefined && opened < seen) {
      throw new ModeltestError({ what: `a quoted field is not closed: it opens on this line, and a quote on line ${seen} is read as its end`, where: `${label}, line ${opened}`, fix: CSV_PROBLEMS.CSV_QUOTE_NOT_CLOSED.fix, cause: error })
    }
    throw toModeltestError(error, label, opened)
  }
}

/**
 * The line where the first quoted field that is not closed properly begins: still open at the end of
 * the file, or closed by a quote that text follows. Follows RFC 4180: a quote opens a field only at
 * its start, and "" inside a quoted field is a quote.
 */
async function badQuotedFieldStart(path: string, delimiter: string): Promise<number | undefined> {
  let line = 1
  let opened: number | undefined
  let state: 'start' | 'unquoted' | 'quoted' | 'quote' = 'start'
  for await (const chunk of createReadStream(path, { encoding: 'utf8' })) {
    for (const char of chunk as string) {
      if (state === 'quote' && char !== '"' && char !== delimiter && char !== '\n' && char !== '\r') return opened
      if (char === '\n') line++
      if (state === 'quoted') {
        if (char === '"') state = 'quote'
      } else if (state === 'quote' && char === '"') {
        state = 'quoted'
      } else if (char === delimiter || char === '\n') {
        state = 'start'
      } else if (state === 'start' && char === '"') {
        state = 'quoted'
        opened = line
      } else if (state === 'start' && char !== '\r') {
        state = 'unquoted'
      }
    }
  }
  return state === 'quoted' ? opened : undefined
}

const CSV_PROBLEMS: Record<string, { what: string; fix: string }> = {
  CSV_QUOTE_NOT_CLOSED: {
    what: 'a quoted field is not closed: it opens on this line and runs to the end of the file',
    fix: `Close the quote; a quote inside a quoted field is written twice ("").`,
  },
  CSV_INVALID_CLOSING_QUOTE: {
    what: 'text follows the closing quote of a quoted field (a quote inside it that is not doubled?)',
    fix: 'Double the quotes inside the field (""), or pass { relaxQuotes: true } to dataset().',
  },
  INVALID_OPENING_QUOTE: {
    what: 'a quote appears inside an unquoted field',
    fix: 'Quote the whole field and double the inner quotes (""), or pass { relaxQuotes: true } to dataset().',
  },
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: {
    what: 'text follows a closing quote',
    fix: 'Quote the whole field and double the inner quotes ("").',
  },
}

function toModeltestError(error: unknown, label: string, atLine?: number): Error {
  if (error instanceof ModeltestError) return error
  if (error instanceof CsvError) {
    const problem = CSV_PROBLEMS[error.code] ?? { what: error.message.replace(/^[^:]*:\s*/, ''), fix: 'Fix the CSV at that line.' }
    const line = atLine ?? (error as CsvError & { lines?: number }).lines
    return new ModeltestError({ what: problem.what, where: line ? `${label}, line ${line}` : label, fix: problem.fix, cause: error })
  }
  return error instanceof Error ? error : new Error(String(error))
}
