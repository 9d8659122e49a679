import { createReadStream } from 'node:fs'
import { parse, CsvError } from 'csv-parse'
import { ModeltestError } from '../errors.js'
import type { Column, ColumnType } from './dataset.js'
import { typeTextColumn } from './infer.js'

export interface CsvOptions {
  /** Field separator; `,` by default. */
  delimiter?: string
  /** Cells read as null; the empty cell by default. */
  nullValues?: readonly string[]
  /** Forced column types, for columns whose inferred type is not the one meant (ids read as int). */
  types?: Record<string, ColumnType>
  /** Read a stray quote inside an unquoted field as text instead of stopping. */
  relaxQuotes?: boolean
}

/**
 * Reads a CSV file with a header row into typed columns, streaming (csv-parse), so that the file is
 * never held whole as text. Empty cells become nulls. Every malformed line stops the read with an
 * error that names the file and the line.
 */
export async function readCsv(path: string, options: CsvOptions = {}, label = path): Promise<Map<string, Column>> {
  const nullValues = new Set(options.nullValues ?? [''])
  const parser = createReadStream(path).pipe(
    parse({
      bom: true,
      delimiter: options.delimiter ?? ',',
      info: true,
      relax_column_count: true,
      relax_quotes: options.relaxQuotes ?? false,
      skip_empty_lines: true,
    }),
  )
  let header: string[] | undefined
  let cells: (string | null)[][] = []
  const lineOfRow: number[] = []
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!header) {
        header = checkHeader(record, label)
        cells = header.map(() => [])
        continue
      }
      if (record.length !== header.length) {
        throw new ModeltestError({
          what: `the row has ${record.length} field${record.length === 1 ? '' : 's'}, the header has ${header.length}`,
          where: `${label}, line ${info.lines}`,
          fix: 'Quote fields that contain the delimiter, or fix the row so that it has one field per column.',
        })
      }
      lineOfRow.push(info.lines)
      for (let c = 0; c < record.length; c++) cells[c].push(nullValues.has(record[c]) ? null : record[c])
    }
  } catch (error) {
    parser.destroy()
    throw toModeltestError(error, label)
  }
  if (!header) throw new ModeltestError({ what: 'the file is empty', where: label, fix: 'Write a header row and at least one data row.' })
  if (lineOfRow.length === 0) {
    throw new ModeltestError({ what: 'the file has a header row but no data rows', where: label, fix: 'Check that the file was written completely.' })
  }
  const forced = options.types ?? {}
  for (const name of Object.keys(forced)) {
    if (!header.includes(name)) {
      throw new ModeltestError({ what: `{ types } names a column '${name}' that the file does not have`, where: label, fix: `The columns are ${header.join(', ')}.` })
    }
  }
  const columns = new Map<string, Column>()
  header.forEach((name, c) => {
    columns.set(name, typeTextColumn(cells[c], forced[name], (row) => `${label}, line ${lineOfRow[row]}, column '${name}'`))
  })
  return columns
}

function checkHeader(record: string[], path: string): string[] {
  const seen = new Set<string>()
  record.forEach((name, c) => {
    if (name.trim() === '') {
      throw new ModeltestError({ what: `column ${c + 1} of the header row has no name`, where: `${path}, line 1`, fix: 'Give every column a name in the first row.' })
    }
    if (seen.has(name)) {
      throw new ModeltestError({ what: `the header names column '${name}' twice`, where: `${path}, line 1`, fix: 'Give every column a distinct name.' })
    }
    seen.add(name)
  })
  return record
}

const CSV_PROBLEMS: Record<string, { what: string; fix: string }> = {
  CSV_QUOTE_NOT_CLOSED: {
    what: 'a quoted field is not closed',
    fix: 'Close the quote; a quote inside a quoted field is written twice ("").',
  },
  CSV_INVALID_CLOSING_QUOTE: {
    what: 'a quote appears inside an unquoted field, or a quoted field opened on an earlier line is not closed',
    fix: 'Quote the whole field and double the inner quotes (""), or pass { relaxQuotes: true } to dataset().',
  },
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: {
    what: 'text follows a closing quote',
    fix: 'Quote the whole field and double the inner quotes ("").',
  },
}

function toModeltestError(error: unknown, path: string): Error {
  if (error instanceof ModeltestError) return error
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return new ModeltestError({ what: 'the file does not exist', where: path, fix: 'Check the path; relative paths are read from the directory modeltest runs in.', cause: error })
  if (code === 'EISDIR') return new ModeltestError({ what: 'this is a directory, not a file', where: path, fix: 'Name a CSV file.', cause: error })
  if (error instanceof CsvError) {
    const problem = CSV_PROBLEMS[error.code] ?? { what: error.message.replace(/^[^:]*:\s*/, ''), fix: 'Fix the CSV at that line.' }
    const line = (error as CsvError & { lines?: number }).lines
    return new ModeltestError({ what: problem.what, where: line ? `${path}, line ${line}` : path, fix: problem.fix, cause: error })
  }
  return error instanceof Error ? error : new Error(String(error))
}
