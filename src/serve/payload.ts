import { parse as parseCsv } from 'csv-parse/sync'
import type { Row } from '../data/dataset.js'

/**
 * The rows of an invocation body, as the SageMaker inference contract of `modeltest serve` reads them and as
 * Data Capture records them: JSON rows (`[{…}]`, `{ "instances": [{…}] }` or `{ "inputs": [{…}] }`; a row may
 * be an array of values in the order of `features`) or CSV (`text/csv`, headerless in the order of
 * `features`, or `text/csv;header=present`).
 */

/** A body the client must fix: `modeltest serve` answers it 400 (or the status given) with the message. */
export class BadRequest extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message)
  }
}

/** The rows of a request body; anything malformed is a BadRequest saying how to send it. */
export function parseRows(body: string, contentType: string, features: string[] | undefined): Row[] {
  if (body.trim() === '') throw new BadRequest('the body is empty: send JSON rows ([{"feature": 1.0}]) or CSV lines')
  const type = contentType.toLowerCase()
  if (type.startsWith('text/csv')) {
    const header = /header\s*=\s*present/.test(type)
    if (!header && !features) throw new BadRequest('CSV without a header needs the server started with --features a,b,c (or send text/csv;header=present)')
    let records: string[][]
    try {
      // Without quotes a line is its values between commas: split directly, several times faster than csv-parse on small bodies.
      records = body.includes('"')
        ? parseCsv(body, { skip_empty_lines: true, trim: true })
        : body
            .split(/\r\n|\n|\r/)
            .filter((line) => line.trim() !== '')
            .map((line) => line.split(',').map((value) => value.trim()))
    } catch (error) {
      throw new BadRequest(`the CSV body does not parse: ${(error as Error).message}`)
    }
    const names = header ? (records.shift() ?? []) : features!
    return records.map((record, line) => {
      if (record.length !== names.length) throw new BadRequest(`CSV line ${line + 1 + (header ? 1 : 0)} has ${record.length} values, expected ${names.length} (${names.join(', ')})`)
      return Object.fromEntries(record.map((value, i) => [names[i], value === '' ? null : Number.isNaN(Number(value)) ? value : Number(value)]))
    })
  }
  if (!type.startsWith('application/json')) throw new BadRequest(`unsupported Content-Type '${contentType}': send application/json or text/csv`, 415)
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch (error) {
    throw new BadRequest(`the body is not valid JSON: ${(error as Error).message}`)
  }
  const rows = Array.isArray(parsed) ? parsed : ((parsed as { instances?: unknown })?.instances ?? (parsed as { inputs?: unknown })?.inputs)
  if (!Array.isArray(rows) || rows.length === 0) throw new BadRequest('expected a non-empty array of rows, { "instances": [rows] } or { "inputs": [rows] }, each row an object of feature values')
  return rows.map((row, i) => jsonRow(row, i, features))
}

/** A JSON row: an object of feature values, or an array of them in the order of `features`. */
function jsonRow(row: unknown, index: number, features: string[] | undefined): Row {
  if (Array.isArray(row)) {
    if (!features) throw new BadRequest(`row ${index} is an array: send objects ({"feature": 1.0}), or start the server with --features a,b,c to name array values`)
    if (row.length !== features.length) throw new BadRequest(`row ${index} has ${row.length} values, expected ${features.length} (${features.join(', ')})`)
    return Object.fromEntries(features.map((name, i) => [name, row[i]]))
  }
  if (row === null || typeof row !== 'object') throw new BadRequest(`row ${index} is not an object of feature values: send [{"${features?.[0] ?? 'feature'}": 1.0, …}]`)
  return row as Row
}
