import { createReadStream, createWriteStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'
import { createGzip, gunzip } from 'node:zlib'
import { ModeltestError } from '../errors.js'

/** One file of an archive: its name inside the archive and where its bytes are on disk. */
export interface TarEntry {
  name: string
  path: string
}

const gunzipAsync = promisify(gunzip)
const BLOCK = 512
/** The largest size the 11 octal digits of a ustar header hold (8 GiB − 1). */
const MAX_SIZE = 8 ** 11 - 1

/**
 * Writes the files as a gzipped POSIX ustar archive (what `tar czf` writes and SageMaker unpacks into
 * /opt/ml/model). The archive is reproducible: the same files give the same bytes (mode 0644, owner 0, mtime 0).
 */
export async function writeTarGz(entries: readonly TarEntry[], file: string): Promise<void> {
  const sizes = await Promise.all(entries.map(async (entry) => (await stat(entry.path)).size))
  async function* blocks() {
    for (const [i, entry] of entries.entries()) {
      // A name longer than a header's 100 bytes goes first in a pax extended header (POSIX.1-2001).
      if (Buffer.byteLength(entry.name) > 100) {
        const record = paxRecord('path', entry.name)
        yield header('PaxHeader', record.length, 'x')
        yield record
        yield padding(record.length)
      }
      yield header(entry.name, sizes[i], '0')
      for await (const chunk of createReadStream(entry.path)) yield chunk as Buffer
      yield padding(sizes[i])
    }
    yield Buffer.alloc(2 * BLOCK)
  }
  await pipeline(Readable.from(blocks()), createGzip(), createWriteStream(file))
}

/** A ustar header block; a name over 100 bytes is cut there (its pax record holds it whole). */
function header(name: string, size: number, type: '0' | 'x'): Buffer {
  if (size > MAX_SIZE) throw new ModeltestError({ what: `${name} is ${size} bytes, more than a ustar archive holds (8 GiB)`, fix: 'Pack the model yourself and pass --model-data s3://… instead of --upload.' })
  const block = Buffer.alloc(BLOCK)
  block.write(name, 0, 100, 'utf8')
  block.write('0000644\0', 100, 'ascii')
  block.write('0000000\0', 108, 'ascii')
  block.write('0000000\0', 116, 'ascii')
  block.write(size.toString(8).padStart(11, '0') + '\0', 124, 'ascii')
  block.write('00000000000\0', 136, 'ascii')
  block.write(' '.repeat(8), 148, 'ascii')
  block.write(type, 156, 'ascii')
  block.write('ustar\0' + '00', 257, 'ascii')
  let sum = 0
  for (const byte of block) sum += byte
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii')
  return block
}

/** A pax record, `<length> <key>=<value>\n`, whose length counts its own digits. */
function paxRecord(key: string, value: string): Buffer {
  const rest = Buffer.byteLength(` ${key}=${value}\n`)
  let length = rest + 1
  while (String(length).length + rest !== length) length = String(length).length + rest
  return Buffer.from(`${length} ${key}=${value}\n`, 'utf8')
}

/** Zeros up to the next 512-byte block. */
function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK)
}

/**
 * The regular files of a gzipped tar archive, by name (a leading `./` taken off), read into memory. Reads
 * what GNU tar and `tar czf` write: ustar names with a prefix, GNU long names (`L`) and pax `path` records.
 */
export async function readTarGz(compressed: Uint8Array, where: string): Promise<Map<string, Buffer>> {
  let archive: Buffer
  try {
    archive = await gunzipAsync(compressed)
  } catch (error) {
    throw new ModeltestError({
      what: `the artifact is not a gzipped tar archive (${(error as Error).message})`,
      where,
      fix: 'Give the model.tar.gz SageMaker loads (tar czf model.tar.gz -C <model folder> .), or let modeltest pack it with --upload.',
    })
  }
  const files = new Map<string, Buffer>()
  let longName: string | undefined
  for (let at = 0; at + BLOCK <= archive.length;) {
    const block = archive.subarray(at, at + BLOCK)
    if (block.every((byte) => byte === 0)) break
    const field = (start: number, length: number) => block.toString('utf8', start, start + length).replace(/\0.*$/s, '')
    const size = parseInt(field(124, 12).trim() || '0', 8)
    const type = field(156, 1) || '0'
    const body = archive.subarray(at + BLOCK, at + BLOCK + size)
    const prefix = field(257, 6) === 'ustar' ? field(345, 155) : ''
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100))
    longName = undefined
    if (type === 'L') longName = body.toString('utf8').replace(/\0.*$/s, '')
    else if (type === 'x') longName = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1]
    else if (type === '0' || type === '7') files.set(name.replace(/^(\.\/)+/, ''), Buffer.from(body))
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK
  }
  return files
}
