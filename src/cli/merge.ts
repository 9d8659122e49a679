import { readdir, readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { ModeltestError } from '../errors.js'
import { isShardResult, mergeShards, type RunReport, type ShardResult } from '../index.js'

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
    if (isShardResult(content)) shards.push(content)
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
