/** Capture and ground-truth records (their format: ../capture.ts) decoded into rows; a malformed line is a BadLine, counted or an error as `badRows` says. */

import { ModeltestError, listNames } from '../../errors.js'
import { describeValue } from '../../guard.js'
import { BadRequest, parseRows } from '../../serve/payload.js'
import type { BadRows } from '../dataset.js'
import { WHERE } from './options.js'
import type { Store } from './store.js'

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

export interface BadRowsCollector {
  rows: BadRows
  /** Records a malformed line, or throws its error when bad rows are errors. */
  add(where: string, line: number, what: string, fix: string): void
}

export function badRowsCollector(mode: 'error' | 'skip'): BadRowsCollector {
  const rows: BadRows = { count: 0, examples: [] }
  return {
    rows,
    add(where, line, what, fix) {
      if (mode === 'error') throw new ModeltestError({ what, where: `${where}, line ${line}`, fix: `${fix} Or pass { badRows: 'skip' } to count and leave out such lines.` })
      rows.count++
      if (rows.examples.length < 5) rows.examples.push({ line, error: `${where}: ${what}` })
    },
  }
}

/** A line that is not a well-formed capture or ground-truth record: its reason and how to fix it. */
export class BadLine extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message)
  }
}

export interface Payload {
  data?: unknown
  encoding?: unknown
  observedContentType?: unknown
}

/** A payload's text and the content type to read it as: CSV and JSON are kept as text, BASE64 decoded. */
function payloadText(payload: Payload | undefined, field: string): { text: string; type: string } {
  if (!payload || typeof payload.data !== 'string') throw new BadLine(`${field} has no data`, `Write ${field} as { "data": "…", "encoding": "CSV" | "JSON" | "BASE64", "observedContentType": "…" }.`)
  const encoding = typeof payload.encoding === 'string' ? payload.encoding.toUpperCase() : ''
  const observed = typeof payload.observedContentType === 'string' ? payload.observedContentType : ''
  if (encoding === 'CSV') return { text: payload.data, type: /^text\/csv/i.test(observed) ? observed : 'text/csv' }
  if (encoding === 'JSON') return { text: payload.data, type: 'application/json' }
  if (encoding !== 'BASE64') throw new BadLine(`${field} has encoding ${describeValue(payload.encoding)}`, 'Data Capture writes the encodings CSV, JSON and BASE64.')
  if (payload.data.length % 4 !== 0 || !BASE64.test(payload.data)) throw new BadLine(`${field}.data is not valid base64`, 'Check that the file was written by Data Capture, whole.')
  if (!/^(text\/csv|application\/json)/i.test(observed)) {
    throw new BadLine(
      `${field} holds ${observed || 'a payload of no content type'}, which modeltest cannot read as rows`,
      "Capture CSV or JSON: list the endpoint's content types in CaptureContentTypeHeader, or send text/csv or application/json.",
    )
  }
  return { text: Buffer.from(payload.data, 'base64').toString('utf8'), type: observed }
}

/** The values of the input rows, in the order of `features`; a row that does not match `features` is a BadLine. */
export function inputValues(payload: Payload | undefined, features: string[]): unknown[][] {
  const { text, type } = payloadText(payload, 'captureData.endpointInput')
  let rows
  try {
    rows = parseRows(text, type, features)
  } catch (error) {
    if (error instanceof BadRequest) throw new BadLine(`the captured input does not read as rows: ${error.message}`, `Give the features in the order the model takes them (${listNames(features)}).`)
    throw error
  }
  return rows.map((row) => {
    const missing = features.find((name) => !(name in row))
    const extra = Object.keys(row).find((name) => !features.includes(name))
    if (missing || extra) {
      throw new BadLine(missing ? `the captured input has no feature '${missing}'` : `the captured input has '${extra}', which features does not name`, `The features are ${listNames(features)}: give the names the endpoint receives.`)
    }
    return features.map((name) => row[name])
  })
}

/** The feature names of a JSON payload's first row, when `features` is not given. */
export function featuresOf(payload: Payload | undefined): string[] {
  const { text, type } = payloadText(payload, 'captureData.endpointInput')
  if (type.toLowerCase().startsWith('text/csv') && !/header\s*=\s*present/i.test(type)) {
    throw new ModeltestError({ what: 'the capture holds CSV inputs, whose values have no names', where: WHERE, fix: "Pass { features: ['bill_length_mm', …] }, the columns in the order the endpoint receives them." })
  }
  try {
    return Object.keys(parseRows(text, type, undefined)[0])
  } catch (error) {
    if (error instanceof BadRequest) throw new BadLine(`the captured input does not read as rows: ${error.message}`, "Give the features: { features: ['bill_length_mm', …] }.")
    throw error
  }
}

/** The scores of every row of a captured output: `{ "predictions": [[…]] }` (what `modeltest serve` answers), an array, a number, or CSV lines. */
export function outputScores(payload: Payload | undefined, rows: number): number[][] {
  const { text, type } = payloadText(payload, 'captureData.endpointOutput')
  let value: unknown
  if (type.toLowerCase().startsWith('text/csv')) {
    value = text
      .trim()
      .split(/\r?\n/)
      .map((line) => line.split(',').map((cell) => (cell.trim() === '' ? NaN : Number(cell))))
  } else {
    try {
      value = JSON.parse(text)
    } catch {
      throw new BadLine('the captured output is not valid JSON', 'Check that the file was written by Data Capture, whole.')
    }
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const answer = value as Record<string, unknown>
    value = answer.predictions ?? answer.scores ?? answer.probabilities
  }
  if (typeof value === 'number') value = [value]
  if (!Array.isArray(value)) throw new BadLine('the captured output holds no scores', 'modeltest reads { "predictions": [[…], …] }, an array of scores per row, or CSV lines of scores.')
  const scores = value.every((entry) => typeof entry === 'number') ? (value.length === rows ? value.map((entry) => [entry]) : [value]) : value
  if (scores.length !== rows) throw new BadLine(`the captured output has scores for ${scores.length} rows, the input ${rows}`, 'Check that the endpoint answers one prediction per input row.')
  return scores.map((row) => {
    if (!Array.isArray(row) || !row.every((score) => typeof score === 'number' && Number.isFinite(score)))
      throw new BadLine(`the captured output holds ${describeValue(row)} where scores should be`, 'The endpoint must answer numbers: one array of class scores per row, or one score per row.')
    return row as number[]
  })
}

/** The rows each JSON line of the files decodes to, one line at a time; a line that is not JSON, or that `decode` refuses with a BadLine, goes to `bad`. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- R is the record's shape as each caller's decode reads it, field by field, with its own checks
export async function* decodeLines<R>(store: Store, files: string[], bad: BadRowsCollector, notJson: string, decode: (record: R, place: { file: string; line: number }) => unknown[][]): AsyncGenerator<unknown[]> {
  for (const key of files) {
    let number = 0
    for await (const line of store.lines(key)) {
      number++
      if (line.trim() === '') continue
      let rows: unknown[][]
      try {
        rows = decode(JSON.parse(line) as R, { file: store.describe(key), line: number })
      } catch (error) {
        if (error instanceof BadLine) bad.add(store.describe(key), number, error.message, error.fix)
        else if (error instanceof SyntaxError) bad.add(store.describe(key), number, 'the line is not valid JSON', notJson)
        else throw error
        continue
      }
      yield* rows
    }
  }
}

/** The labels of a ground-truth record, one per row of the request it labels. */
export function truthLabels(payload: Payload | undefined): string[] {
  const { text, type } = payloadText(payload, 'groundTruthData')
  if (type.toLowerCase().startsWith('text/csv'))
    return text
      .trim()
      .split(/\r?\n/)
      .map((line) => line.trim())
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new BadLine('groundTruthData.data is not valid JSON', 'Write the label as JSON (1, "spam", [1, 0]) with encoding JSON, or as text with encoding CSV.')
  }
  const labels = Array.isArray(value) ? value : [value]
  if (labels.some((label) => label === null || typeof label === 'object')) throw new BadLine(`groundTruthData.data holds ${describeValue(value)}, not labels`, 'Write one label (a number, a string or a boolean) per row of the request.')
  return labels.map(String)
}
