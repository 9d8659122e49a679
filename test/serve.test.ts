import { spawn } from 'node:child_process'
import { request as httpRequest } from 'node:http'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime'
import { afterAll, describe, expect, test } from 'vitest'
import { MAX_PAYLOAD_BYTES, dataset, model, serveModel, type Row } from '../src/index.js'
import { fixturesDir, repoRoot } from './helpers.js'

const onnxPath = join(fixturesDir, 'models', 'penguins.onnx')
const { features } = JSON.parse(await readFile(join(fixturesDir, 'models', 'penguins-onnx-reference.json'), 'utf8')) as { features: string[] }
const rows = (await (await dataset(join(fixturesDir, 'data', 'penguins.csv'))).rows(0, 12)).filter((row) => features.every((name) => typeof row[name] === 'number'))
const net = await model(onnxPath, { features })
const direct = await net.predictRows(rows)
const expected = Array.from({ length: direct.rows }, (_, i) => Array.from(direct.values.subarray(i * 3, i * 3 + 3)))
const server = await serveModel(net, { port: 0, host: '127.0.0.1', features })
afterAll(() => server.close())

const post = (path: string, body: string, type = 'application/json') => fetch(server.url + path, { method: 'POST', body, headers: { 'Content-Type': type } })
const featureRows = rows.map((row) => Object.fromEntries(features.map((name) => [name, row[name]])) as Row)

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

  test('POST /invocations with JSON rows, or { instances }, answers the model predictions', async () => {
    for (const body of [JSON.stringify(featureRows), JSON.stringify({ instances: featureRows })]) {
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
    const withHeader = await post('/invocations', [[...features].reverse().join(','), ...featureRows.map((row) => [...features].reverse().map((name) => row[name]).join(','))].join('\n'), 'text/csv;header=present')
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
      [post('/invocations', JSON.stringify([{ bill_length_mm: 40 }])), 400, /bill_depth_mm/],
      [post('/invocations', '1,2\n', 'text/csv'), 400, /CSV line 1 has 2 values, expected 4/],
      [post('/invocations', 'a', 'application/xml'), 415, /unsupported Content-Type/],
      [post('/invocations', 'x'.repeat(MAX_PAYLOAD_BYTES + 1)), 413, /larger than 6291456 bytes/],
      [fetch(server.url + '/invocations'), 405, /takes POST/],
      [fetch(server.url + '/predict'), 404, /no route \/predict/],
    ]
    for (const [request, status, message] of cases) {
      const response = await request
      expect(response.status).toBe(status)
      expect((await response.json()).error).toMatch(message)
    }
    expect((await fetch(server.url + '/ping')).status).toBe(200)
  })

  test('a model that throws gets 500', async () => {
    const failing = await serveModel(await model(async () => { throw new Error('out of memory') }, { name: 'failing' }), { port: 0, host: '127.0.0.1' })
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
  })
})

describe('modeltest serve on the command line', () => {
  test('prints where it listens, answers, and stops cleanly on SIGTERM with a request in flight', async () => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'modeltest.js'), 'serve', '--model', onnxPath, '--port', '0', '--host', '127.0.0.1', '--features', features.join(',')])
    let stdout = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    while (!/on (http:\/\/\S+)/.test(stdout)) await new Promise((resolve) => setTimeout(resolve, 50))
    const url = /on (http:\/\/\S+)/.exec(stdout)![1]
    expect((await fetch(url + '/ping')).status).toBe(200)
    // Half the body sent, then SIGTERM: the server has the request in hand and must still answer it.
    const body = JSON.stringify(featureRows)
    const request = httpRequest(url + '/invocations', { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } })
    const answered = new Promise<string>((resolve, reject) => {
      request.on('response', (response) => {
        let text = ''
        response.on('data', (chunk) => (text += chunk))
        response.on('end', () => resolve(text))
      })
      request.on('error', reject)
    })
    request.write(body.slice(0, 100))
    await new Promise((resolve) => setTimeout(resolve, 200))
    child.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 100))
    request.end(body.slice(100))
    expect(JSON.parse(await answered).predictions).toEqual(expected)
    expect(await exited).toBe(0)
    expect(stdout).toContain('modeltest serve: stopped')
  })

  test('a bad option or no model is a usage error', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [join(repoRoot, 'bin', 'modeltest.js'), 'serve', ...args])
        let stderr = ''
        child.stderr.on('data', (chunk) => (stderr += chunk))
        child.on('exit', (code) => resolve({ code, stderr }))
      })
    expect(await run(['--port', 'eighty'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--port eighty is not a port number/) })
    expect(await run([])).toMatchObject({ code: 2, stderr: expect.stringMatching(/no model given and none in \/opt\/ml\/model/) })
  })
})
