import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { InferenceSession, Tensor } from 'onnxruntime-node'
import { ModeltestError, listNames } from '../errors.js'
import { hashFile } from '../hash.js'
import type { Row } from '../data/dataset.js'
import { rowsInput, toMatrix } from './input.js'
import type { ModelOptions, PreparedInput, RuntimeInfo, Scores } from './model.js'

/** What `model()` needs to build a Model from an `.onnx` file. */
export interface OnnxModelParts {
  hash: string
  runtime: RuntimeInfo
  prepare: (rows: Row[]) => Promise<PreparedInput>
}

/**
 * Loads an ONNX model with onnxruntime-node (CPU execution provider) and returns its hash (SHA-256 of
 * the file), runtime and batch function. Inputs follow the same rules as tfjs models (`preprocess` or
 * `features`), fed as float32 to the model's one input (or `options.input`); scores are read from its
 * first output (or `options.output`), shaped [rows, classes] or [rows].
 */
export async function onnxModelParts(source: string, options: ModelOptions): Promise<OnnxModelParts> {
  const path = resolve(source)
  const info = await stat(path).catch(() => undefined)
  if (!info?.isFile()) {
    throw new ModeltestError({ what: info ? 'this is a directory, not an .onnx file' : 'no ONNX model file here', where: source, fix: 'Give the path of an .onnx file (torch.onnx.export, tf2onnx or skl2onnx write one); train and export the model first if it is not there yet.' })
  }
  const toInput = rowsInput(options, source)
  const hash = await hashFile(path)
  const session = await loadOnce(path, hash, source)
  const inputName = chooseName(session.inputNames, options.input, 'input', source)
  const outputName = chooseName(session.outputNames, options.output, 'output', source, true)
  const expected = tensorShape(session.inputMetadata, inputName, source)
  const ort = await onnxruntime()
  return {
    hash,
    runtime: { runtime: 'onnx', backend: 'cpu' },
    prepare: async (rows) => {
      const matrix = toMatrix(await toInput(rows), rows.length, expected?.length, source)
      if (expected) checkShape(matrix.dims, expected, inputName, source)
      return {
        fingerprint: () => ({ shape: matrix.dims, dtype: 'float32', bytes: new Uint8Array(matrix.data.buffer, matrix.data.byteOffset, matrix.data.byteLength) }),
        dispose: () => {},
        run: async () => {
          let results: InferenceSession.OnnxValueMapType
          try {
            results = await session.run({ [inputName]: new ort.Tensor('float32', matrix.data, matrix.dims) }, [outputName])
          } catch (error) {
            throw new ModeltestError({
              what: `onnxruntime failed on an input of shape [${matrix.dims.join(', ')}]: ${(error as Error).message.trim()}`,
              where: source,
              fix: 'Check that preprocess or features build the input the model was trained on (shape and dtype).',
              cause: error,
            })
          }
          return outputScores(results[outputName] as Tensor, outputName, rows.length, source)
        },
      }
    },
  }
}

// Sessions are kept per process, by content hash: every test file of a worker shares one copy.
const LOADED = Symbol.for('modeltest.onnx.sessions')
type Global = typeof globalThis & { [LOADED]?: Map<string, Promise<InferenceSession>> }

function loadOnce(path: string, hash: string, source: string): Promise<InferenceSession> {
  const global = globalThis as Global
  const loaded = (global[LOADED] ??= new Map())
  let session = loaded.get(hash)
  if (!session) {
    session = onnxruntime()
      .then((ort) => ort.InferenceSession.create(path))
      .catch((error: Error) => {
        loaded.delete(hash)
        if (error instanceof ModeltestError) throw error
        throw new ModeltestError({
          what: `onnxruntime could not load the file as an ONNX model: ${error.message.trim()}`,
          where: source,
          fix: 'Export the model again (torch.onnx.export, tf2onnx, skl2onnx); check that the file is not truncated or a Git LFS pointer.',
          cause: error,
        })
      })
    loaded.set(hash, session)
  }
  return session
}

/** onnxruntime-node, imported on first use so that tfjs-only runs never load its native binding. */
async function onnxruntime(): Promise<typeof import('onnxruntime-node')> {
  try {
    return await import('onnxruntime-node')
  } catch (error) {
    throw new ModeltestError({ what: `onnxruntime-node could not be loaded: ${(error as Error).message}`, where: 'onnxruntime-node', fix: 'Run npm install; ONNX models need the onnxruntime-node package (CPU binding included).', cause: error })
  }
}

function chooseName(names: readonly string[], wanted: string | undefined, kind: 'input' | 'output', source: string, firstByDefault = false): string {
  if (wanted !== undefined) {
    if (names.includes(wanted)) return wanted
    throw new ModeltestError({ what: `the model has no ${kind} '${wanted}'`, where: source, fix: `Its ${kind}s are ${listNames(names)}; pass one as { ${kind}: '…' }.` })
  }
  if (names.length === 1 || (firstByDefault && names.length > 0)) return names[0]
  if (names.length === 0) throw new ModeltestError({ what: `the model has no ${kind}s`, where: source, fix: 'Export a model with one input of shape [rows, features] and one output of shape [rows, classes].' })
  throw new ModeltestError({ what: `the model has ${names.length} ${kind}s (${listNames(names)}); modeltest feeds one`, where: source, fix: `Pass { ${kind}: '${names[0]}' } to model() to choose it, or export a model with a single ${kind}.` })
}

/** The shape the model declares for an input (dimensions are sizes or symbolic names), when it declares one. */
function tensorShape(metadata: readonly InferenceSession.ValueMetadata[] | undefined, name: string, source: string): ReadonlyArray<number | string> | undefined {
  const meta = metadata?.find((value) => value.name === name)
  if (!meta) return undefined
  if (!meta.isTensor) throw new ModeltestError({ what: `the model's input '${name}' is not a tensor`, where: source, fix: 'modeltest feeds a float32 tensor of shape [rows, features].' })
  if (meta.type !== 'float32') {
    throw new ModeltestError({ what: `the model's input '${name}' takes ${meta.type}; modeltest feeds float32`, where: source, fix: 'Export the model with a float32 input (cast inside the model if it needs another type).' })
  }
  return meta.shape.length > 0 ? meta.shape : undefined
}

function checkShape(dims: readonly number[], expected: ReadonlyArray<number | string>, name: string, source: string): void {
  const fits = dims.length === expected.length && expected.every((size, i) => typeof size !== 'number' || size < 0 || size === dims[i])
  if (fits) return
  const width = expected.length === 2 && typeof expected[1] === 'number' ? expected[1] : undefined
  throw new ModeltestError({
    what: `the input has shape [${dims.join(', ')}]; the model's input '${name}' takes [${expected.join(', ')}]`,
    where: source,
    fix: width !== undefined ? `Give ${width} features columns, or make preprocess return rows of ${width} numbers.` : 'Make preprocess or features build an input of the shape the model declares.',
  })
}

function outputScores(output: Tensor | undefined, name: string, rows: number, source: string): Scores {
  if (!output || typeof output !== 'object' || !('dims' in output)) {
    throw new ModeltestError({ what: `the model's output '${name}' is not a tensor`, where: source, fix: 'Score a tensor output of shape [rows, classes]: pass its name as { output }.' })
  }
  const dims = output.dims
  const width = dims.length === 1 ? 1 : dims.length === 2 ? dims[1] : -1
  if (width < 0 || dims[0] !== rows) {
    throw new ModeltestError({ what: `the model's output '${name}' has shape [${dims.join(', ')}] for ${rows} rows`, where: source, fix: 'modeltest expects [rows, classes] or [rows]; reshape the output in the model, or choose another with { output }.' })
  }
  const data = output.data
  if (data instanceof Float32Array) return { rows, width, values: data }
  if (typeof data === 'object' && 'length' in data && typeof data[0] !== 'bigint' && typeof data[0] !== 'string') {
    return { rows, width, values: Float32Array.from(data as ArrayLike<number>) }
  }
  throw new ModeltestError({ what: `the model's output '${name}' holds ${output.type}, not scores`, where: source, fix: 'Score a float output (class probabilities or logits): pass its name as { output }.' })
}
