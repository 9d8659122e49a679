import { open } from 'node:fs/promises'
import { ModeltestError } from '../errors.js'

const SAMPLE_BYTES = 64 * 1024

/**
 * Looks at the start of a text data file before any parser does: an empty file, a binary file
 * (a NUL byte) and text that is not UTF-8 are refused with the line of the first bad byte.
 */
export async function checkTextStart(path: string, label: string, format: string): Promise<void> {
  const handle = await open(path, 'r')
  let bytes: Uint8Array
  try {
    const buffer = Buffer.alloc(SAMPLE_BYTES)
    const { bytesRead } = await handle.read(buffer, 0, SAMPLE_BYTES, 0)
    bytes = buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
  if (bytes.length === 0) throw new ModeltestError({ what: 'the file is empty', where: label, fix: 'Write a header row and at least one data row.' })
  const nul = bytes.indexOf(0)
  if (nul >= 0) {
    throw new ModeltestError({
      what: `the file is binary (a NUL byte at offset ${nul}), not ${format.toUpperCase()} text`,
      where: label,
      fix: `Check that this is the ${format.toUpperCase()} file meant, or pass { format } to dataset() if it is another format (parquet, arrow).`,
    })
  }
  const bad = firstInvalidUtf8(bytes)
  if (bad >= 0) {
    const line = 1 + bytes.subarray(0, bad).filter((byte) => byte === 10).length
    throw new ModeltestError({
      what: `the file is not UTF-8 text (byte 0x${bytes[bad].toString(16)} at offset ${bad})`,
      where: `${label}, line ${line}`,
      fix: 'Convert it to UTF-8, for instance: iconv -f latin1 -t utf-8 in.csv > out.csv',
    })
  }
}

/** The offset of the first byte that breaks UTF-8, or −1; a sequence cut off by the sample's end is fine. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const byte = bytes[i]
    const length = byte < 0x80 ? 1 : byte >= 0xc2 && byte < 0xe0 ? 2 : byte >= 0xe0 && byte < 0xf0 ? 3 : byte >= 0xf0 && byte < 0xf5 ? 4 : 0
    if (length === 0) return i
    for (let k = 1; k < length; k++) {
      if (i + k >= bytes.length) return -1
      if ((bytes[i + k] & 0xc0) !== 0x80) return i
    }
    i += length
  }
  return -1
}

/** Checks a binary format's magic bytes, so that a CSV named .parquet gets a clear message. */
export async function checkMagic(path: string, label: string, format: 'parquet' | 'arrow'): Promise<void> {
  const handle = await open(path, 'r')
  try {
    const { size } = await handle.stat()
    if (size === 0) throw new ModeltestError({ what: 'the file is empty', where: label, fix: `Write the ${format} file again.` })
    const head = Buffer.alloc(6)
    await handle.read(head, 0, 6, 0)
    const ok = format === 'parquet' ? head.subarray(0, 4).toString('latin1') === 'PAR1' : head.toString('latin1') === 'ARROW1' || head.readUInt32LE(0) === 0xffffffff
    if (!ok) {
      throw new ModeltestError({
        what: `not a ${format === 'parquet' ? 'Parquet' : 'Arrow IPC'} file (its first bytes are not the format's magic number)`,
        where: label,
        fix: 'Check the file, or name it after its real format (.csv, .tsv, .jsonl, .json, .parquet, .arrow).',
      })
    }
    // Parquet and the Arrow file format (not the stream format) end with their magic number after the footer: a file cut short lacks it.
    const tail = Buffer.alloc(6)
    await handle.read(tail, 0, 6, Math.max(0, size - 6))
    const footed = format === 'parquet' ? tail.subarray(2).toString('latin1') === 'PAR1' && size >= 8 : head.toString('latin1') !== 'ARROW1' || (tail.toString('latin1') === 'ARROW1' && size >= 12)
    if (!footed) throw truncatedFile(label, size, format)
  } finally {
    await handle.close()
  }
}

/** The error for a Parquet or Arrow file that ends before its last record batch or its footer. */
export function truncatedFile(label: string, size: number, format: 'parquet' | 'arrow', cause?: unknown): ModeltestError {
  return new ModeltestError({
    what: `the ${format === 'parquet' ? 'Parquet' : 'Arrow'} file is truncated: it ends after ${size} bytes, in the middle of its data or before its footer`,
    where: label,
    fix: 'Copy or write the file again completely (an interrupted download or write leaves it cut short).',
    cause,
  })
}
