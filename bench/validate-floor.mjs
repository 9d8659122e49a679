#!/usr/bin/env node
// The floor of `modeltest validate`: a bare DuckDB script that runs the same one-pass aggregates over the
// file (row count, null counts, ranges or text lengths, the label's value counts), and with --hash also the
// file's SHA-256, streamed beside the query as modeltest does. No validation logic, no report, no checks:
// what any tool built on DuckDB pays at least.
// Usage: node bench/validate-floor.mjs FILE --columns name:type,... [--label name] [--hash]
//   type: string, int or float (what modeltest's one DESCRIBE finds; a bare script knows its columns).
import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'
import { createRequire } from 'node:module'

const args = process.argv.slice(2)
const flag = (name) => {
  const i = args.indexOf(name)
  return i < 0 ? undefined : args[i + 1]
}
const file = args[0]
const columns = (flag('--columns') ?? '')
  .split(',')
  .filter(Boolean)
  .map((spec) => spec.split(':'))
const label = flag('--label')
if (!file || columns.length === 0) {
  console.error('usage: validate-floor.mjs FILE --columns name:type,... [--label name] [--hash]')
  process.exit(2)
}

const q = (name) => `"${name.replace(/"/g, '""')}"`
const aggregates = ['count(*) AS "rows"']
for (const [name, type] of columns) {
  aggregates.push(`count(${q(name)})`)
  aggregates.push(type === 'string' ? `min(length(${q(name)})), max(length(${q(name)}))` : `min(${q(name)})::DOUBLE, max(${q(name)})::DOUBLE`)
  if (name === label) aggregates.push(`histogram(${q(name)}) FILTER (WHERE ${q(name)} IS NOT NULL)`)
}

async function sha256(path) {
  const hash = createHash('sha256')
  const buffer = Buffer.allocUnsafe(1 << 20)
  const handle = await open(path, 'r')
  for (let n; (n = (await handle.read(buffer, 0, buffer.length)).bytesRead) > 0;) hash.update(buffer.subarray(0, n))
  await handle.close()
  return hash.digest('hex')
}

const { DuckDBInstance } = createRequire(import.meta.url)('@duckdb/node-api')
const hashing = args.includes('--hash') ? sha256(file) : undefined
const connection = await (await DuckDBInstance.create(':memory:')).connect()
// The buffers modeltest reads in: at DuckDB's default 32 MiB its parallel reader gives up on the 10M-row text file.
const reader = `read_csv('${file.replace(/'/g, "''")}', header=true, buffer_size=${2 * 1024 * 1024})`
const [row] = (await connection.runAndReadAll(`SELECT ${aggregates.join(', ')} FROM ${reader}`)).getRowsJS()
console.log(
  JSON.stringify(row, (_, v) => (typeof v === 'bigint' ? Number(v) : v)),
  hashing ? (await hashing).slice(0, 16) : '',
)
