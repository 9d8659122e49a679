import { spawn, type ChildProcess } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest'
import { canaryRuntimeClient, deploySageMaker, endpointVariants, model, modelFileHash, requestTimeouts, sendTraffic, type SageMakerDeployOptions } from '../src/index.js'
import { startFakeS3, type FakeS3 } from './fake-s3/s3rver.js'
import { fixturesDir, rejection, reportFile, runCli, tempDir } from './helpers.js'

// Every request to AWS or to a model server ends within its limit: against a loopback server that accepts and
// never answers, one that never accepts, and a proxy answering its own HTML page instead of AWS's JSON. S3 is
// s3rver holding the tested model's artifact, so that deploy's artifact check passes and SageMaker is reached.

const LIMIT_MS = 500
const candidate = join(fixturesDir, 'models', 'penguins.onnx')
const credentials = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKE1234', AWS_SECRET_ACCESS_KEY: 'fake/secret/for+modeltest+tests', AWS_EC2_METADATA_DISABLED: 'true' }
const rows = [{ bill_length_mm: 39.1, bill_depth_mm: 18.7, flipper_length_mm: 181, body_mass_g: 3750 }]

/**
 * A TCP server on 127.0.0.1 that accepts every connection, reads what comes and never answers. `waiting()`
 * counts the connections that sent a request and are still open (a client may also keep idle ones).
 */
async function silentServer(): Promise<{ url: string; waiting: () => number; close: () => void }> {
  const sockets = new Set<Socket>()
  const waiting = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.once('data', () => waiting.add(socket))
    socket.on('close', () => {
      sockets.delete(socket)
      waiting.delete(socket)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    waiting: () => waiting.size,
    close: () => {
      for (const socket of sockets) socket.destroy()
      server.close()
    },
  }
}

/**
 * A listener that never accepts: a child process listens with a backlog of one and then blocks its event loop,
 * so that once two connections fill the kernel's accept queue, a new connection is never established.
 */
async function unacceptingServer(): Promise<{ url: string; close: () => void }> {
  const script = `const s = require('net').createServer(); s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => { console.log(s.address().port); setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0), 50) })`
  const child: ChildProcess = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  const port = Number(await new Promise<string>((resolve) => child.stdout!.once('data', (data) => resolve(String(data).trim()))))
  await new Promise((resolve) => setTimeout(resolve, 200))
  const fillers: Socket[] = []
  for (;;) {
    const socket = connect(port, '127.0.0.1')
    fillers.push(socket)
    const established = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true))
      setTimeout(() => resolve(false), 300)
    })
    if (!established) break
  }
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      for (const socket of fillers) socket.destroy()
      child.kill()
    },
  }
}

/** An HTTP server answering every request with `status` and an HTML page, as a proxy or load balancer does. */
async function htmlServer(status: number, page = '<html><body>Bad gateway</body></html>\n'): Promise<{ url: string; close: () => void }> {
  const server: HttpServer = createHttpServer((request, response) => {
    request.resume()
    request.on('end', () => response.writeHead(status, { 'content-type': 'text/html' }).end(page))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() }
}

let report: string
let s3: FakeS3
let work: string
let trafficData: string
const log: string[] = []

beforeAll(async () => {
  const hash = await modelFileHash(candidate)
  report = await reportFile(true, hash)
  s3 = await startFakeS3({ accessKeyId: credentials.AWS_ACCESS_KEY_ID, secretAccessKey: credentials.AWS_SECRET_ACCESS_KEY })
  await s3.put('penguins/good.tar.gz', 'not read: the metadata names the model', { 'modeltest-model-hash': hash })
  work = await tempDir()
  trafficData = join(work, 'traffic.jsonl')
  await writeFile(trafficData, rows.map((row) => JSON.stringify(row)).join('\n') + '\n')
  // Loaded once here, so that the timed calls time the request, not the first import of the SDK or of fetch.
  await Promise.all([import('@aws-sdk/client-sagemaker'), import('@aws-sdk/client-sagemaker-runtime'), fetch('data:,loaded')])
})
afterAll(() => s3.close())
beforeEach(() => {
  log.length = 0
  for (const [name, value] of Object.entries({ ...credentials, AWS_ENDPOINT_URL_S3: s3.url })) vi.stubEnv(name, value)
})
afterEach(() => {
  vi.unstubAllEnvs()
})

function deployOptions(): SageMakerDeployOptions {
  return {
    endpointName: 'penguins-staging',
    modelName: 'penguins',
    image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/modeltest-serve:1',
    modelDataUrl: 's3://models/penguins/good.tar.gz',
    executionRoleArn: 'arn:aws:iam::123456789012:role/SageMakerExecution',
    instanceType: 'ml.m5.large',
    initialInstanceCount: 1,
    gate: { report, model: candidate },
    requestTimeoutMs: LIMIT_MS,
    log: (line) => log.push(line),
    sleep: async () => {},
  }
}

/** The error `work` ends with, and how long it took to end. */
async function timed(work: Promise<unknown>) {
  const started = performance.now()
  const error = await rejection(work)
  return { error, ms: performance.now() - started }
}

/**
 * Within the limit plus a second, and not long before it: the request did wait for its answer. (Node's timers
 * start from the event loop's cached time, which a long synchronous step can leave a little behind.)
 */
function endedAtTheLimit(ms: number) {
  expect(ms).toBeGreaterThanOrEqual(LIMIT_MS - 100)
  expect(ms).toBeLessThan(LIMIT_MS + 1000)
}

/** Resolves when `condition` holds, or fails after `ms`. */
async function eventually(condition: () => boolean, ms = 1000) {
  const deadline = performance.now() + ms
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('the condition did not hold in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('requestTimeouts: the request handler options of every AWS client', () => {
  test('a limit on the connection, the answer and a stalled body, thrown rather than only logged', () => {
    expect(requestTimeouts(500)).toEqual({ connectionTimeout: 500, requestTimeout: 500, socketTimeout: 500, throwOnRequestTimeout: true })
    expect(requestTimeouts()).toEqual({ connectionTimeout: 10_000, requestTimeout: 30_000, socketTimeout: 30_000, throwOnRequestTimeout: true })
  })

  test('a limit that is not whole milliseconds ≥ 1 is refused before any request', async () => {
    expect(() => requestTimeouts(0)).toThrow(/requestTimeoutMs must be a whole number ≥ 1, got number 0/)
    const error = await rejection(deploySageMaker({ ...deployOptions(), requestTimeoutMs: 2.5 }))
    expect(error.message).toMatch(/requestTimeoutMs must be a whole number ≥ 1, got number 2\.5/)
  })
})

describe('a server that accepts and never answers', { timeout: 20_000 }, () => {
  let silent: Awaited<ReturnType<typeof silentServer>>
  beforeAll(async () => {
    silent = await silentServer()
  })
  afterAll(() => silent.close())
  beforeEach(() => {
    vi.stubEnv('AWS_ENDPOINT_URL', silent.url)
  })

  test('deploySageMaker ends with a timeout error naming the call and the limit', async () => {
    const { error, ms } = await timed(deploySageMaker(deployOptions()))
    endedAtTheLimit(ms)
    expect(error.message).toBe(
      'endpoint penguins-staging: SageMaker DescribeEndpoint failed: TimeoutError: no answer within 500 ms (the request timeout)\n' +
        '  Check the network path to SageMaker (proxy, VPC endpoint, AWS_ENDPOINT_URL) and run again; when SageMaker is only slow, raise --request-timeout (requestTimeoutMs).',
    )
  })

  test("the canary's control plane (endpointVariants) ends with a timeout error", async () => {
    const { error, ms } = await timed(endpointVariants('penguins-staging', { requestTimeoutMs: LIMIT_MS, log: (line) => log.push(line) }))
    endedAtTheLimit(ms)
    expect(error.message).toMatch(/^endpoint penguins-staging: SageMaker DescribeEndpoint failed: TimeoutError: no answer within 500 ms/)
  })

  test("the canary's traffic counts each unanswered invocation as a TimeoutError, ending at the limit", async () => {
    const client = await canaryRuntimeClient(undefined, LIMIT_MS)
    const started = performance.now()
    const samples = await sendTraffic({ endpointName: 'penguins-staging', client, rows, durationSeconds: 0.2, ratePerSecond: 10 })
    expect(performance.now() - started).toBeLessThan(200 + LIMIT_MS + 1000)
    expect(samples.map((sample) => sample.error)).toEqual(['TimeoutError', 'TimeoutError'])
    for (const sample of samples) endedAtTheLimit(sample.ms)
  })

  test('model.sagemaker() fails the prediction at its timeoutMs, and the request is abandoned with it', async () => {
    const live = model.sagemaker('penguins-staging', { timeoutMs: LIMIT_MS })
    const { error, ms } = await timed(live.predictRows(rows))
    endedAtTheLimit(ms)
    expect(error.message).toMatch(/^sagemaker:penguins-staging: no scores within 500 ms for a batch of 1 rows/)
    await eventually(() => silent.waiting() === 0)
  })

  test('model.http() fails the prediction at its timeoutMs, and the request is abandoned with it', async () => {
    const live = model.http(`${silent.url}/invocations`, { protocol: 'sagemaker', timeoutMs: LIMIT_MS })
    const { error, ms } = await timed(live.predictRows(rows))
    endedAtTheLimit(ms)
    expect(error.message).toMatch(/no scores within 500 ms|did not answer within 500 ms/)
    await eventually(() => silent.waiting() === 0)
  })

  test('modeltest deploy sagemaker --request-timeout and modeltest canary --request-timeout exit 2 with the timeout error', async () => {
    const env = { ...credentials, AWS_ENDPOINT_URL: silent.url, AWS_ENDPOINT_URL_S3: s3.url }
    const deployed = await runCli(
      [
        'deploy',
        'sagemaker',
        '--report',
        report,
        '--model',
        candidate,
        '--endpoint',
        'penguins-staging',
        '--model-name',
        'penguins',
        '--image',
        '123456789012.dkr.ecr.us-east-1.amazonaws.com/modeltest-serve:1',
        '--model-data',
        's3://models/penguins/good.tar.gz',
        '--role',
        'arn:aws:iam::123456789012:role/SageMakerExecution',
        '--request-timeout',
        String(LIMIT_MS),
      ],
      work,
      env,
    )
    expect(deployed.code, deployed.stderr).toBe(2)
    expect(deployed.stderr).toMatch(/SageMaker DescribeEndpoint failed: TimeoutError: no answer within 500 ms \(the request timeout\)\n {2}Check the network path to SageMaker/)
    const canary = await runCli(['canary', '--endpoint', 'penguins-staging', '--tests', 'rows.modeltest.ts', '--data', trafficData, '--request-timeout', String(LIMIT_MS)], join(fixturesDir, 'canary'), env)
    expect(canary.code, canary.stderr).toBe(2)
    expect(canary.stderr).toMatch(/SageMaker DescribeEndpoint failed: TimeoutError: no answer within 500 ms/)
  })

  test('--request-timeout takes whole milliseconds ≥ 1', async () => {
    const result = await runCli(['canary', '--endpoint', 'penguins-staging', '--tests', 'rows.modeltest.ts', '--data', trafficData, '--request-timeout', '0.5s'], work)
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--request-timeout takes a whole number ≥ 1, got '0\.5s'/)
  })
})

describe('a server that never accepts the connection', { timeout: 20_000 }, () => {
  let unaccepting: Awaited<ReturnType<typeof unacceptingServer>>
  beforeAll(async () => {
    unaccepting = await unacceptingServer()
  })
  afterAll(() => unaccepting.close())
  beforeEach(() => {
    vi.stubEnv('AWS_ENDPOINT_URL', unaccepting.url)
  })

  test('the control plane says no connection was made within the limit', async () => {
    const { error, ms } = await timed(deploySageMaker(deployOptions()))
    endedAtTheLimit(ms)
    expect(error.message).toMatch(/^endpoint penguins-staging: SageMaker DescribeEndpoint failed: TimeoutError: no connection within 500 ms \(the request timeout\)/)
  })

  test('the runtime counts an invocation without a connection as a TimeoutError', async () => {
    const samples = await sendTraffic({ endpointName: 'penguins-staging', client: await canaryRuntimeClient(undefined, LIMIT_MS), rows, durationSeconds: 0.1, ratePerSecond: 10 })
    expect(samples.map((sample) => sample.error)).toEqual(['TimeoutError'])
    endedAtTheLimit(samples[0].ms)
  })

  test('model.http() fails the prediction at its timeoutMs', async () => {
    const { error, ms } = await timed(model.http(`${unaccepting.url}/invocations`, { protocol: 'sagemaker', timeoutMs: LIMIT_MS }).predictRows(rows))
    endedAtTheLimit(ms)
    expect(error.message).toMatch(/within 500 ms/)
  })
})

describe('a server that sends its headers and then stalls', { timeout: 20_000 }, () => {
  test('the control plane and the runtime say the answer stalled, at the limit', async () => {
    const server: HttpServer = createHttpServer((request, response) => {
      request.resume()
      request.on('end', () => response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': '100' }).write('{'))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    vi.stubEnv('AWS_ENDPOINT_URL', `http://127.0.0.1:${(server.address() as AddressInfo).port}`)
    try {
      const { error, ms } = await timed(endpointVariants('penguins-staging', { requestTimeoutMs: LIMIT_MS }))
      endedAtTheLimit(ms)
      expect(error.message).toMatch(/^endpoint penguins-staging: SageMaker DescribeEndpoint failed: TimeoutError: the answer stalled for 500 ms \(the request timeout\)/)
      const samples = await sendTraffic({ endpointName: 'penguins-staging', client: await canaryRuntimeClient(undefined, LIMIT_MS), rows, durationSeconds: 0.1, ratePerSecond: 10 })
      expect(samples.map((sample) => sample.error)).toEqual(['TimeoutError'])
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })
})

describe('a proxy that answers 5xx with an HTML page', { timeout: 20_000 }, () => {
  test("the control plane names the status and the page's first line, retries it as a server error, and never says SyntaxError", async () => {
    const proxy = await htmlServer(502)
    vi.stubEnv('AWS_ENDPOINT_URL', proxy.url)
    try {
      const { error } = await timed(deploySageMaker({ ...deployOptions(), retry: { maxAttempts: 2 } }))
      expect(error.message).toBe(
        'endpoint penguins-staging: SageMaker DescribeEndpoint failed: HTTP 502: an answer that is not JSON: Bad gateway\n' +
          '  Something between modeltest and SageMaker answered instead of it (a proxy, a gateway, AWS_ENDPOINT_URL): check it, then run the deploy again.',
      )
      expect(log).toEqual(expect.arrayContaining([expect.stringMatching(/^sagemaker: server error \(HTTP 502\); attempt 2 in/)]))
      expect(log.join('\n')).not.toMatch(/SyntaxError/)
    } finally {
      proxy.close()
    }
  })

  test('the runtime names the status and the first line with text of a multi-line page', async () => {
    const proxy = await htmlServer(503, '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n')
    vi.stubEnv('AWS_ENDPOINT_URL', proxy.url)
    try {
      const { error } = await timed(model.sagemaker('penguins-staging', { timeoutMs: 5000 }).predictRows(rows))
      expect(error.message).toMatch(/^endpoint penguins-staging: InvokeEndpoint failed: HTTP 503: an answer that is not JSON: 503 Service Temporarily Unavailable\n {2}Something between modeltest and SageMaker answered/)
      const samples = await sendTraffic({ endpointName: 'penguins-staging', client: await canaryRuntimeClient(), rows, durationSeconds: 0.1, ratePerSecond: 10 })
      expect(samples.map((sample) => sample.error)).toEqual(['HTTP 503'])
    } finally {
      proxy.close()
    }
  })

  test("model.http() names the status and the page's text, not its markup", async () => {
    const proxy = await htmlServer(502)
    try {
      const { error } = await timed(model.http(`${proxy.url}/invocations`, { protocol: 'sagemaker' }).predictRows(rows))
      expect(error.message).toMatch(/the endpoint answered 502 Bad Gateway: Bad gateway\n/)
    } finally {
      proxy.close()
    }
  })
})
