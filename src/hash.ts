import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'

/** SHA-256 of a file's bytes, read as a stream so that large files need no memory. */
export async function hashFile(path: string): Promise<string> {
  return hashFiles([path])
}

/** SHA-256 over several files' bytes in the given order (a model's JSON and its weight shards). */
export async function hashFiles(paths: readonly string[]): Promise<string> {
  const hash = createHash('sha256')
  for (const path of paths) {
    // 1 MiB reads: with the default 64 KiB, per-chunk overhead doubles the time on large files.
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer)
  }
  return hash.digest('hex')
}

export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** The short form the tutorial prints: the first 16 hex digits. */
export function shortHash(hash: string): string {
  return hash.slice(0, 16)
}
