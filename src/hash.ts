import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'

/** SHA-256 of a file's bytes, read as a stream so that large files need no memory. */
export async function hashFile(path: string): Promise<string> {
  return hashFiles([path])
}

/** SHA-256 over several files' bytes in the given order (a model's JSON and its weight shards). */
export async function hashFiles(paths: readonly string[]): Promise<string> {
  const hash = createHash('sha256')
  // 1 MiB reads into one buffer: small chunks double the time on large files, and a fresh buffer per chunk
  // (as a read stream makes) leaves the garbage collector work on every validation.
  const buffer = Buffer.allocUnsafe(1 << 20)
  for (const path of paths) {
    const file = await open(path, 'r')
    try {
      for (;;) {
        const { bytesRead } = await file.read(buffer, 0, buffer.length)
        if (bytesRead === 0) break
        hash.update(buffer.subarray(0, bytesRead))
      }
    } finally {
      await file.close()
    }
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
