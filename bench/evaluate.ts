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
 *       reused; then the whole check on the warm cache;
 *   (d) (a) and (b) for the same MLP shape as a tfjs layers model (seeded random weights, tfjs's
 *       default backend, wasm here) on the first TFJS_ROWS rows (10,000 by default; 0 leaves it out):
 *       the wasm backend runs on one thread, many times slower than onnxruntime.
 *
 *   npx tsx bench/evaluate.ts           (ROWS=100000 FEATURES=256 RUNS=3 TFJS_ROWS=10000 PYTHON=/usr/bin/python3)
 *
 * Prints the median of RUNS runs of each side and the ratios; nothing here passes or fails.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { accuracyCheck, dataset, fileSaver, model, tf, tfjsBackend, type Dataset } from '../src/index.js'

const ROWS = Number(process.env.ROWS ?? 100_000)
const FEATURES = Number(process.env.FEATURES ?? 256)
const RUNS = Number(process.env.RUNS ?? 3)
const TFJS_ROWS = Math.min(ROWS, Number(process.env.TFJS_ROWS ?? 10_000))
const BATCH = 256
const python = process.env.PYTHON ?? '/usr/bin/python3'

const dir = mkdtempSync(join(tmpdir(), 'modeltest-evaluate-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
const onnxPath = join(dir, 'mlp.onnx')
const tfjsDir = join(dir, 'mlp-tfjs')
const dataPath = join(dir, 'features.parquet')
const names = Array.from({ length: FEATURES }, (_, i) => `f${i}`)

execFileSync(python, [fileURLToPath(new URL('make-mlp.py', import.meta.url)), onnxPath, String(FEATURES)], { stdio: ['ignore', 'ignore', 'inherit'] })
const { DuckDBInstance } = await import('@duckdb/node-api')
const db = await (await DuckDBInstance.create(':memory:')).connect()
await db.run(`SELECT setseed(0.5)`)
await db.run(`COPY (SELECT ${names.map((name) => `random()::FLOAT AS ${name}`).join(', ')}, (random() < 0.5)::INTEGER AS label FROM range(${ROWS})) TO '${dataPath}' (FORMAT parquet)`)

const ort = await import('onnxruntime-node')
const session = await ort.InferenceSession.create(onnxPath)
const onnxBatch = async (input: Float32Array, n: number) => (await session.run({ input: new ort.Tensor('float32', input, [n, FEATURES]) })).probabilities.data as Float32Array

/** (a) The hand-written loop: DuckDB chunks → one Float32Array → a prediction per 256 rows → accuracy. */
async function handLoop(rows: number, predict: (input: Float32Array, n: number) => Promise<Float32Array>): Promise<number> {
  const result = await db.stream(`SELECT ${names.join(', ')}, label FROM read_parquet('${dataPath}') LIMIT ${rows}`)
  const input = new Float32Array(rows * FEATURES)
  const labels = new Int32Array(rows)
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
  for (let start = 0; start < rows; start += BATCH) {
    const n = Math.min(BATCH, rows - start)
    const scores = await predict(input.subarray(start * FEATURES, (start + n) * FEATURES), n)
    for (let i = 0; i < n; i++) if ((scores[2 * i + 1] > scores[2 * i] ? 1 : 0) === labels[start + i]) hits++
  }
  return hits / rows
}

const data = await dataset(dataPath)

/** (b): the public API's accuracy check on a fresh model, timed without model(); the cache as MODELTEST_CACHE and MODELTEST_CACHE_DIR say. */
async function engine(path: string, on: Dataset = data): Promise<number> {
  const net = await model(path, { features: names })
  return timed(() => accuracyCheck(net, 0, { on, label: 'label' }))
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
const line = (label: string, runs: number[]) => console.log(`${label.padEnd(38)}${seconds(median(runs))}   runs ${runs.map(seconds).join(' ')}`)

/** Alternates the two sides RUNS times, the first side changing every run, so that a load that drifts weighs on both; one untimed warm-up each. */
async function sideBySide(hand: () => Promise<number>, check: () => Promise<number>): Promise<[number[], number[]]> {
  await hand()
  await check()
  const times: [number[], number[]] = [[], []]
  for (let run = 0; run < RUNS; run++) {
    for (const side of run % 2 === 0 ? [0, 1] : [1, 0]) times[side].push(side === 0 ? await hand() : await check())
  }
  return times
}

process.env.MODELTEST_CACHE = 'off'
const [hand, check] = await sideBySide(
  () => timed(() => handLoop(ROWS, onnxBatch)),
  () => engine(onnxPath),
)

delete process.env.MODELTEST_CACHE
const predict = async () => {
  const net = await model(onnxPath, { features: names })
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
  warmCheck.push(await engine(onnxPath))
  rmSync(cacheDir, { recursive: true, force: true })
}

console.log(`evaluate: ${ROWS} rows × ${FEATURES} features, MLP ${FEATURES}→1024→800→2 (ONNX, onnxruntime-node CPU), batch ${BATCH}, ${RUNS} runs`)
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model}, load average ${loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}`,
)
line('(a) hand-written onnxruntime loop', hand)
line('(b) accuracyCheck, cache off', check)
console.log(`    (b) ÷ (a) = ${(median(check) / median(hand)).toFixed(2)}×   (goal ≤ 1.1×)`)
line('(c) model.predict, cache cold', cold)
line('    model.predict, cache warm', warm)
console.log(`    cold ÷ warm = ${(median(cold) / median(warm)).toFixed(1)}×   (goal ≥ 10×)`)
line('    accuracyCheck, cache warm', warmCheck)
console.log(`    (b) ÷ warm check = ${(median(check) / median(warmCheck)).toFixed(1)}×`)

if (TFJS_ROWS > 0) {
  await tf.setBackend((await tfjsBackend()).backend)
  const net = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [FEATURES], units: 1024, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 800, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ],
  })
  await net.save(fileSaver(tfjsDir))
  const tfjsBatch = async (input: Float32Array, n: number) => {
    const output = tf.tidy(() => net.predict(tf.tensor2d(input, [n, FEATURES])) as tf.Tensor)
    try {
      return (await output.data()) as Float32Array
    } finally {
      output.dispose()
    }
  }
  process.env.MODELTEST_CACHE = 'off'
  const head = data.head(TFJS_ROWS)
  const [tfjsHand, tfjsCheck] = await sideBySide(
    () => timed(() => handLoop(TFJS_ROWS, tfjsBatch)),
    () => engine(tfjsDir, head),
  )
  console.log(`(d) tfjs (${(await tfjsBackend()).backend} backend), the first ${TFJS_ROWS} rows`)
  line('    hand-written tfjs loop', tfjsHand)
  line('    accuracyCheck, cache off', tfjsCheck)
  console.log(`    ÷ = ${(median(tfjsCheck) / median(tfjsHand)).toFixed(2)}×`)
}
