import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { ModeltestError } from '../errors.js'
import { describeValue } from '../guard.js'

const RECORD_EXAMPLE = '{"text": "great", "label": 1}'
const BOM = '\uFEFF'

/**
 * Finds what keeps a JSON Lines file (one object per line) or a JSON file (one array of objects)
 * from reading as rows, and throws an error that names its line; returns when the file is well
 * formed. Used to explain a failed read, with the file's own line numbers (DuckDB counts otherwise).
 */
export async function diagnoseJson(path: string, label: string, format: 'json' | 'jsonl'): Promise<void> {
  if (format === 'jsonl') return diagnoseJsonLines(path, label)
  const text = await readFile(path, 'utf8')
  if (text.startsWith(BOM)) throw byteOrderMark(label)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    if (/^\s*\{/.test(text)) throw notAnArray(label, 'one JSON object per line')
    throw new ModeltestError({
      what: `not valid JSON: ${jsonReason(error)}`,
      where: `${label}, line ${lineAt(text, errorPosition((error as Error).message, text))}`,
      fix: 'Fix the JSON at that line (a missing comma, quote or bracket).',
      cause: error,
    })
  }
  if (!Array.isArray(value)) throw notAnArray(label, describeJson(value))
  const bad = value.findIndex((element) => !isRecord(element))
  if (bad >= 0) {
    throw new ModeltestError({ what: `element ${bad} of the array is ${describeJson(value[bad])}, not an object of column values`, where: label, fix: `Write every element as an object such as ${RECORD_EXAMPLE}.` })
  }
}

async function diagnoseJsonLines(path: string, label: string): Promise<void> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity })
  let number = 0
  try {
    for await (const line of lines) {
      number++
      if (number === 1 && line.startsWith(BOM)) throw byteOrderMark(label)
      if (line.trim() === '') continue
      let value: unknown
      try {
        value = JSON.parse(line)
      } catch (error) {
        throw new ModeltestError({ what: `the line is not valid JSON: ${jsonReason(error)}`, where: `${label}, line ${number}`, fix: 'Write each row as one JSON object on one line; a value may not span lines.', cause: error })
      }
      if (!isRecord(value)) {
        throw new ModeltestError({
          what: `the line holds ${describeJson(value)}, not an object: JSON Lines hold one row object per line`,
          where: `${label}, line ${number}`,
          fix: `Write each row as an object with its column names, such as ${RECORD_EXAMPLE}.`,
        })
      }
    }
  } finally {
    lines.close()
  }
}

function byteOrderMark(label: string): ModeltestError {
  return new ModeltestError({
    what: 'the file starts with a byte-order mark (BOM), which the JSON reader does not accept',
    where: `${label}, line 1`,
    fix: "Save it as UTF-8 without a BOM, for instance: sed -i '1s/^\\xEF\\xBB\\xBF//' FILE",
  })
}

function notAnArray(label: string, holds: string): ModeltestError {
  return new ModeltestError({
    what: `a .json data file holds one array of row objects; this one holds ${holds}`,
    where: label,
    fix: `Write [${RECORD_EXAMPLE}, …]; for one object per line, name the file .jsonl or pass { format: 'jsonl' } to dataset().`,
  })
}

function isRecord(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function describeJson(value: unknown): string {
  if (Array.isArray(value)) return `an array (${JSON.stringify(value).slice(0, 40)})`
  if (isRecord(value)) return 'an object'
  return describeValue(value)
}

/** The parser's reason, without the position or the text it quotes (the line is named instead). */
function jsonReason(error: unknown): string {
  return (error as Error).message.replace(/, (\.\.\.)?"[\s\S]*$/, '').replace(/ in JSON at position \d+.*$/, '')
}

/**
 * Where JSON.parse stopped: the position it names, or else the place of the text it quotes
 * (V8 quotes about ten characters either side of the error, with "..." where it cut).
 */
function errorPosition(message: string, text: string): number {
  const at = /at position (\d+)/.exec(message)
  if (at) return Number(at[1])
  const quoted = /^Unexpected token '(.+?)', (\.\.\.)?"([\s\S]*)"(?:\.\.\.)? is not valid JSON$/.exec(message)
  if (!quoted) return text.length
  const [, token, cutBefore, snippet] = quoted
  return cutBefore ? text.indexOf(snippet) + 10 : snippet.indexOf(token)
}

function lineAt(text: string, position: number): number {
  let line = 1
  for (let i = 0; i < position && i < text.length; i++) if (text.charCodeAt(i) === 10) line++
  return line
}
