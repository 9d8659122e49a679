/**
 * dataset.capture() on a large capture: RECORDS (default 1,000,000) SageMaker Data Capture records (CSV
 * payloads, 4 features in, 3 scores out) in 24 hour files, read by modeltest's reader (each line decoded in JS
 * and appended to DuckDB as it is read) and, side by side, by DuckDB's own read_json with a struct schema and
 * SQL that splits the CSV payloads (the alternative, which reads CSV encodings only). Each side runs in a child
 * process of its own, alternated RUNS times (default 2), and reports its wall time and peak RSS.
 *
 *   npx tsx bench/capture.ts            (RECORDS=200000 RUNS=3 MODELTEST_DUCKDB_MEMORY=128MB to change it)
 */
import { execFileSync } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { once } from 'node:events'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const FEATURES = ['f0', 'f1', 'f2', 'f3']
const here = dirname(fileURLToPath(import.meta.url))

if (process.argv[2] === 'read') {
  const [, , , side, folder] = process.argv
  const started = performance.now()
  let rows: number
  if (side === 'modeltest') {
    const { dataset } = await import('../src/index.js')
    rows = (await dataset.capture(folder, { features: FEATURES, until: '2026-11-24T00:00:00Z' })).rowCount
  } else {
    const { DuckDBInstance } = await import('@duckdb/node-api')
    const connection = await (await DuckDBInstance.create(':memory:', { memory_limit: process.env.MODELTEST_DUCKDB_MEMORY ?? '512MB', temp_directory: join(folder, '..', '..', 'spill') })).connect()
    const payload = 'STRUCT(observedContentType VARCHAR, mode VARCHAR, data VARCHAR, encoding VARCHAR)'
    const source = `read_json('${folder}/*/*/*/*/*.jsonl', format='newline_delimited', columns={captureData: 'STRUCT(endpointInput ${payload}, endpointOutput ${payload})', eventMetadata: 'STRUCT(eventId VARCHAR, inferenceId VARCHAR, inferenceTime TIMESTAMP)', eventVersion: 'VARCHAR'})`
    const split = (field: string, names: string[]) => names.map((name, i) => `CAST(string_split(${field}, ',')[${i + 1}] AS DOUBLE) AS ${name}`).join(', ')
    await connection.run(
      `CREATE TABLE capture AS SELECT eventMetadata.eventId AS event_id, eventMetadata.inferenceId AS inference_id, eventMetadata.inferenceTime AS inference_time, ${split('captureData.endpointInput.data', FEATURES)}, ${split('captureData.endpointOutput.data', ['score_0', 'score_1', 'score_2'])} FROM ${source}`,
    )
    rows = Number((await connection.runAndReadAll('SELECT count(*)::DOUBLE AS n FROM capture')).getRowObjectsJS()[0].n)
  }
  console.log(JSON.stringify({ rows, ms: performance.now() - started, peakRssMiB: process.resourceUsage().maxRSS / 1024 }))
  process.exit(0)
}

const records = Number(process.env.RECORDS ?? 1_000_000)
const runs = Number(process.env.RUNS ?? 2)
// DuckDB's memory limit on both sides (modeltest's default, 512MB): past it, tables spill to disk.
const memory = process.env.MODELTEST_DUCKDB_MEMORY ?? '512MB'
const folder = await mkdtemp(join(tmpdir(), 'modeltest-capture-bench-'))
try {
  const root = join(folder, 'endpoint', 'AllTraffic')
  for (let hour = 0; hour < 24; hour++) {
    const dir = join(root, '2026', '11', '23', String(hour).padStart(2, '0'))
    await mkdir(dir, { recursive: true })
    const out = createWriteStream(join(dir, 'capture.jsonl'))
    for (let i = hour; i < records; i += 24) {
      const line = JSON.stringify({
        captureData: {
          endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: [i % 97, (i * 7) % 89, i % 13, (i * 3) % 101].map((v) => (v / 10).toFixed(1)).join(','), encoding: 'CSV' },
          endpointOutput: { observedContentType: 'text/csv', mode: 'OUTPUT', data: '0.8,0.1,0.1', encoding: 'CSV' },
        },
        eventMetadata: { eventId: `event-${i}`, inferenceId: `request-${i}`, inferenceTime: `2026-11-23T${String(hour).padStart(2, '0')}:00:00Z` },
        eventVersion: '0',
      })
      if (!out.write(line + '\n')) await once(out, 'drain')
    }
    out.end()
    await once(out, 'finish')
  }
  const bytes = Number(execFileSync('du', ['-sb', folder]).toString().split('\t')[0])
  console.log(`${records.toLocaleString('en-US')} records, ${(bytes / 2 ** 20).toFixed(0)} MiB of JSON Lines; DuckDB memory limit ${memory}; ${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)}`)
  const results: Record<string, { ms: number; peakRssMiB: number; rows: number }[]> = { modeltest: [], duckdb: [] }
  for (let run = 0; run < runs; run++) {
    for (const side of run % 2 === 0 ? ['modeltest', 'duckdb'] : ['duckdb', 'modeltest']) {
      const output = execFileSync(process.execPath, ['--import', 'tsx', join(here, 'capture.ts'), 'read', side, root], { env: { ...process.env, MODELTEST_DUCKDB_MEMORY: memory } }).toString()
      results[side].push(JSON.parse(output.trim().split('\n').at(-1)!) as { ms: number; peakRssMiB: number; rows: number })
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
  for (const [side, list] of Object.entries(results)) {
    console.log(`${side.padEnd(10)} rows ${list[0].rows}  median ${(median(list.map((r) => r.ms)) / 1000).toFixed(1)} s  peak RSS ${median(list.map((r) => r.peakRssMiB)).toFixed(0)} MiB`)
  }
  const ratio = median(results.modeltest.map((r) => r.ms)) / median(results.duckdb.map((r) => r.ms))
  console.log(`modeltest ÷ read_json time: ${ratio.toFixed(2)}×; peak RSS ${(median(results.modeltest.map((r) => r.peakRssMiB)) / median(results.duckdb.map((r) => r.peakRssMiB))).toFixed(2)}×`)
} finally {
  await rm(folder, { recursive: true, force: true })
}
