import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Scores } from './model.js'

/**
 * Predictions kept on disk between runs, so that a re-run of an unchanged suite does no inference.
 * An entry is keyed by the model's content hash, its runtime and backend, and the SHA-256 of the
 * exact input tensor a batch gave the model, so any change to data, preprocessing or model misses.
 * Where the input is known without building it (the features of a file's content hash, or a
 * preprocess with a declared preprocessKey), the key is made of those instead, and a re-run reads
 * neither the data nor runs preprocess.
 * Under `.modeltest/cache` of the working directory (MODELTEST_CACHE_DIR to move it);
 * MODELTEST_CACHE=off (`modeltest --no-cache`) turns it off. A corrupt entry is ignored and rewritten.
 */
const MAGIC = 0x3243544d // "MTC2"
/** The header's element-size field: the precision the model gave, kept as it came. */
const BYTES_PER_VALUE = { 4: Float32Array, 8: Float64Array } as const

export function cacheEnabled(): boolean {
  return process.env.MODELTEST_CACHE !== 'off'
}

function cacheDirectory(): string {
  return resolve(process.env.MODELTEST_CACHE_DIR ?? join('.modeltest', 'cache'))
}

/** The key of a batch: model hash, runtime, and the input's shape, type and bytes. */
export function cacheKey(modelHash: string, runtime: string, input: { shape: readonly number[]; dtype: string; bytes: Uint8Array }): string {
  return createHash('sha256')
    .update(`${modelHash}\0${runtime}\0${input.dtype}\0${input.shape.join('x')}\0`)
    .update(input.bytes)
    .digest('hex')
}

/** The key of batch `index` of a dataset, from what fixes its input (model, runtime, data content, input recipe, batch size) rather than from the input. */
export function batchKey(parts: readonly string[], index: number): string {
  return createHash('sha256')
    .update(`recipe\0${parts.join('\0')}\0${index}`)
    .digest('hex')
}

export async function readCached(key: string): Promise<Scores | undefined> {
  let buffer: Buffer
  try {
    buffer = await readFile(join(cacheDirectory(), key.slice(0, 2), key))
  } catch {
    return undefined
  }
  if (buffer.length < 16 || buffer.readUInt32LE(0) !== MAGIC) return undefined
  const rows = buffer.readUInt32LE(4)
  const width = buffer.readUInt32LE(8)
  const bytes = buffer.readUInt32LE(12)
  if ((bytes !== 4 && bytes !== 8) || buffer.length !== 16 + rows * width * bytes) return undefined
  const values = new BYTES_PER_VALUE[bytes](rows * width)
  new Uint8Array(values.buffer).set(buffer.subarray(16))
  return { rows, width, values }
}

/** Numbers this process's temporary files: two batches with the same input may be written at once. */
let writes = 0

export async function writeCached(key: string, scores: Scores): Promise<void> {
  const directory = join(cacheDirectory(), key.slice(0, 2))
  await mkdir(directory, { recursive: true })
  const header = Buffer.alloc(16)
  header.writeUInt32LE(MAGIC, 0)
  header.writeUInt32LE(scores.rows, 4)
  header.writeUInt32LE(scores.width, 8)
  header.writeUInt32LE(scores.values.BYTES_PER_ELEMENT, 12)
  // Written aside and renamed, so that a reader never sees half an entry.
  const temporary = join(directory, `${key}.${process.pid}.${++writes}.tmp`)
  await writeFile(temporary, Buffer.concat([header, Buffer.from(scores.values.buffer, scores.values.byteOffset, scores.values.byteLength)]))
  await rename(temporary, join(directory, key))
}
