import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parse as parseCsv } from 'csv-parse/sync'
import type { Row } from '../data/dataset.js'
import { ModeltestError, isModeltestError } from '../errors.js'
import { PredictionTimeout } from '../models/timeout.js'
import type { Model } from '../models/model.js'

/** SageMaker refuses invocation payloads above 6 MB; so does this server. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024

export interface ServeOptions {
  /** 0 picks a free port. SageMaker's contract is 8080 on every interface. */
  port?: number
  host?: string
  /** The model's feature columns, in order: the names of headerless CSV values and of rows sent as arrays. */
  features?: string[]
  /** Named in the x-Amzn-Invoked-Production-Variant header, as SageMaker does. */
  variant?: string
}

export interface ModelServer {
  url: string
  port: number
  /** Stops accepting connections and resolves once the requests in flight are answered. */
  close(): Promise<void>
}

/** A request the client must fix: answered 400 (or the status given) with the message. */
class BadRequest extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message)
  }
}

const INVOCATIONS = /^\/(?:endpoints\/[^/]+\/)?invocations$/

/**
 * The SageMaker inference container contract over a model: `GET /ping` answers 200 once the model
 * is loaded (503 before), `POST /invocations` takes JSON rows (`[{…}]`, `{ "instances": [{…}] }` or
 * `{ "inputs": [{…}] }`; a row may also be an array of values in the order of `features`) or CSV
 * (`text/csv`, headerless in the order of `features`, or `text/csv;header=present`) and answers
 * `{ "predictions": [[score, …], …] }`. It also answers `POST /endpoints/{name}/invocations`, the path
 * the AWS SDK's InvokeEndpoint uses, so the real SageMaker runtime client can call it locally. A bad
 * body gets 400 with a message, a model error 500; nothing a client sends stops the server.
 */
export async function serveModel(model: Model | Promise<Model>, options: ServeOptions = {}): Promise<ModelServer> {
  let loaded: Model | undefined
  const loading = Promise.resolve(model).then((ready) => (loaded = ready))
  // An unloadable model is reported by whoever awaits `model`; pings keep answering 503.
  loading.catch(() => {})
  // Responses not yet sent: once closing, each ends its connection, or a kept-alive client would hold
  // close() (and a stopping container) for the keep-alive timeout after its answer.
  const unanswered = new Set<ServerResponse>()
  let closing = false
  const server = createServer((request, response) => {
    if (closing) response.setHeader('Connection', 'close')
    unanswered.add(response)
    response.on('close', () => unanswered.delete(response))
    handle(request, response, loaded, options).catch((error: unknown) => send(response, 500, { error: `modeltest serve: ${(error as Error).message}` }))
  })
  const port = options.port ?? 8080
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new ModeltestError({ what: `port ${port} is in use`, fix: 'Stop what listens there, or pick another --port (0 picks a free one).', cause: error }) : error),
    )
    server.listen(port, options.host ?? '0.0.0.0', () => resolve())
  })
  const address = server.address() as AddressInfo
  return {
    url: `http://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing = true
        for (const response of unanswered) if (!response.headersSent) response.setHeader('Connection', 'close')
        // close() also ends the connections idle now (Node ≥ 19).
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}

async function handle(request: IncomingMessage, response: ServerResponse, model: Model | undefined, options: ServeOptions): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname
  if (path === '/ping') {
    if (request.method !== 'GET') {
      send(response, 405, { error: '/ping takes GET' })
      return
    }
    if (model) send(response, 200, { status: 'ok', model: model.name })
    else send(response, 503, { error: 'the model is still loading' })
    return
  }
  if (!INVOCATIONS.test(path)) {
    send(response, 404, { error: `no route ${path}: use GET /ping or POST /invocations` })
    return
  }
  if (request.method !== 'POST') {
    send(response, 405, { error: `${path} takes POST` })
    return
  }
  if (!model) {
    send(response, 503, { error: 'the model is still loading; retry once GET /ping answers 200' })
    return
  }
  try {
    const rows = parseRows(await readBody(request), request.headers['content-type'] ?? 'application/json', options.features)
    let scores
    try {
      scores = await model.predictRows(rows)
    } catch (error) {
      // The model's own input checks (an unknown column, a wrong type) are the client's to fix; a model that does not answer is not.
      if (isModeltestError(error) && !(error instanceof PredictionTimeout)) throw new BadRequest((error as Error).message)
      send(response, 500, { error: `the model failed: ${(error as Error).message}` })
      return
    }
    const predictions = Array.from({ length: scores.rows }, (_, i) => Array.from(scores.values.subarray(i * scores.width, (i + 1) * scores.width)))
    // SageMaker names the variant that answered: the one the client targeted, else this server's.
    const target = request.headers['x-amzn-sagemaker-target-variant']
    response.setHeader('x-Amzn-Invoked-Production-Variant', (typeof target === 'string' && target) || options.variant || 'AllTraffic')
    send(response, 200, { predictions })
  } catch (error) {
    if (error instanceof BadRequest) {
      send(response, error.status, { error: error.message })
      return
    }
    throw error
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  const tooLarge = new BadRequest(`the body is larger than ${MAX_PAYLOAD_BYTES} bytes (SageMaker's limit): send fewer rows per request`, 413)
  return new Promise((resolve, reject) => {
    // A declared length over the limit is refused before reading; the rest is drained, so the connection stays usable.
    if (Number(request.headers['content-length']) > MAX_PAYLOAD_BYTES) {
      request.resume()
      return reject(tooLarge)
    }
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_PAYLOAD_BYTES) {
        request.resume()
        return reject(tooLarge)
      }
      chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

/** The rows of a request body; anything malformed is a BadRequest saying how to send it. */
function parseRows(body: string, contentType: string, features: string[] | undefined): Row[] {
  if (body.trim() === '') throw new BadRequest('the body is empty: send JSON rows ([{"feature": 1.0}]) or CSV lines')
  const type = contentType.toLowerCase()
  if (type.startsWith('text/csv')) {
    const header = /header\s*=\s*present/.test(type)
    if (!header && !features) throw new BadRequest('CSV without a header needs the server started with --features a,b,c (or send text/csv;header=present)')
    let records: string[][]
    try {
      records = parseCsv(body, { skip_empty_lines: true, trim: true })
    } catch (error) {
      throw new BadRequest(`the CSV body does not parse: ${(error as Error).message}`)
    }
    const names = header ? (records.shift() ?? []) : features!
    return records.map((record, line) => {
      if (record.length !== names.length) throw new BadRequest(`CSV line ${line + 1 + (header ? 1 : 0)} has ${record.length} values, expected ${names.length} (${names.join(', ')})`)
      return Object.fromEntries(record.map((value, i) => [names[i], value === '' ? null : Number.isNaN(Number(value)) ? value : Number(value)]))
    })
  }
  if (!type.startsWith('application/json')) throw new BadRequest(`unsupported Content-Type '${contentType}': send application/json or text/csv`, 415)
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch (error) {
    throw new BadRequest(`the body is not valid JSON: ${(error as Error).message}`)
  }
  const rows = Array.isArray(parsed) ? parsed : ((parsed as { instances?: unknown })?.instances ?? (parsed as { inputs?: unknown })?.inputs)
  if (!Array.isArray(rows) || rows.length === 0) throw new BadRequest('expected a non-empty array of rows, { "instances": [rows] } or { "inputs": [rows] }, each row an object of feature values')
  return rows.map((row, i) => jsonRow(row, i, features))
}

/** A JSON row: an object of feature values, or an array of them in the order of `features`. */
function jsonRow(row: unknown, index: number, features: string[] | undefined): Row {
  if (Array.isArray(row)) {
    if (!features) throw new BadRequest(`row ${index} is an array: send objects ({"feature": 1.0}), or start the server with --features a,b,c to name array values`)
    if (row.length !== features.length) throw new BadRequest(`row ${index} has ${row.length} values, expected ${features.length} (${features.join(', ')})`)
    return Object.fromEntries(features.map((name, i) => [name, row[i]]))
  }
  if (row === null || typeof row !== 'object') throw new BadRequest(`row ${index} is not an object of feature values: send [{"${features?.[0] ?? 'feature'}": 1.0, …}]`)
  return row as Row
}

function send(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return
  response.writeHead(status, { 'Content-Type': 'application/json' })
  response.end(JSON.stringify(body))
}
