import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { dataset, model, type Model, type Row } from '../src/index.js'
import { bagOfWords, readVocabulary } from '../examples/sentiment/features.js'
import { exampleDir, fixturesDir } from './helpers.js'

// A real model behind a real HTTP server on loopback, speaking both protocols, so that the HTTP
// adapter is tested end to end against the same model run in-process.
const holdout = (await dataset(join(exampleDir, 'data', 'holdout.csv'))).head(50)
const local = await model(join(exampleDir, 'models', 'candidate', 'model.json'), { preprocess: bagOfWords(await readVocabulary(join(exampleDir, 'models', 'candidate', 'vocab.json'))) })
const penguins = await dataset(
  (await (await dataset(join(fixturesDir, 'data', 'penguins.csv'))).rows()).filter((row) => row.bill_length_mm !== null),
  { name: 'penguins' },
)
const features = ['bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g']
const onnx = await model(join(fixturesDir, 'models', 'penguins.onnx'), { features })

let server: Server
let base = ''
const requests: unknown[] = []

beforeAll(async () => {
  const answer = async (request: IncomingMessage, response: ServerResponse) => {
    const body = JSON.parse(
      await new Promise<string>((resolve) => {
        let text = ''
        request.on('data', (chunk) => (text += String(chunk)))
        request.on('end', () => resolve(text))
      }),
    )
    requests.push(body)
    const send = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' })
      response.end(JSON.stringify(value))
    }
    if (request.url === '/invocations') {
      const scores = await local.predictRows(body.instances as Row[])
      send(200, { predictions: Array.from({ length: scores.rows }, (_, i) => Array.from(scores.values.subarray(i * 2, i * 2 + 2))) })
      return
    }
    if (request.url === '/v2/models/penguins/infer') {
      const [input] = body.inputs
      const rows = Array.from({ length: input.shape[0] }, (_, i) => Object.fromEntries(features.map((name, j) => [name, input.data[i * input.shape[1] + j]])))
      const scores = await onnx.predictRows(rows)
      send(200, { model_name: 'penguins', outputs: [{ name: 'probabilities', shape: [scores.rows, scores.width], datatype: 'FP32', data: Array.from(scores.values) }] })
      return
    }
    if (request.url === '/broken') {
      send(500, { error: 'model crashed' })
      return
    }
    send(404, { error: 'not found' })
  }
  server = createServer((request, response) => void answer(request, response))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

async function sameScores(remote: Model, reference: Model, data: typeof holdout): Promise<void> {
  const [a, b] = [await remote.predict(data), await reference.predict(data)]
  expect([a.rows, a.width]).toEqual([b.rows, b.width])
  a.values.forEach((value, i) => expect(value).toBeCloseTo(b.values[i], 6))
}

describe('model.http', () => {
  test('SageMaker contract: rows as instances, { predictions } back, the same scores as in-process', async () => {
    const remote = model.http(`${base}/invocations`, { protocol: 'sagemaker', batchSize: 20 })
    expect(remote.runtime).toEqual({ runtime: 'http', backend: 'sagemaker' })
    await sameScores(remote, local, holdout)
    expect((requests.at(-1) as { instances: Row[] }).instances).toHaveLength(10)
    await expect(remote).toMeetAccuracy(0.7, { on: holdout, label: 'label' })
  })

  test('KServe v2: a FP32 tensor in, the output tensor back', async () => {
    const remote = model.http(`${base}/v2/models/penguins/infer`, { protocol: 'kserve-v2', features })
    await sameScores(remote, onnx, penguins)
    const [input] = (requests.at(-1) as { inputs: { name: string; shape: number[]; datatype: string }[] }).inputs
    expect(input).toMatchObject({ name: 'input-0', datatype: 'FP32' })
    expect(input.shape[1]).toBe(4)
  })

  test('errors: a failing endpoint, a missing one, and a protocol without the input it needs', async () => {
    await expect(model.http(`${base}/broken`, { protocol: 'sagemaker' }).predict(holdout)).rejects.toThrow(/answered 500 Internal Server Error: \{"error":"model crashed"\}/)
    await expect(model.http('http://127.0.0.1:9/invocations', { protocol: 'sagemaker', timeoutMs: 2000 }).predict(holdout)).rejects.toThrow(/could not be reached/)
    expect(() => model.http(`${base}/v2/models/x/infer`, { protocol: 'kserve-v2' })).toThrow(/the KServe v2 protocol sends a tensor, so the rows need \{ features \} or \{ preprocess \}/)
    expect(() => model.http('ftp://host', { protocol: 'sagemaker' })).toThrow(/needs an http\(s\) URL/)
  })
})
