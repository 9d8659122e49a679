import { spawn } from 'node:child_process'
import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders } from 'node:http'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime'
import { afterAll, describe, expect, test } from 'vitest'
import { MAX_PAYLOAD_BYTES, dataset, model, serveModel, type Row } from '../src/index.js'
import { fixturesDir, repoRoot, runCli } from './helpers.js'

const onnxPath = join(fixturesDir, 'models', 'penguins.onnx')
const { features } = JSON.parse(await readFile(join(fixturesDir, 'models', 'penguins-onnx-reference.json'), 'utf8')) as { features: string[] }
const rows = (await (await dataset(join(fixturesDir, 'data', 'penguins.csv'))).rows(0, 12)).filter((row) => features.every((name) => typeof row[name] === 'number'))
const net = await model(onnxPath, { features })
const direct = await net.predictRows(rows)
const expected = Array.from({ length: direct.rows }, (_, i) => Array.from(direct.values.subarray(i * 3, i * 3 + 3)))
const server = await serveModel(net, { port: 0, host: '127.0.0.1', features })
afterAll(() => server.close())

const post = (path: string, body: string, type = 'application/json') => fetch(server.url + path, { method: 'POST', body, headers: { 'Content-Type': type } })
const featureRows = rows.map((row): Row => Object.fromEntries(features.map((name) => [name, row[name]])))

describe('modeltest serve: the SageMaker container contract', () => {
  test('GET /ping answers 200 once the model is loaded, 503 before', async () => {
    expect((await fetch(server.url + '/ping')).status).toBe(200)
    let release!: (ready: typeof net) => void
    const loading = await serveModel(new Promise((resolve) => (release = resolve)), { port: 0, host: '127.0.0.1' })
    expect((await fetch(loading.url + '/ping')).status).toBe(503)
    expect((await fetch(loading.url + '/invocations', { method: 'POST', body: '[]' })).status).toBe(503)
    release(net)
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect((await fetch(loading.url + '/ping')).status).toBe(200)
    await loading.close()
  })

  test('POST /invocations with JSON rows, { instances } or { inputs }, answers the model predictions', async () => {
    const arrays = featureRows.map((row) => features.map((name) => row[name]))
    for (const body of [featureRows, { instances: featureRows }, { inputs: featureRows }, { instances: arrays }].map((json) => JSON.stringify(json))) {
      const response = await post('/invocations', body)
      expect(response.status).toBe(200)
      expect(response.headers.get('x-amzn-invoked-production-variant')).toBe('AllTraffic')
      expect((await response.json()).predictions).toEqual(expected)
    }
  })

  test('CSV, headerless in the order of --features or with a header', async () => {
    const lines = featureRows.map((row) => features.map((name) => row[name]).join(','))
    const headerless = await post('/invocations', lines.join('\n'), 'text/csv')
    expect((await headerless.json()).predictions).toEqual(expected)
    const withHeader = await post(
      '/invocations',
      [
        [...features].reverse().join(','),
        ...featureRows.map((row) =>
          [...features]
            .reverse()
            .map((name) => row[name])
            .join(','),
        ),
      ].join('\n'),
      'text/csv;header=present',
    )
    expect((await withHeader.json()).predictions).toEqual(expected)
  })

  test('serves parallel requests', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => post('/invocations', JSON.stringify([featureRows[i % featureRows.length]])).then((response) => response.json())))
    answers.forEach((answer, i) => expect(answer.predictions).toEqual([expected[i % featureRows.length]]))
  })

  test('a bad request gets its status and a message; the server goes on', async () => {
    const cases: [Promise<Response>, number, RegExp][] = [
      [post('/invocations', '{"instances": [1, 2'), 400, /not valid JSON/],
      [post('/invocations', ''), 400, /the body is empty/],
      [post('/invocations', '[]'), 400, /non-empty array of rows/],
      [post('/invocations', '[3]'), 400, /row 0 is not an object/],
      [post('/invocations', '{"instances": [[1, 2]]}'), 400, /row 0 has 2 values, expected 4/],
      [post('/invocations', JSON.stringify([{ bill_length_mm: 40 }])), 400, /bill_depth_mm/],
      [post('/invocations', '1,2\n', 'text/csv'), 400, /CSV line 1 has 2 values, expected 4/],
      [post('/invocations', 'a', 'application/xml'), 415, /unsupported Content-Type/],
      [post('/invocations', 'x'.repeat(MAX_PAYLOAD_BYTES + 1)), 413, /larger than 6291456 bytes/],
      [fetch(server.url + '/invocations'), 405, /takes POST/],
      [fetch(server.url + '/ping', { method: 'POST' }), 405, /\/ping takes GET/],
      [fetch(server.url + '/predict'), 404, /no route \/predict/],
    ]
    for (const [request, status, message] of cases) {
      const response = await request
      expect(response.status).toBe(status)
      expect((await response.json()).error).toMatch(message)
    }
    expect((await fetch(server.url + '/ping')).status).toBe(200)
  })

  test('a body streamed without Content-Length is cut off at the limit with 413', async () => {
    const request = httpRequest(server.url + '/invocations', { method: 'POST', headers: { 'Content-Type': 'application/json' } })
    const answered = responseOf(request)
    for (let sent = 0; sent <= MAX_PAYLOAD_BYTES; sent += 1 << 20) request.write('x'.repeat(1 << 20))
    request.end()
    const { status, text } = await answered
    expect(status).toBe(413)
    expect(JSON.parse(text).error).toMatch(/send fewer rows per request/)
  })

  test('a model that throws gets 500', async () => {
    const failing = await serveModel(
      await model(
        async () => {
          throw new Error('out of memory')
        },
        { name: 'failing' },
      ),
      { port: 0, host: '127.0.0.1' },
    )
    const response = await fetch(failing.url + '/invocations', { method: 'POST', body: '[{"a": 1}]', headers: { 'Content-Type': 'application/json' } })
    expect(response.status).toBe(500)
    expect((await response.json()).error).toBe('the model failed: out of memory')
    await failing.close()
  })

  test("the AWS SDK's SageMaker runtime client can invoke it as an endpoint", async () => {
    const client = new SageMakerRuntimeClient({ region: 'us-east-1', endpoint: server.url, credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' } })
    const answer = await client.send(new InvokeEndpointCommand({ EndpointName: 'penguins', ContentType: 'application/json', Accept: 'application/json', Body: JSON.stringify(featureRows) }))
    expect(JSON.parse(new TextDecoder().decode(answer.Body)).predictions).toEqual(expected)
    expect(answer.InvokedProductionVariant).toBe('AllTraffic')
    const csv = featureRows.map((row) => features.map((name) => row[name]).join(',')).join('\n')
    const targeted = await client.send(new InvokeEndpointCommand({ EndpointName: 'penguins', ContentType: 'text/csv', Body: csv, TargetVariant: 'blue' }))
    expect(JSON.parse(new TextDecoder().decode(targeted.Body)).predictions).toEqual(expected)
    expect(targeted.InvokedProductionVariant).toBe('blue')
  })
})

/** The answer to a node:http request: its status, headers and body text. */
function responseOf(request: ClientRequest): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    request.on('response', (response) => {
      let text = ''
      response.on('data', (chunk) => (text += String(chunk)))
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, text }))
    })
    request.on('error', reject)
  })
}

/** `modeltest serve` as a child process, once it has printed where it listens. */
async function startCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'modeltest.js'), 'serve', '--model', onnxPath, '--host', '127.0.0.1', ...args], { env: { ...process.env, ...env } })
  let stdout = ''
  child.stdout.on('data', (chunk) => (stdout += String(chunk)))
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  const listening = /^modeltest serve: (\S+) on (http:\/\/127\.0\.0\.1:\d+)$/m
  while (!listening.test(stdout)) await new Promise((resolve) => setTimeout(resolve, 50))
  const [, name, url] = listening.exec(stdout)!
  return { child, name, url, exited, stdout: () => stdout }
}

describe('modeltest serve on the command line', () => {
  test('prints where it listens, answers, and stops cleanly on SIGTERM with a request in flight', async () => {
    const { child, name, url, exited, stdout } = await startCli(['--port', '0', '--features', features.join(',')])
    expect(name).toBe(onnxPath)
    expect((await fetch(url + '/ping')).status).toBe(200)
    // Half the body sent, then SIGTERM: the server has the request in hand and must still answer it.
    const body = JSON.stringify(featureRows)
    const request = httpRequest(url + '/invocations', { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } })
    const answered = responseOf(request)
    request.write(body.slice(0, 100))
    await new Promise((resolve) => setTimeout(resolve, 200))
    child.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 100))
    request.end(body.slice(100))
    const { text, headers } = await answered
    expect(JSON.parse(text).predictions).toEqual(expected)
    // The kept-alive connection is ended with the answer, so the process need not wait out the keep-alive timeout.
    expect(headers.connection).toBe('close')
    expect(await exited).toBe(0)
    expect(stdout()).toContain('modeltest serve: stopped')
  })

  test('takes the port, features and variant from the environment, as in a SageMaker container; SIGINT stops it', async () => {
    const { child, url, exited } = await startCli([], { SAGEMAKER_BIND_TO_PORT: '0', MODELTEST_FEATURES: features.join(','), MODELTEST_VARIANT: 'green' })
    const response = await fetch(url + '/endpoints/penguins/invocations', { method: 'POST', body: featureRows.map((row) => features.map((name) => row[name]).join(',')).join('\n'), headers: { 'Content-Type': 'text/csv' } })
    expect(response.headers.get('x-amzn-invoked-production-variant')).toBe('green')
    expect((await response.json()).predictions).toEqual(expected)
    child.kill('SIGINT')
    expect(await exited).toBe(0)
  })

  test('a bad option, no features, no model or an unloadable one is a usage error (exit 2, nothing left listening)', async () => {
    const serve = (args: string[]) => runCli(['serve', ...args], repoRoot)
    expect(await serve(['--port', 'eighty'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--port eighty is not a port number/) })
    expect(await serve(['--model', onnxPath, '--verbose'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown option --verbose/) })
    expect(await serve(['--model', onnxPath])).toMatchObject({ code: 2, stderr: expect.stringMatching(/needs the model's feature columns/) })
    expect(await serve(['--features', 'a'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/no model given and none in \/opt\/ml\/model/) })
    expect(await serve(['--model', join(fixturesDir, 'missing.onnx'), '--features', 'a', '--port', '0'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/no ONNX model file here/) })
  })
})
