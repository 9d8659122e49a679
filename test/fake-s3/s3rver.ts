/**
 * S3 for end-to-end tests: s3rver (an S3 implementation on the npm registry that modeltest did not write) on
 * 127.0.0.1, with one bucket. Every request it receives is recorded, so that a test can count the uploads.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import crypto from 'node:crypto'
import type { Server } from 'node:http'
import S3rver from 's3rver'
import accounts from 's3rver/lib/models/account.js'
import { tempDir } from '../helpers.js'

/**
 * s3rver 3.7 seals ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node ≥ 17) no longer provides
 * without --openssl-legacy-provider: every truncated listing answered 500 InternalError. The token is only
 * opaque to the client, so DES is replaced by AES-128-CBC with the 8-byte key and IV doubled.
 */
for (const name of ['createCipheriv', 'createDecipheriv'] as const) {
  const original = crypto[name] as (algorithm: string, key: Buffer, iv: Buffer) => unknown
  Object.assign(crypto, {
    [name]: (algorithm: string, key: Buffer, iv: Buffer) => (algorithm === 'des' ? original('aes-128-cbc', Buffer.concat([key, key]), Buffer.concat([iv, iv])) : original(algorithm, key, iv)),
  })
}

export interface FakeS3 {
  /** http://127.0.0.1:PORT */
  url: string
  bucket: string
  /** The environment for `modeltest` child processes: S3 requests go to s3rver (AWS_ENDPOINT_URL_S3 wins over AWS_ENDPOINT_URL). */
  env: Record<string, string>
  /** A client of this S3, as a test would build it. */
  client: S3Client
  /** `METHOD /bucket/key?query` of every request received, in order. */
  requests: string[]
  /** The requests that wrote object data: PutObject, and UploadPart of a multipart upload. */
  writes(): string[]
  /** Puts an object directly, bypassing modeltest. */
  put(key: string, body: Uint8Array | string, metadata?: Record<string, string>): Promise<void>
  close(): Promise<void>
}

/**
 * s3rver checks every request's SigV4 signature against the key pairs it knows: its own (S3RVER) and, given
 * here, the fake credentials the other fakes of a test use.
 */
export async function startFakeS3(credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, bucket = 'models'): Promise<FakeS3> {
  accounts.DUMMY_ACCOUNT.createKeyPair(credentials.accessKeyId, credentials.secretAccessKey)
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: await tempDir(), configureBuckets: [{ name: bucket }] })
  const { port } = (await server.run()) as { port: number }
  const requests: string[] = []
  ;(server as unknown as { httpServer: Server }).httpServer.on('request', (request) => requests.push(`${request.method} ${request.url}`))
  const url = `http://127.0.0.1:${port}`
  const client = new S3Client({ region: 'us-east-1', endpoint: url, forcePathStyle: true, credentials })
  return {
    url,
    bucket,
    env: { AWS_ENDPOINT_URL_S3: url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_EC2_METADATA_DISABLED: 'true' },
    client,
    requests,
    writes: () => requests.filter((request) => request.startsWith('PUT ')),
    async put(key, body, metadata) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, Metadata: metadata }))
    },
    async close() {
      client.destroy()
      await server.close()
    },
  }
}
