import { lstat, mkdir, open, readdir, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** A file to replace, with its whole new content. */
export interface FileContent {
  path: string
  content: string
}

/** A file that could not be written, with why, in words (`the disk is full (ENOSPC)`). */
export interface UnwrittenFile {
  path: string
  reason: string
}

/**
 * Replaces a set of files, each one whole. Every file is first written in full to a temporary file
 * in its own folder and flushed to disk; only when all of them are written are they renamed over
 * the old ones, in the order given. A rename within a folder is atomic, so at every moment each
 * path holds either its old content or its complete new one, never a part. A process killed before
 * the renames leaves every old file in place; one killed during them (a few rename calls, no data
 * written) leaves the first files of the order new and the rest old: callers put last the file that
 * marks the set as new. A file that cannot be written is reported and the others are still written.
 */
export async function replaceFiles(files: readonly FileContent[]): Promise<{ written: string[]; unwritten: UnwrittenFile[] }> {
  const unwritten: UnwrittenFile[] = []
  const staged: { path: string; temporary: string }[] = []
  for (const file of files) {
    try {
      staged.push({ path: file.path, temporary: await writeAside(file) })
    } catch (error) {
      unwritten.push({ path: file.path, reason: writeFailure(error) })
    }
  }
  const written: string[] = []
  for (const file of staged) {
    try {
      await rename(file.temporary, file.path)
      written.push(file.path)
    } catch (error) {
      await rm(file.temporary, { force: true })
      unwritten.push({ path: file.path, reason: writeFailure(error) })
    }
  }
  // The renames themselves reach the disk only with their folders.
  for (const folder of new Set(written.map((path) => dirname(path)))) await syncFolder(folder)
  return { written, unwritten }
}

/** Writes the content to a temporary file beside its path, flushed to disk; returns the temporary's path. */
async function writeAside({ path, content }: FileContent): Promise<string> {
  const folder = dirname(path)
  await mkdir(folder, { recursive: true }).catch((error: unknown) => {
    // mkdir says EEXIST when the folder's own name is taken by a file.
    throw (error as NodeJS.ErrnoException).code === 'EEXIST' ? Object.assign(new Error(`${folder} is a file`), { code: 'ENOTDIR' }) : error
  })
  // Found before anything is written: a rename onto a folder would fail only after the other files were replaced.
  if ((await lstat(path).catch(() => undefined))?.isDirectory()) throw Object.assign(new Error(`${path} is a folder`), { code: 'EISDIR' })
  await removeAbandoned(path)
  const temporary = join(folder, `.${basename(path)}.${process.pid}.tmp`)
  const handle = await open(temporary, 'w')
  try {
    await handle.writeFile(content)
    await handle.sync()
  } catch (error) {
    await handle.close()
    await rm(temporary, { force: true })
    throw error
  }
  await handle.close()
  return temporary
}

/** Temporaries of this path left by a process that was killed while writing it (its pid no longer runs). */
async function removeAbandoned(path: string): Promise<void> {
  const prefix = `.${basename(path)}.`
  for (const name of await readdir(dirname(path))) {
    const pid = name.startsWith(prefix) && name.endsWith('.tmp') ? Number(name.slice(prefix.length, -'.tmp'.length)) : NaN
    if (Number.isInteger(pid) && pid !== process.pid && !isRunning(pid)) await rm(join(dirname(path), name), { force: true })
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r').catch(() => undefined)
  // Some file systems cannot sync a folder; the renames are then as durable as they can be made.
  await handle?.sync().catch(() => undefined)
  await handle?.close()
}

const REASONS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EISDIR: 'a folder is in the way',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENAMETOOLONG: 'the name is too long',
}

/** Why a write failed, in words, with the system's code. */
export function writeFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  return code && REASONS[code] ? `${REASONS[code]} (${code})` : ((error as Error).message ?? String(error))
}
