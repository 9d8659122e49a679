/**
 * Evaluation overhead: toMeetAccuracy's engine path (accuracyCheck, the public API) against a
 * hand-written onnxruntime-node loop over the same file, and a warm prediction cache against a cold one.
 *
 * The model is an MLP of 1,084,770 parameters (FEATURES → 1024 → 800 → 2, bench/make-mlp.py, made
 * with /usr/bin/python3 and torch in a temporary folder); the data are ROWS rows of FEATURES float
 * features and a 0/1 label, written as Parquet by DuckDB. Both sides run in this process, alternated,
 * batch 256:
 *
 *   (a) hand loop: DuckDB reads the Parquet file, each chunk's feature vectors are copied into one
 *       Float32Array of rows × features, session.run on 256 rows at a time, argmax, accuracy;
 *   (b) accuracyCheck(model(path, { features }), 0, { on, label }) with the disk cache off, on a
 *       dataset() loaded once before (as a test file does at its top);
 *   (c) the model part, model.predict(data), with the disk cache on: cold (an empty cache folder) and
 *       warm (the folder the cold run filled), each on a fresh model() so that no in-process result is
 *       reused; then the whole check on the warm cache.
 *
 *   npx tsx bench/evaluate.ts           (ROWS=100000 FEATURES=256 RUNS=3 PYTHON=/usr/bin/python3)
 *
 * Prints the median of RUNS runs of each side and the ratios; nothing here passes or fails.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DuckDBConnection } from '@duckdb/node-api'
import { accuracyCheck, dataset, model } from '../src/index.js'

const ROWS = Number(process.env.ROWS ?? 100_000)
const FEATURES = Number(process.env.FEATURES ?? 256)
const RUNS = Number(process.env.RUNS ?? 3)
const BATCH = 256
const python = process.env.PYTHON ?? '/usr/bin/python3'

const dir = mkdtempSync(join(tmpdir(), 'modeltest-evaluate-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
const modelPath = join(dir, 'mlp.onnx')
const dataPath = join(dir, 'features.parquet')
const names = Array.from({ length: FEATURES }, (_, i) => `f${i}`)

execFileSync(python, [fileURLToPath(new URL('make-mlp.py', import.meta.url)), modelPath, String(FEATURES)], { stdio: ['ignore', 'ignore', 'inherit'] })
const { DuckDBInstance } = await import('@duckdb/node-api')
const db = await (await DuckDBInstance.create(':memory:')).connect()
await db.run(`SELECT setseed(0.5)`)
await db.run(`COPY (SELECT ${names.map((name) => `random()::FLOAT AS ${name}`).join(', ')}, (random() < 0.5)::INTEGER AS label FROM range(${ROWS})) TO '${dataPath}' (FORMAT parquet)`)

const ort = await import('onnxruntime-node')
const session = await ort.InferenceSession.create(modelPath)

/** (a) The hand-written loop: DuckDB chunks → one Float32Array → session.run per 256 rows → accuracy. */
async function handLoop(connection: DuckDBConnection): Promise<number> {
  const result = await connection.stream(`SELECT ${names.join(', ')}, label FROM read_parquet('${dataPath}')`)
  const input = new Float32Array(ROWS * FEATURES)
  const labels = new Int32Array(ROWS)
  let row = 0
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const n = chunk.rowCount
    for (let j = 0; j < FEATURES; j++) {
      const vector = chunk.getColumnVector(j)
      for (let i = 0; i < n; i++) input[(row + i) * FEATURES + j] = vector.getItem(i) as number
    }
    const label = chunk.getColumnVector(FEATURES)
    for (let i = 0; i < n; i++) labels[row + i] = label.getItem(i) as number
    row += n
  }
  let hits = 0
  for (let start = 0; start < ROWS; start += BATCH) {
    const n = Math.min(BATCH, ROWS - start)
    const feeds = { input: new ort.Tensor('float32', input.subarray(start * FEATURES, (start + n) * FEATURES), [n, FEATURES]) }
    const scores = (await session.run(feeds)).probabilities.data as Float32Array
    for (let i = 0; i < n; i++) if ((scores[2 * i + 1] > scores[2 * i] ? 1 : 0) === labels[start + i]) hits++
  }
  return hits / ROWS
}

const data = await dataset(dataPath)

/** (b), (c): the public API's accuracy check on a fresh model; the cache as MODELTEST_CACHE and MODELTEST_CACHE_DIR say. */
async function engine(): Promise<number> {
  const net = await model(modelPath, { features: names })
  const started = performance.now()
  const record = await accuracyCheck(net, 0, { on: data, label: 'label' })
  const elapsed = performance.now() - started
  if (typeof record.actual !== 'number') throw new Error('no accuracy')
  return elapsed
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await work()
  return performance.now() - started
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`

// Warm-up: loads the session's kernels and DuckDB's Parquet reader once for both sides.
process.env.MODELTEST_CACHE = 'off'
await handLoop(db)
await engine()

const hand: number[] = []
const check: number[] = []
for (let run = 0; run < RUNS; run++) {
  // Alternated, the first side changing every run, so that a load that drifts weighs on both.
  const order = run % 2 === 0 ? ['hand', 'check'] : ['check', 'hand']
  for (const side of order) {
    if (side === 'hand') hand.push(await timed(() => handLoop(db)))
    else check.push(await engine())
  }
}

delete process.env.MODELTEST_CACHE
const predict = async () => {
  const net = await model(modelPath, { features: names })
  return timed(() => net.predict(data))
}
const cold: number[] = []
const warm: number[] = []
const warmCheck: number[] = []
for (let run = 0; run < RUNS; run++) {
  const cacheDir = mkdtempSync(join(dir, 'cache-'))
  process.env.MODELTEST_CACHE_DIR = cacheDir
  cold.push(await predict())
  warm.push(await predict())
  warmCheck.push(await engine())
  rmSync(cacheDir, { recursive: true, force: true })
}

console.log(`evaluate: ${ROWS} rows × ${FEATURES} features, MLP ${FEATURES}→1024→800→2 (ONNX, onnxruntime-node CPU), batch ${BATCH}, ${RUNS} runs`)
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`)
console.log(`(a) hand-written onnxruntime loop   ${seconds(median(hand))}   runs ${hand.map(seconds).join(' ')}`)
console.log(`(b) accuracyCheck, cache off        ${seconds(median(check))}   runs ${check.map(seconds).join(' ')}`)
console.log(`    (b) ÷ (a) = ${(median(check) / median(hand)).toFixed(2)}×   (goal ≤ 1.1×)`)
console.log(`(c) model.predict, cache cold       ${seconds(median(cold))}   runs ${cold.map(seconds).join(' ')}`)
console.log(`    model.predict, cache warm       ${seconds(median(warm))}   runs ${warm.map(seconds).join(' ')}`)
console.log(`    cold ÷ warm = ${(median(cold) / median(warm)).toFixed(1)}×   (goal ≥ 10×)`)
console.log(`    accuracyCheck, cache warm       ${seconds(median(warmCheck))}   runs ${warmCheck.map(seconds).join(' ')}   (b) ÷ this = ${(median(check) / median(warmCheck)).toFixed(1)}×`)
