import { readdir, readFile, stat } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { ModeltestError } from '../errors.js'
import { isShardResult, mergeShards, type ShardResult } from '../shards.js'
import type { RunReport } from '../report.js'
import { checkReportContent } from '../report-schema.js'

/** The name a --shard run gives its result: shard-2-of-3.json. */
const SHARD_FILE = /^shard-.*\.json$/

/** The run report of every shard result (`shard-*.json`) under `dir`, in any depth of folders. */
export async function mergeShardFolder(dir: string): Promise<RunReport> {
  const root = resolve(dir)
  if (!(await stat(root).catch(() => undefined))?.isDirectory()) throw new ModeltestError({ what: `'${dir}' is not a folder`, fix: 'Give the folder the --shard runs wrote to (reports/shards), or where CI downloaded their artifacts.' })
  const shards: ShardResult[] = []
  for (const file of await jsonFiles(root)) {
    let content: unknown
    try {
      content = JSON.parse(await readFile(file, 'utf8'))
    } catch (error) {
      throw new ModeltestError({ what: `not JSON (${(error as Error).message})`, where: file, fix: 'Remove files that are not shard results from the folder, or download the artifact again.' })
    }
    // A file named as a shard result must be one; other JSON files in an artifact folder are left alone.
    if (isShardResult(content) || SHARD_FILE.test(basename(file))) shards.push(checkReportContent(content, file, 'shard'))
  }
  return mergeShards(shards, dir)
}

async function jsonFiles(dir: string): Promise<string[]> {
  const files: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) files.push(...(await jsonFiles(path)))
    else if (entry.isFile() && entry.name.endsWith('.json')) files.push(path)
  }
  return files.sort()
}
