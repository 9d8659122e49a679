import type { S3Client } from '@aws-sdk/client-s3'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join, posix, relative, resolve, sep } from 'node:path'
import { ModeltestError } from '../errors.js'
import { readModelFiles } from '../models/tfjs-files.js'
import { awsFix, describeAwsError, errorName, keepErrorBodies } from './aws-errors.js'
import { requestTimeouts } from './http-timeouts.js'
import { readTarGz, writeTarGz, type TarEntry } from './tar.js'

/** The object metadata key (`x-amz-meta-modeltest-model-hash`) that holds the hash of the model inside the archive. */
const MODEL_HASH_METADATA = 'modeltest-model-hash'
const ARCHIVE = 'model.tar.gz'
/** S3's smallest part; lib-storage's default. */
const MIN_PART_SIZE = 5 * 1024 * 1024

export interface ArtifactOptions {
  /** The S3 client; by default one for `region`, with the standard credential chain and connection and request timeouts. */
  client?: S3Client
  region?: string
  /** Milliseconds one S3 request may take (connection, answer, each pause in the body; default 30 000): a server that never answers fails the deploy instead of hanging it. */
  requestTimeoutMs?: number
  /** Bytes per part of a multipart upload (at least 5 MiB, S3's minimum; default 5 MiB): a larger archive goes up in parts. */
  partSizeBytes?: number
  log?: (line: string) => void
}

export interface UploadedArtifact {
  /** The `s3://bucket/…/<model hash>/model.tar.gz` SageMaker loads. */
  url: string
  /** False when an object with this model's hash was already there, so nothing was sent. */
  uploaded: boolean
}

/**
 * Packs the model file (an .onnx file, or a tfjs model.json with its weight files) into `model.tar.gz`, laid out
 * as `modeltest serve` reads it from /opt/ml/model, and uploads it to `<to>/<model hash>/model.tar.gz` with the
 * hash in the object's metadata. When that object is there already with the same hash, nothing is uploaded.
 */
export async function uploadModelArtifact(model: string, modelHash: string, to: string, options: ArtifactOptions = {}): Promise<UploadedArtifact> {
  const { bucket, key: prefix } = parseS3Url(to, 'the upload location', true)
  const key = [prefix.replace(/\/+$/, ''), modelHash, ARCHIVE].filter(Boolean).join('/')
  const url = `s3://${bucket}/${key}`
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'))
  const client = await s3Client(options)
  const existing = await headObject(client, bucket, key, url)
  if (existing?.Metadata?.[MODEL_HASH_METADATA] === modelHash) {
    log(`s3: ${url} already holds model ${modelHash.slice(0, 12)}: nothing uploaded`)
    return { url, uploaded: false }
  }
  const partSize = options.partSizeBytes ?? MIN_PART_SIZE
  if (!(partSize >= MIN_PART_SIZE)) throw new ModeltestError({ what: `the part size ${partSize} is below S3's minimum of 5 MiB`, where: 'deploy sagemaker', fix: `Give at least ${MIN_PART_SIZE} bytes.` })
  const folder = await mkdtemp(join(tmpdir(), 'modeltest-artifact-'))
  try {
    const file = join(folder, ARCHIVE)
    await writeTarGz(await modelArchiveEntries(model), file)
    const { size } = await stat(file)
    const { Upload } = await import('@aws-sdk/lib-storage')
    const upload = new Upload({
      client,
      partSize,
      queueSize: 4,
      leavePartsOnError: false,
      params: { Bucket: bucket, Key: key, Body: createReadStream(file), ContentType: 'application/gzip', Metadata: { [MODEL_HASH_METADATA]: modelHash } },
    })
    await s3Call('PutObject', url, () => upload.done())
    const parts = Math.ceil(size / partSize)
    log(`s3: uploaded ${model} (${modelHash.slice(0, 12)}) to ${url}: ${formatBytes(size)}${parts > 1 ? ` in ${parts} parts` : ''}`)
  } finally {
    await rm(folder, { recursive: true, force: true })
  }
  return { url, uploaded: true }
}

export interface ArtifactHash {
  hash: string
  /** Where the hash came from: the object's metadata, or the model files inside the downloaded archive. */
  from: 'metadata' | 'archive'
}

/**
 * The hash of the model inside an S3 artifact, computed as the report hashes a model file: from the object's
 * metadata when modeltest uploaded it, else by downloading the archive and hashing the .onnx file, or the
 * model.json and its weight files, at its top level (where `modeltest serve` looks for them).
 */
export async function artifactModelHash(url: string, options: ArtifactOptions = {}): Promise<ArtifactHash> {
  const { bucket, key } = parseS3Url(url, 'the model data', false)
  const client = await s3Client(options)
  const head = await headObject(client, bucket, key, url)
  if (!head) throw new ModeltestError({ what: 'there is no object here', where: url, fix: 'Upload the model artifact first, or let modeltest upload the tested model with --upload s3://bucket/prefix.' })
  const recorded = head.Metadata?.[MODEL_HASH_METADATA]
  if (recorded) return { hash: recorded, from: 'metadata' }
  const { GetObjectCommand } = await import('@aws-sdk/client-s3')
  const bytes = await s3Call('GetObject', url, async () => {
    const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    return answer.Body!.transformToByteArray()
  })
  return { hash: archiveModelHash(await readTarGz(bytes, url), url), from: 'archive' }
}

/** The files of a model and their names in the archive: the .onnx file, or model.json and its weights beside it. */
async function modelArchiveEntries(model: string): Promise<TarEntry[]> {
  if (/\.onnx$/i.test(model)) return [{ name: basename(model), path: resolve(model) }]
  const files = await readModelFiles(model)
  const folder = dirname(files.modelJsonPath)
  const weights = files.weightPaths.map((path) => ({ name: relative(folder, path).split(sep).join('/'), path }))
  const outside = weights.find((weight) => weight.name.startsWith('../'))
  if (outside) throw new ModeltestError({ what: `the weight file ${outside.name} lies outside the model's folder, where SageMaker would not find it`, where: files.modelJsonPath, fix: 'Keep the weight files next to model.json.' })
  return [{ name: 'model.json', path: files.modelJsonPath }, ...weights]
}

/** The model hash of an unpacked archive, the same SHA-256 `modelFileHash` gives for the files on disk. */
function archiveModelHash(files: Map<string, Buffer>, where: string): string {
  const topLevel = [...files.keys()].filter((name) => !name.includes('/'))
  const onnx = topLevel.find((name) => /\.onnx$/i.test(name))
  if (onnx) return createHash('sha256').update(files.get(onnx)!).digest('hex')
  const modelJson = files.get('model.json')
  if (!modelJson) {
    throw new ModeltestError({
      what: `the archive has no .onnx file and no model.json at its top level (it holds ${topLevel.length > 0 ? topLevel.slice(0, 5).join(', ') : 'no files there'})`,
      where,
      fix: "SageMaker unpacks the archive into /opt/ml/model, where modeltest serve looks for the model: pack the folder's contents (tar czf model.tar.gz -C <model folder> .), or use --upload.",
    })
  }
  const hash = createHash('sha256').update(modelJson)
  let manifest: { paths: string[] }[]
  try {
    manifest = (JSON.parse(modelJson.toString('utf8')) as { weightsManifest?: { paths: string[] }[] }).weightsManifest ?? []
  } catch (error) {
    throw new ModeltestError({ what: `model.json in the archive is not valid JSON (${(error as Error).message})`, where, fix: 'Pack the model again.' })
  }
  for (const path of manifest.flatMap((group) => group.paths)) {
    const weights = files.get(posix.normalize(path))
    if (!weights) throw new ModeltestError({ what: `the weight file ${path} that model.json names is not in the archive`, where, fix: 'Pack every weight file next to model.json.' })
    hash.update(weights)
  }
  return hash.digest('hex')
}

/** `s3://bucket/key` in parts; a prefix may be empty (`s3://bucket`), an object key may not. */
export function parseS3Url(url: string, label: string, prefix: boolean): { bucket: string; key: string } {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url ?? '')
  if (!match || (!prefix && !match[2])) {
    throw new ModeltestError({
      what: `${label} '${url ?? ''}' is not an s3:// URL ${prefix ? 'of a bucket or prefix' : 'of an object'}`,
      where: 'deploy sagemaker',
      fix: prefix ? 'Give the bucket and prefix to upload to, e.g. s3://my-bucket/models/sentiment.' : 'Give the artifact SageMaker loads, e.g. s3://my-bucket/models/model.tar.gz.',
    })
  }
  return { bucket: match[1], key: match[2] ?? '' }
}

export async function s3Client(options: ArtifactOptions): Promise<S3Client> {
  if (options.client) return options.client
  const { S3Client } = await import('@aws-sdk/client-s3')
  return keepErrorBodies(new S3Client({ ...(options.region ? { region: options.region } : {}), requestHandler: requestTimeouts(options.requestTimeoutMs) }))
}

/** The object's head, or undefined when there is none. */
async function headObject(client: S3Client, bucket: string, key: string, url: string) {
  const { HeadObjectCommand } = await import('@aws-sdk/client-s3')
  try {
    return await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
  } catch (error) {
    if (errorName(error) === 'NotFound') return undefined
    throw s3Error('HeadObject', error, url)
  }
}

async function s3Call<T>(action: string, url: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request()
  } catch (error) {
    throw s3Error(action, error, url)
  }
}

/** An S3 error as a ModeltestError: the call, its HTTP status, what S3 said (credentials taken out), what to do. */
function s3Error(action: string, error: unknown, url: string): ModeltestError {
  if (error instanceof ModeltestError) return error
  const failure = describeAwsError(error)
  const permission = action === 'PutObject' ? 's3:PutObject' : 's3:GetObject'
  const credentials = `Check that the job's AWS credentials may call ${permission} on this bucket${action === 'HeadObject' ? ' (and s3:ListBucket: without it S3 answers 403 for a missing object)' : ''}.`
  const fix = awsFix(failure, {
    timeout: 'Check the network path to S3 (proxy, VPC endpoint, AWS_ENDPOINT_URL_S3); when S3 is only slow, raise the request timeout (requestTimeoutMs).',
    notJson: 'Something between modeltest and S3 answered instead of it (a proxy, a gateway, AWS_ENDPOINT_URL_S3): check it, then run the deploy again.',
    byName: { Forbidden: credentials, NoSuchBucket: 'Create the bucket, or give one that exists.' },
    region: 'Give --region (or region), or set AWS_REGION.',
    credentials,
    otherwise: 'Run the deploy again; when it keeps failing, check the bucket in the S3 console.',
  })
  return new ModeltestError({ what: `S3 ${action} failed: ${failure.text}`, where: url, fix })
}

function formatBytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

/**
 * The ModelDataUrl a deploy gives SageMaker, holding the model the gate passed: uploaded by modeltest (`upload`),
 * or the given `modelDataUrl` once its model hash matches. A mismatch is refused, unless the gate is overridden.
 */
export async function testedArtifact(source: { upload?: string; modelDataUrl?: string }, tested: { model: string; modelHash: string; override: boolean }, options: ArtifactOptions & { log: (line: string) => void }): Promise<string> {
  if (source.upload !== undefined) return (await uploadModelArtifact(tested.model, tested.modelHash, source.upload, options)).url
  const url = source.modelDataUrl!
  let found: ArtifactHash
  try {
    found = await artifactModelHash(url, options)
  } catch (error) {
    if (!tested.override || !(error instanceof ModeltestError)) throw error
    options.log(`!!! modeltest gate OVERRIDDEN: cannot tell which model ${url} holds (${error.what})`)
    return url
  }
  const { hash, from } = found
  const holds = `${url} holds model ${hash.slice(0, 12)} (${from === 'metadata' ? 'its metadata says' : 'hashed from the archive'})`
  if (hash === tested.modelHash) {
    options.log(`modeltest gate: ${holds}, the model the report checked`)
    return url
  }
  const what = `${holds}, not the model the report checked (${tested.model}, ${tested.modelHash.slice(0, 12)})`
  if (!tested.override) {
    throw new ModeltestError({ what, where: url, fix: 'Deploy the tested model: pass --upload s3://bucket/prefix to let modeltest pack and upload it, or upload it to this URL again.' })
  }
  options.log(`!!! modeltest gate OVERRIDDEN: ${what}`)
  return url
}
