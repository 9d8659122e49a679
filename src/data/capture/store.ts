/** Where a capture lies, an S3 prefix or a local folder of the same layout: its hour folders, listed and read line by line. */

import { createReadStream } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import type { S3Client } from '@aws-sdk/client-s3'
import { ModeltestError } from '../../errors.js'
import { hashFile } from '../../hash.js'
import { awsFix, describeAwsError } from '../../deploy/aws-errors.js'
import { WHERE, type CaptureOptions } from './options.js'

const HOUR_FILE = /^(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/[^/]+\.jsonl$/
const HOUR_MS = 3_600_000

/** A capture location: an S3 prefix or a local folder, listed and read the same way. */
export interface Store {
  endpoint: string
  variant: string
  /** The location of a key under the root, as messages name it. */
  describe(key: string): string
  /** The `.jsonl` keys under a prefix of the root (`2026/11/23/10/`, or '' for all), relative to the root. */
  list(prefix: string): Promise<string[]>
  lines(key: string): AsyncIterable<string>
  /** What identifies a listed file's content: its SHA-256, or the ETag S3 listed (a digest of the object's bytes). */
  identity(key: string): Promise<string>
}

export async function openStore(location: string, options: CaptureOptions, capture = true): Promise<Store> {
  const trimmed = location.replace(/\/+$/, '')
  const parts = trimmed.split('/')
  const names = { endpoint: parts.at(-2) ?? '', variant: parts.at(-1) ?? '' }
  if (location.startsWith('s3://')) return s3Store(trimmed, names, options, capture)
  const root = resolve(trimmed)
  return {
    ...names,
    describe: (key) => (key ? join(root, key) : root),
    async list(prefix) {
      const entries = await readdir(join(root, prefix), { recursive: true }).catch((error: unknown) => {
        const { code } = error as NodeJS.ErrnoException
        if (code === 'ENOENT') return []
        throw new ModeltestError({ what: `the capture folder cannot be read (${code})`, where: join(root, prefix), fix: 'Check the path and its permissions.', cause: error })
      })
      return entries.map((entry) => `${prefix}${entry.split('\\').join('/')}`).filter((key) => HOUR_FILE.test(key))
    },
    lines: (key) => createInterface({ input: createReadStream(join(root, key)), crlfDelay: Infinity }),
    identity: (key) => hashFile(join(root, key)),
  }
}

async function s3Store(url: string, names: { endpoint: string; variant: string }, options: CaptureOptions, capture: boolean): Promise<Store> {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url)
  if (!match || (capture && !/\/.+\/.+/.test(`/${match[2] ?? ''}`))) {
    throw new ModeltestError({
      what: `'${url}' is not an s3:// URL of ${capture ? "a capture's <endpoint>/<variant> prefix" : 'a bucket and prefix'}`,
      where: WHERE,
      fix: capture ? 'Give s3://bucket/prefix/<endpoint>/<variant>/, the DestinationS3Uri of DataCaptureConfig followed by the endpoint and variant names.' : 'Give s3://bucket/prefix/.',
    })
  }
  const bucket = match[1]
  const root = match[2] ? `${match[2]}/` : ''
  const { s3Client } = await import('../../deploy/artifact.js')
  const client: S3Client = await s3Client({ region: options.region, requestTimeoutMs: options.requestTimeoutMs })
  const { GetObjectCommand, paginateListObjectsV2 } = await import('@aws-sdk/client-s3')
  const describe = (key: string) => `s3://${bucket}/${root}${key}`
  const etags = new Map<string, string>()
  return {
    ...names,
    describe,
    async list(prefix) {
      const keys: string[] = []
      try {
        for await (const page of paginateListObjectsV2({ client, pageSize: options.listPageSize ?? 1000 }, { Bucket: bucket, Prefix: root + prefix })) {
          for (const object of page.Contents ?? []) {
            if (!object.Key) continue
            keys.push(object.Key.slice(root.length))
            etags.set(object.Key.slice(root.length), object.ETag ?? '')
          }
        }
      } catch (error) {
        throw s3Error('ListObjectsV2', error, describe(prefix), 's3:ListBucket')
      }
      return keys.filter((key) => HOUR_FILE.test(key)).sort()
    },
    async *lines(key) {
      let body: Readable
      try {
        body = (await client.send(new GetObjectCommand({ Bucket: bucket, Key: root + key }))).Body as Readable
      } catch (error) {
        throw s3Error('GetObject', error, describe(key), 's3:GetObject')
      }
      yield* createInterface({ input: body, crlfDelay: Infinity })
    },
    identity: async (key) => etags.get(key) ?? '',
  }
}

function s3Error(action: string, error: unknown, url: string, permission: string): ModeltestError {
  const failure = describeAwsError(error)
  const network = 'Check the network path to S3 (proxy, VPC endpoint, AWS_ENDPOINT_URL_S3); when S3 is only slow, raise { requestTimeoutMs }.'
  const credentials = `Check that the job's AWS credentials may call ${permission} on this bucket.`
  const fix = awsFix(failure, {
    timeout: network,
    notJson: 'Something between modeltest and S3 answered instead of it (a proxy, a gateway, AWS_ENDPOINT_URL_S3): check it.',
    byName: { AccessDenied: credentials, Forbidden: credentials, NoSuchBucket: 'Check the bucket name of the location.' },
    region: 'Give { region }, or set AWS_REGION.',
    credentials,
    otherwise: network,
  })
  // No cause kept, as for every AWS error: it may hold credentials, and --debug prints it.
  return new ModeltestError({ what: `S3 ${action} failed: ${failure.text}`, where: url, fix })
}

/** The hour folders of [since, until) and their files; without since, the hours the listing finds. */
export async function listHours(store: Store, since: Date | undefined, until: Date): Promise<{ hour: string; keys: string[] }[]> {
  if (!since) {
    const byHour = new Map<string, string[]>()
    for (const key of (await store.list('')).sort()) {
      const hour = key.slice(0, 13)
      if (hourStart(hour) < until.getTime()) byHour.set(hour, [...(byHour.get(hour) ?? []), key])
    }
    return [...byHour].map(([hour, keys]) => ({ hour, keys }))
  }
  const hours: string[] = []
  for (let time = Math.floor(since.getTime() / HOUR_MS) * HOUR_MS; time < until.getTime(); time += HOUR_MS) hours.push(hourFolder(new Date(time)))
  // One listing per hour folder, a few at a time: a week is 168 small listings, never the whole prefix.
  const listed: { hour: string; keys: string[] }[] = []
  for (let i = 0; i < hours.length; i += 8) {
    const batch = hours.slice(i, i + 8)
    listed.push(...(await Promise.all(batch.map(async (hour) => ({ hour, keys: (await store.list(`${hour}/`)).sort() })))))
  }
  return listed
}

function hourFolder(time: Date): string {
  return time.toISOString().slice(0, 13).replace(/[-T]/g, '/')
}

function hourStart(folder: string): number {
  const [year, month, day, hour] = folder.split('/').map(Number)
  return Date.UTC(year, month - 1, day, hour)
}
