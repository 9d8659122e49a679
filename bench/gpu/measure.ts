/**
 * One backend's figures, as JSON on stdout: `node --import tsx bench/gpu/measure.ts <backend>`. A process per
 * backend, since tfjs holds one backend per process. bench/gpu/run.ts calls it for webgpu, wasm and cpu, and
 * bench/gpu/device bundles it for a GPU machine without node_modules (EXAMPLE_DIR then says where the example is).
 *
 * - the example model (examples/sentiment, bag of words 2000 → 32 → 2): batch-1 latency, throughput on the
 *   whole holdout, and its scores, which run.ts compares with the cpu backend's;
 * - a larger MLP (1024 → 2048 → 1024 → 10, 4.2M parameters) with the same seeded weights on every backend:
 *   batch-1 latency, throughput at batch 1024, and its outputs on 256 fixed rows;
 * - GPU memory: nvidia-smi's reading for this process, and tfjs's bytes in GPU tensors.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { BACKEND_VARIABLE, gpuMemory, measureLatency, model, mulberry32, tf, tfjsBackend, describeAdapter, isModeltestError, type Row } from '../../src/index.js'
import { bagOfWords, readVocabulary } from '../../examples/sentiment/features.js'

const backend = process.argv[2]
if (!backend) throw new Error('usage: measure.ts <backend>')
process.env[BACKEND_VARIABLE] = backend
const LAYERS = [1024, 2048, 1024, 10]
const LARGE_BATCH = 1024
const COMPARED_ROWS = 256

export interface Figures {
  backend: string
  unavailable?: string
  adapter?: string
  models?: {
    name: string
    parameters: number
    p50: number
    p95: number
    p99: number
    /** Rows per second at `batch`. */
    throughput: number
    batch: number
    outputs: number[]
  }[]
  gpuMiB?: number | string
  tensorsInGpuMiB?: number
}

/** A batch of `rows` rows of `width` values in [-1, 1), the same on every backend. */
function fixedInput(rows: number, width: number, seed: number): tf.Tensor2D {
  const random = mulberry32(seed)
  return tf.tensor2d(
    Float32Array.from({ length: rows * width }, () => random() * 2 - 1),
    [rows, width],
  )
}

/** The larger MLP, with weights from a seeded generator (scaled as Glorot), so every backend computes the same function. */
function largeMlp(): tf.Sequential {
  const net = tf.sequential()
  LAYERS.slice(1).forEach((units, i) => net.add(tf.layers.dense({ units, inputShape: i === 0 ? [LAYERS[0]] : undefined, activation: i === LAYERS.length - 2 ? 'softmax' : 'relu' })))
  const random = mulberry32(7)
  net.setWeights(
    net.getWeights().map((weight) => {
      const scale = weight.shape.length === 2 ? Math.sqrt(6 / (weight.shape[0] + weight.shape[1])) : 0.01
      return tf.tensor(
        Float32Array.from({ length: weight.size }, () => (random() * 2 - 1) * scale),
        weight.shape,
      )
    }),
  )
  return net
}

async function rowsPerSecond(rows: number, run: () => Promise<unknown>): Promise<number> {
  const timing = await measureLatency(run, { warmup: 1, runs: 5 })
  return (rows * 1000) / timing.p50
}

async function measure(): Promise<Figures> {
  let info
  try {
    info = await tfjsBackend()
  } catch (error) {
    if (isModeltestError(error)) return { backend, unavailable: error.what }
    throw error
  }
  const example = process.env.EXAMPLE_DIR ?? join(import.meta.dirname, '..', '..', 'examples', 'sentiment')
  // Read without DuckDB, so that the bundle carried to a GPU machine (bench/gpu/device) needs no native module but webgpu's.
  const all = parse<Row>(await readFile(join(example, 'data', 'holdout.csv')), { columns: true })
  const candidate = await model(join(example, 'models', 'candidate', 'model.json'), { preprocess: bagOfWords(await readVocabulary(join(example, 'models', 'candidate', 'vocab.json'))) })
  const one = all.slice(0, 1)
  const exampleLatency = await measureLatency(() => candidate.predictRows(one))
  const exampleScores = await candidate.predictRows(all)

  const net = largeMlp()
  const single = fixedInput(1, LAYERS[0], 1)
  const batch = fixedInput(LARGE_BATCH, LAYERS[0], 2)
  const compared = fixedInput(COMPARED_ROWS, LAYERS[0], 3)
  // dataSync waits for the GPU: the time is the whole computation, not its queueing.
  const predict = (input: tf.Tensor2D) => tf.tidy(() => (net.predict(input) as tf.Tensor).dataSync())
  const largeLatency = await measureLatency(async () => predict(single))
  const largeThroughput = await rowsPerSecond(LARGE_BATCH, async () => predict(batch))
  const largeOutputs = Array.from(predict(compared))
  const gpu = info.gpu ? await gpuMemory() : undefined
  const tensorsInGpu = (tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number }).numBytesInGPU

  return {
    backend: info.id,
    ...(info.adapter ? { adapter: describeAdapter(info.adapter) } : {}),
    models: [
      {
        name: 'example (sentiment, 2000 → 32 → 2)',
        parameters: 2000 * 32 + 32 + 32 * 2 + 2,
        ...pick(exampleLatency),
        throughput: await rowsPerSecond(all.length, () => candidate.predictRows(all)),
        batch: all.length,
        outputs: Array.from(exampleScores.values),
      },
      {
        name: `MLP ${LAYERS.join(' → ')}`,
        parameters: net.countParams(),
        ...pick(largeLatency),
        throughput: largeThroughput,
        batch: LARGE_BATCH,
        outputs: largeOutputs,
      },
    ],
    ...(gpu ? { gpuMiB: 'usedMiB' in gpu ? gpu.usedMiB : gpu.skipped } : {}),
    ...(info.gpu && tensorsInGpu !== undefined ? { tensorsInGpuMiB: tensorsInGpu / 1024 / 1024 } : {}),
  }
}

function pick(timing: { p50: number; p95: number; p99: number }) {
  return { p50: timing.p50, p95: timing.p95, p99: timing.p99 }
}

process.stdout.write(JSON.stringify(await measure()) + '\n')
// Dawn's and DuckDB's threads would keep the process alive.
process.exit(0)
