import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ModeltestError, isModeltestError } from '../errors.js'
import { PredictionTimeout } from '../models/timeout.js'
import type { Model } from '../models/model.js'
import { BadRequest, parseRows } from './payload.js'

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

function send(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return
  response.writeHead(status, { 'Content-Type': 'application/json' })
  response.end(JSON.stringify(body))
}
