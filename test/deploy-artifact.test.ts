import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { createServer, type Socket } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import * as s3Sdk from '@aws-sdk/client-s3'
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3'
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { artifactModelHash, modelFileHash, uploadModelArtifact } from '../src/index.js'
import { startFakeS3, type FakeS3 } from './fake-s3/s3rver.js'
import { requestProblems } from './fake-sagemaker/api-model.js'
import { startFakeSageMaker, type FakeSageMaker } from './fake-sagemaker/server.js'
import { fixturesDir, rejection, reportFile, runCli, tempDir, type CliResult } from './helpers.js'

// The deployed artifact is the tested model: modeltest packs and uploads it (--upload), or checks the one given
// (--model-data), against s3rver, an S3 implementation from the npm registry, and the fake SageMaker.

const exec = promisify(execFile)
const onnx = join(fixturesDir, 'models', 'penguins.onnx')
const weak = join(fixturesDir, 'models', 'penguins-weak.onnx')
const tfjs = join(fixturesDir, 'models', 'graph-linear')
const { features, probabilities } = JSON.parse(await readFile(join(fixturesDir, 'models', 'penguins-onnx-reference.json'), 'utf8')) as { features: string[]; probabilities: number[][] }

let s3: FakeS3
let work: string
const hashes = { onnx: '', weak: '', tfjs: '' }
const silent = { log: () => {} }

beforeAll(async () => {
  s3 = await startFakeS3()
  work = await tempDir()
  hashes.onnx = await modelFileHash(onnx)
  hashes.weak = await modelFileHash(weak)
  hashes.tfjs = await modelFileHash(tfjs)
})
afterAll(() => s3?.close())

/** Downloads an object into a file of the work folder. */
async function download(url: string, name: string): Promise<string> {
  const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(url)!
  const answer = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  const file = join(work, name)
  await writeFile(file, await answer.Body!.transformToByteArray())
  return file
}

/** The names GNU tar lists in an archive, and the folder it unpacked them into. */
async function gnuTar(archive: string): Promise<{ names: string[]; folder: string }> {
  const names = (await exec('tar', ['tzf', archive])).stdout.trim().split('\n')
  const folder = await tempDir()
  await exec('tar', ['xzf', archive, '-C', folder])
  return { names, folder }
}

describe('the model archive', () => {
  test('an ONNX model: model.tar.gz holds the .onnx file at its top, GNU tar reads it, and it unpacks to the tested model', async () => {
    const { url } = await uploadModelArtifact(onnx, hashes.onnx, 's3://models/layout-onnx', { client: s3.client, ...silent })
    const { names, folder } = await gnuTar(await download(url, 'onnx.tar.gz'))
    expect(names).toEqual(['penguins.onnx'])
    expect(await modelFileHash(join(folder, 'penguins.onnx'))).toBe(hashes.onnx)
  })

  test('a tfjs model: model.json and its weight files side by side, as /opt/ml/model must hold them', async () => {
    const { url } = await uploadModelArtifact(join(tfjs, 'model.json'), hashes.tfjs, 's3://models/layout-tfjs', { client: s3.client, ...silent })
    const { names, folder } = await gnuTar(await download(url, 'tfjs.tar.gz'))
    expect(names).toEqual(['model.json', 'group1-shard1of1.bin'])
    expect(await modelFileHash(folder)).toBe(hashes.tfjs)
  })

  test("a weight file name longer than a tar header's 100 bytes survives both ways: modeltest's archive and GNU tar's", async () => {
    const folder = await tempDir()
    const long = `${'sentiment-bag-of-words-dense-layer-weights-'.repeat(3)}shard1of1.bin`
    const json = JSON.parse(await readFile(join(tfjs, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] }
    json.weightsManifest[0].paths = [long]
    await writeFile(join(folder, 'model.json'), JSON.stringify(json))
    await writeFile(join(folder, long), await readFile(join(tfjs, 'group1-shard1of1.bin')))
    const hash = await modelFileHash(folder)
    const { url } = await uploadModelArtifact(folder, hash, 's3://models/long-names', { client: s3.client, ...silent })
    const { names, folder: unpacked } = await gnuTar(await download(url, 'long.tar.gz'))
    expect(names).toEqual(['model.json', long])
    expect(await modelFileHash(unpacked)).toBe(hash)
    // GNU tar writes the long name as a GNU long-name record ('L'), which the artifact check reads.
    const archive = join(work, 'gnu-long.tar.gz')
    await exec('tar', ['czf', archive, '-C', folder, 'model.json', long])
    await s3.put('gnu-long/model.tar.gz', await readFile(archive))
    expect(await artifactModelHash('s3://models/gnu-long/model.tar.gz', { client: s3.client })).toEqual({ hash, from: 'archive' })
  })

  test('an archive GNU tar wrote (./ names, no metadata) is hashed from its files, as the report hashes the model', async () => {
    const archive = join(work, 'gnu.tar.gz')
    await exec('tar', ['czf', archive, '-C', tfjs, '.'])
    await s3.put('gnu/model.tar.gz', await readFile(archive))
    expect(await artifactModelHash('s3://models/gnu/model.tar.gz', { client: s3.client })).toEqual({ hash: hashes.tfjs, from: 'archive' })
  })

  test('an archive whose model is not at its top level, or that is not a gzipped tar, is refused with what to do', async () => {
    const nested = await tempDir()
    await mkdir(join(nested, 'model'))
    await writeFile(join(nested, 'model', 'penguins.onnx'), await readFile(onnx))
    const archive = join(work, 'nested.tar.gz')
    await exec('tar', ['czf', archive, '-C', nested, 'model'])
    await s3.put('nested/model.tar.gz', await readFile(archive))
    const error = await rejection(artifactModelHash('s3://models/nested/model.tar.gz', { client: s3.client }))
    expect(error.message).toMatch(/^s3:\/\/models\/nested\/model.tar.gz: the archive has no .onnx file and no model.json at its top level \(it holds no files there\)\n {2}SageMaker unpacks the archive into \/opt\/ml\/model/)
    await s3.put('plain/model.tar.gz', 'just text')
    expect((await rejection(artifactModelHash('s3://models/plain/model.tar.gz', { client: s3.client }))).message).toMatch(/the artifact is not a gzipped tar archive/)
    expect((await rejection(artifactModelHash('s3://models/none/model.tar.gz', { client: s3.client }))).message).toMatch(/^s3:\/\/models\/none\/model.tar.gz: there is no object here/)
  })
})

describe('uploadModelArtifact against s3rver', () => {
  test('uploads once under the model hash, with the hash in the metadata; the same model again uploads nothing', async () => {
    const lines: string[] = []
    const writes = s3.writes().length
    const first = await uploadModelArtifact(onnx, hashes.onnx, 's3://models/penguins/', { client: s3.client, log: (line) => lines.push(line) })
    expect(first).toEqual({ url: `s3://models/penguins/${hashes.onnx}/model.tar.gz`, uploaded: true })
    expect(s3.writes().length - writes).toBe(1)
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: 'models', Key: `penguins/${hashes.onnx}/model.tar.gz` }))
    expect(head.Metadata).toEqual({ 'modeltest-model-hash': hashes.onnx })
    const again = await uploadModelArtifact(onnx, hashes.onnx, 's3://models/penguins', { client: s3.client, log: (line) => lines.push(line) })
    expect(again).toEqual({ url: first.url, uploaded: false })
    expect(s3.writes().length - writes).toBe(1)
    expect(lines[1]).toBe(`s3: ${first.url} already holds model ${hashes.onnx.slice(0, 12)}: nothing uploaded`)
  })

  test('a model larger than the part size goes up in parts (multipart), and its archive hashes back to the model', async () => {
    const big = join(work, 'big.onnx')
    await writeFile(big, randomBytes(6 * 1024 * 1024 + 1000))
    const hash = await modelFileHash(big)
    const lines: string[] = []
    const before = s3.requests.length
    const { url } = await uploadModelArtifact(big, hash, 's3://models/big', { client: s3.client, partSizeBytes: 5 * 1024 * 1024, log: (line) => lines.push(line) })
    const requests = s3.requests.slice(before)
    expect(requests.filter((request) => /^POST .*\?uploads/.test(request))).toHaveLength(1)
    expect(requests.filter((request) => /^PUT .*partNumber=/.test(request))).toHaveLength(2)
    expect(requests.filter((request) => /^POST .*uploadId=/.test(request))).toHaveLength(1)
    expect(lines[0]).toMatch(/^s3: uploaded .*big\.onnx \([0-9a-f]{12}\) to s3:\/\/models\/big\/[0-9a-f]{64}\/model\.tar\.gz: 6\.0 MiB in 2 parts$/)
    // Without the metadata, the hash comes from the files inside the archive.
    await s3.put('big-copy/model.tar.gz', await readFile(await download(url, 'big.tar.gz')))
    expect(await artifactModelHash('s3://models/big-copy/model.tar.gz', { client: s3.client })).toEqual({ hash, from: 'archive' })
  })

  test('the S3 requests modeltest makes fit the S3 API model that @aws-sdk/client-s3 ships', async () => {
    const inputs: { action: string; input: object }[] = []
    const client = new s3Sdk.S3Client({ region: 'us-east-1', endpoint: s3.url, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } })
    client.middlewareStack.add(
      (next, context) => (args) => {
        inputs.push({ action: String(context.commandName).replace(/Command$/, ''), input: args.input })
        return next(args)
      },
      { step: 'initialize', name: 'recordInputs' },
    )
    // A model under the part size goes up in one PutObject with modeltest's parameters. (A multipart upload's
    // requests are lib-storage's, which hands every parameter to each; s3rver's answers check those.)
    await uploadModelArtifact(weak, hashes.weak, 's3://models/shapes', { client, ...silent })
    await s3.put('shapes-plain/model.tar.gz', await readFile(await download(`s3://models/shapes/${hashes.weak}/model.tar.gz`, 'shapes.tar.gz')))
    await artifactModelHash('s3://models/shapes-plain/model.tar.gz', { client })
    expect(inputs.map((entry) => entry.action)).toEqual(['HeadObject', 'PutObject', 'HeadObject', 'GetObject'])
    expect(inputs.flatMap((entry) => requestProblems(entry.action, entry.input, s3Sdk))).toEqual([])
    expect(requestProblems('PutObject', { Bucket: 'b', Metadata: { hash: 1 } }, s3Sdk)).toEqual(['PutObject.Key: required by PutObjectRequest, missing', 'PutObject.Metadata.hash: a string expected, got 1'])
    client.destroy()
  })

  test("a part size below S3's 5 MiB and a URL that is not s3:// are refused before any request", async () => {
    const before = s3.requests.length
    expect((await rejection(uploadModelArtifact(onnx, hashes.onnx, 's3://models/x', { client: s3.client, partSizeBytes: 1024, ...silent }))).message).toMatch(/the part size 1024 is below S3's minimum of 5 MiB/)
    expect((await rejection(uploadModelArtifact(onnx, hashes.onnx, 'https://models/x', { client: s3.client, ...silent }))).message).toMatch(/the upload location 'https:\/\/models\/x' is not an s3:\/\/ URL of a bucket or prefix/)
    expect(s3.requests.length - before).toBe(1)
  })

  test('an S3 that accepts the connection and never answers ends with a timeout error, not a hang', async () => {
    const sockets = new Set<Socket>()
    const silentServer = createServer((socket) => void sockets.add(socket))
    await new Promise<void>((resolve) => silentServer.listen(0, '127.0.0.1', resolve))
    const { port } = silentServer.address() as { port: number }
    // modeltest's own client (with its request timeouts), pointed at the silent socket as a user's environment would.
    for (const [name, value] of Object.entries({ ...s3.env, AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}` })) vi.stubEnv(name, value)
    const started = Date.now()
    try {
      const error = await rejection(uploadModelArtifact(onnx, hashes.onnx, 's3://models/x', { region: 'us-east-1', requestTimeoutMs: 500, ...silent }))
      expect(error.message).toMatch(/S3 HeadObject failed: TimeoutError.*\n {2}Check the network path to S3/)
    } finally {
      vi.unstubAllEnvs()
      for (const socket of sockets) socket.destroy()
      silentServer.close()
    }
    // The SDK's own retries (3 attempts for S3) stay: each attempt ends at the limit.
    expect(Date.now() - started).toBeLessThan(3 * 500 + 2000)
  })

  test('a bucket that does not exist is an S3 error naming the call, the status and what to do', async () => {
    const error = await rejection(uploadModelArtifact(onnx, hashes.onnx, 's3://no-such-bucket/models', { client: s3.client, ...silent }))
    expect(error.message).toMatch(/^s3:\/\/no-such-bucket\/models\/[0-9a-f]{64}\/model\.tar\.gz: S3 PutObject failed: NoSuchBucket: .* \(HTTP 404\)\n {2}Create the bucket, or give one that exists\./)
  })
})

describe('deploy sagemaker --upload and --model-data, end to end (s3rver and the fake SageMaker)', { timeout: 60_000 }, () => {
  let fake: FakeSageMaker
  let reports: { onnx: string; weak: string }
  let uploaded: string
  const outputs: CliResult[] = []

  beforeAll(async () => {
    uploaded = `s3://models/e2e/${hashes.onnx}/model.tar.gz`
    // The fake's containers serve what they find in the archive in s3rver, unpacked as SageMaker unpacks it.
    fake = await startFakeSageMaker({ artifacts: {}, s3: s3.url, features })
    reports = { onnx: await reportFile(true, hashes.onnx), weak: await reportFile(true, hashes.weak) }
  })
  afterAll(() => fake?.close())

  async function deploy(model: 'onnx' | 'weak', ...flags: string[]): Promise<CliResult> {
    const args = [
      'deploy',
      'sagemaker',
      '--report',
      reports[model],
      '--model',
      model === 'onnx' ? onnx : weak,
      '--endpoint',
      'penguins-artifact',
      '--model-name',
      'penguins',
      '--image',
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/modeltest-serve:1',
      '--role',
      'arn:aws:iam::123456789012:role/SageMakerExecution',
      '--poll',
      '1',
      '--wait',
      '0',
      '--termination-wait',
      '0',
      ...flags,
    ]
    const result = await runCli(args, work, { ...fake.env, AWS_ENDPOINT_URL_S3: s3.url, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' })
    outputs.push(result)
    return result
  }
  const createdModels = () => fake.calls.filter((call) => call.action === 'CreateModel').map((call) => call.request as { ModelName: string; PrimaryContainer: { ModelDataUrl: string } })

  test('--upload packs and uploads the tested model; SageMaker is given that artifact, and modeltest serve serves it', async () => {
    const writes = s3.writes().length
    const result = await deploy('onnx', '--upload', 's3://models/e2e')
    expect(result.code, result.stderr + result.stdout).toBe(0)
    expect(result.stdout).toContain(`s3: uploaded ${onnx} (${hashes.onnx.slice(0, 12)}) to ${uploaded}`)
    expect(s3.writes().length - writes).toBe(1)
    expect(createdModels().at(-1)!.PrimaryContainer.ModelDataUrl).toBe(uploaded)
    expect(fake.endpoint('penguins-artifact')).toMatchObject({ status: 'InService', configName: createdModels().at(-1)!.ModelName })
    // The container unpacked the uploaded archive and answers the tested model's predictions.
    const runtime = new SageMakerRuntimeClient({ region: 'us-east-1', endpoint: fake.url, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } })
    const rows = [
      [39.1, 18.7, 181, 3750],
      [39.5, 17.4, 186, 3800],
    ].map((values) => Object.fromEntries(features.map((name, i) => [name, values[i]])))
    const answer = await runtime.send(new InvokeEndpointCommand({ EndpointName: 'penguins-artifact', ContentType: 'application/json', Body: JSON.stringify({ instances: rows }) }))
    const predictions = JSON.parse(new TextDecoder().decode(answer.Body)).predictions as number[][]
    predictions.flat().forEach((value, i) => expect(value).toBeCloseTo(probabilities.flat()[i], 5))
  })

  test('deploying the same model again uploads nothing', async () => {
    const writes = s3.writes().length
    const result = await deploy('onnx', '--upload', 's3://models/e2e')
    expect(result.code, result.stderr + result.stdout).toBe(0)
    expect(result.stdout).toContain(`s3: ${uploaded} already holds model ${hashes.onnx.slice(0, 12)}: nothing uploaded`)
    expect(s3.writes().length).toBe(writes)
  })

  test('--model-data holding another model than the report checked is refused before any SageMaker call', async () => {
    const calls = fake.calls.length
    const result = await deploy('weak', '--model-data', uploaded)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`${uploaded}: ${uploaded} holds model ${hashes.onnx.slice(0, 12)} (its metadata says), not the model the report checked (${weak}, ${hashes.weak.slice(0, 12)})`)
    expect(result.stderr).toMatch(/\n {2}Deploy the tested model: pass --upload s3:\/\/bucket\/prefix/)
    expect(fake.calls.length).toBe(calls)
  })

  test('--override-gate lets the mismatch through, and says so', async () => {
    const result = await deploy('weak', '--model-data', uploaded, '--override-gate')
    expect(result.code, result.stderr + result.stdout).toBe(0)
    expect(result.stdout).toContain(`!!! modeltest gate OVERRIDDEN: ${uploaded} holds model ${hashes.onnx.slice(0, 12)}`)
  })

  test('an artifact whose model cannot be told is refused; --override-gate lets it through, and says so', async () => {
    await s3.put('e2e/unreadable/model.tar.gz', 'not an archive')
    const refused = await deploy('onnx', '--model-data', 's3://models/e2e/unreadable/model.tar.gz')
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/s3:\/\/models\/e2e\/unreadable\/model.tar.gz: the artifact is not a gzipped tar archive/)
    const calls = fake.calls.length
    const overridden = await deploy('onnx', '--model-data', 's3://models/e2e/unreadable/model.tar.gz', '--override-gate')
    expect(overridden.stdout).toContain('!!! modeltest gate OVERRIDDEN: cannot tell which model s3://models/e2e/unreadable/model.tar.gz holds (the artifact is not a gzipped tar archive')
    // SageMaker is asked to deploy it (and the fake's container for it fails its health check).
    expect(fake.calls.slice(calls).map((call) => call.action)).toContain('UpdateEndpoint')
  })

  test('--model-data holding the tested model passes the check', async () => {
    const result = await deploy('onnx', '--model-data', uploaded)
    expect(result.code, result.stderr + result.stdout).toBe(0)
    expect(result.stdout).toContain(`modeltest gate: ${uploaded} holds model ${hashes.onnx.slice(0, 12)} (its metadata says), the model the report checked`)
  })

  test('a refused UpdateEndpoint deletes the model and config this deploy created; the endpoint keeps serving', async () => {
    const live = fake.endpoint('penguins-artifact')!.configName
    const calls = fake.calls.length
    fake.faults.refuse('UpdateEndpoint', 'Could not find alarm penguins-5xx.')
    const result = await deploy('onnx', '--upload', 's3://models/e2e')
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/SageMaker UpdateEndpoint failed: ValidationException: Could not find alarm penguins-5xx\./)
    const created = createdModels().at(-1)!.ModelName
    expect(created).not.toBe(live)
    expect(result.stdout).toContain(`sagemaker: UpdateEndpoint failed: deleted the endpoint config ${created} this deploy created`)
    expect(result.stdout).toContain(`sagemaker: UpdateEndpoint failed: deleted the model ${created} this deploy created`)
    const deletions = fake.calls
      .slice(calls)
      .filter((call) => call.action.startsWith('Delete'))
      .map((call) => [call.action, call.request.EndpointConfigName ?? call.request.ModelName])
    expect(deletions).toEqual([
      ['DeleteEndpointConfig', created],
      ['DeleteModel', created],
    ])
    expect(fake.endpoint('penguins-artifact')).toMatchObject({ status: 'InService', configName: live })
  })

  test('--upload and --model-data together, neither, or not s3:// URLs are usage errors, before any call', async () => {
    const calls = fake.calls.length
    const requests = s3.requests.length
    const both = await deploy('onnx', '--upload', 's3://models/e2e', '--model-data', uploaded)
    expect(both.code).toBe(2)
    expect(both.stderr).toMatch(/--upload and --model-data both name the artifact/)
    const neither = await deploy('onnx')
    expect(neither.code).toBe(2)
    expect(neither.stderr).toMatch(/modeltest deploy sagemaker needs --upload \(or --model-data\)/)
    const https = await deploy('onnx', '--upload', 'https://models.s3.amazonaws.com/e2e')
    expect(https.code).toBe(2)
    expect(https.stderr).toMatch(/deploy sagemaker: the upload location 'https:\/\/models.s3.amazonaws.com\/e2e' is not an s3:\/\/ URL of a bucket or prefix\n {2}Give the bucket and prefix to upload to/)
    const bucketOnly = await deploy('onnx', '--model-data', 's3://models')
    expect(bucketOnly.stderr).toMatch(/the model data 's3:\/\/models' is not an s3:\/\/ URL of an object/)
    expect(fake.calls.length).toBe(calls)
    expect(s3.requests.length).toBe(requests)
  })

  test('the requests, deletions included, fit the SageMaker API model that @aws-sdk/client-sagemaker ships', () => {
    expect(fake.calls.flatMap((call) => requestProblems(call.action, call.request))).toEqual([])
  })
})
