import { firstTextLine } from '../deploy/aws-errors.js'
import { ModeltestError } from '../errors.js'
import { hashText } from '../hash.js'
import type { Row } from '../data/dataset.js'
import { rowsInput, toMatrix } from './input.js'
import { MODEL_OPTIONS, Model, checkModelOptions, type ModelOptions, type Scores } from './model.js'
import { PredictionTimeout } from './timeout.js'

export interface HttpModelOptions extends ModelOptions {
  /**
   * `sagemaker`: the SageMaker container contract, POST JSON `{ instances }` to the URL (…/invocations),
   * answer `{ predictions }` (or a bare array), one entry per row. `kserve-v2`: the KServe/Triton v2
   * inference protocol, POST `{ inputs: [{ name, shape, datatype: 'FP32', data }] }` to
   * …/v2/models/NAME/infer, answer `{ outputs: [{ shape, data }] }`.
   */
  protocol: 'sagemaker' | 'kserve-v2'
  /** Extra request headers (authorization). */
  headers?: Record<string, string>
  /** Milliseconds before a request is abandoned, its connection included, and the prediction call fails: the prediction timeout (see ModelOptions.timeoutMs; 60,000 by default). */
  timeoutMs?: number
}

const HTTP_MODEL_OPTIONS = [...MODEL_OPTIONS, 'protocol', 'headers']

/**
 * A model behind an HTTP endpoint, so that a deployed model is tested with the same matchers.
 * SageMaker instances are the rows themselves, or the `features`/`preprocess` matrix when given;
 * KServe v2 needs the matrix. Every request is one attempt: an error is reported, not retried.
 *
 *     const live = model.http('http://127.0.0.1:8080/invocations', { protocol: 'sagemaker' })
 */
export function httpModel(url: string, options: HttpModelOptions): Model {
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new ModeltestError({ what: `model.http needs an http(s) URL, got ${String(url)}`, fix: "Write model.http('http://127.0.0.1:8080/invocations', { protocol: 'sagemaker' })." })
  checkModelOptions(options, HTTP_MODEL_OPTIONS, 'model.http()')
  if (options?.protocol !== 'sagemaker' && options?.protocol !== 'kserve-v2') {
    throw new ModeltestError({ what: `model.http needs { protocol: 'sagemaker' | 'kserve-v2' }, got ${String(options?.protocol)}`, where: url })
  }
  const name = options.name ?? url
  // Errors name the model as the tests call it, and the URL it is served at.
  const where = name === url ? url : `${name} (${url})`
  const matrix = options.preprocess || options.features ? rowsInput(options, where) : undefined
  if (options.protocol === 'kserve-v2' && !matrix)
    throw new ModeltestError({ what: 'the KServe v2 protocol sends a tensor, so the rows need { features } or { preprocess }', where, fix: "Pass { features: ['a', 'b'] } or { preprocess } to model.http()." })
  // Each request gives up with the prediction (model.timeoutMs), so that no abandoned request stays open.
  const send = (body: unknown) => post(url, body, { headers: options.headers, timeoutMs: model.timeoutMs }, where)
  const model: Model = new Model({
    name,
    hash: hashText(`${options.protocol} ${url}`),
    runtime: { runtime: 'http', backend: options.protocol },
    batchSize: options.batchSize,
    timeoutMs: options.timeoutMs,
    runBatch: async (rows: Row[]) => {
      const input = matrix ? toMatrix(await matrix(rows), rows.length, undefined, where) : undefined
      if (options.protocol === 'sagemaker') return sagemakerScores(await send({ instances: sagemakerInstances(rows, input) }), rows.length, where)
      const body = { inputs: [{ name: options.input ?? 'input-0', shape: input!.dims, datatype: 'FP32', data: Array.from(input!.data) }] }
      const answer = (await send(body)) as { outputs?: { name?: string; shape?: number[]; data?: number[] }[] }
      const output = options.output ? answer?.outputs?.find((o) => o.name === options.output) : answer?.outputs?.[0]
      if (!output || !Array.isArray(output.data) || !Array.isArray(output.shape)) {
        throw new ModeltestError({
          what: 'the KServe v2 answer has no output tensor (outputs[].shape and .data)',
          where,
          fix: 'Check the server speaks the v2 inference protocol, and name the output with { output } when there are several.',
        })
      }
      const width = output.shape.length === 1 ? 1 : output.shape[1]
      if (output.shape[0] !== rows.length || output.data.length !== rows.length * width) {
        throw new ModeltestError({ what: `the endpoint answered shape [${output.shape.join(', ')}] for ${rows.length} rows`, where })
      }
      return { rows: rows.length, width, values: Float64Array.from(output.data) }
    },
  })
  return model
}

async function post(url: string, body: unknown, options: { headers?: Record<string, string>; timeoutMs: number }, where: string): Promise<unknown> {
  const { timeoutMs } = options
  let response: Response
  let text: string
  try {
    // One signal for the connection, the answer and its body: a server that accepts and never answers ends here too.
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    })
    text = await response.text()
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') {
      throw new PredictionTimeout({ what: `the endpoint did not answer within ${timeoutMs} ms`, where, fix: 'Check that the server answers; if the model is only slow, raise { timeoutMs } or lower batchSize.', cause: error })
    }
    throw new ModeltestError({
      what: `the endpoint could not be reached (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message})`,
      where,
      fix: 'Check the URL and that the server runs.',
      cause: error,
    })
  }
  if (!response.ok) throw new ModeltestError({ what: `the endpoint answered ${response.status} ${response.statusText}: ${firstTextLine(text)}`, where, fix: 'A 4xx means the request did not fit the model; a 5xx, that the model failed.' })
  try {
    return JSON.parse(text)
  } catch {
    throw new ModeltestError({ what: `the endpoint's answer is not JSON: ${firstTextLine(text)}`, where })
  }
}

/** The `instances` of a SageMaker request: the rows themselves, or the rows of the model's input matrix. */
export function sagemakerInstances(rows: Row[], input: { dims: number[]; data: Float32Array } | undefined): unknown[] {
  if (!input) return rows
  const width = input.dims[1] ?? 1
  return Array.from({ length: rows.length }, (_, i) => Array.from(input.data.subarray(i * width, (i + 1) * width)))
}

/** The scores in a SageMaker answer: `{ predictions }` or a bare array, one entry per instance; `where` names the model in errors. */
export function sagemakerScores(answer: unknown, rows: number, where: string): Scores {
  return scoresOf(Array.isArray(answer) ? answer : (answer as { predictions?: unknown })?.predictions, rows, where)
}

function scoresOf(predictions: unknown, rows: number, where: string): Scores {
  if (!Array.isArray(predictions) || predictions.length !== rows) {
    throw new ModeltestError({
      what: `the endpoint answered ${Array.isArray(predictions) ? `${predictions.length} predictions` : 'no predictions array'} for ${rows} rows`,
      where,
      fix: 'Answer { predictions: [...] } with one entry per instance, in order.',
    })
  }
  const width = Array.isArray(predictions[0]) ? predictions[0].length : 1
  const values = new Float64Array(rows * width)
  predictions.forEach((prediction, i) => {
    const row = Array.isArray(prediction) ? prediction : [prediction]
    if (row.length !== width || row.some((value) => typeof value !== 'number')) {
      throw new ModeltestError({
        what: `prediction ${i} is ${JSON.stringify(prediction).slice(0, 60)}, not ${width} number${width === 1 ? '' : 's'} like the first`,
        where,
        fix: 'Answer numbers only (class scores or one score per instance), as many for every instance.',
      })
    }
    values.set(row as number[], i * width)
  })
  return { rows, width, values }
}
