import { readdir, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { ModeltestError } from '../errors.js'

const TEST_FILE = /\.modeltest\.(ts|mts|js|mjs)$/
const SKIPPED_DIRECTORIES = new Set(['node_modules', 'dist', '.git', 'reports', '.modeltest'])

/** Every `*.modeltest.ts` file under the given paths (files are taken as they are), sorted. */
export async function findTestFiles(paths: readonly string[]): Promise<string[]> {
  const found = new Set<string>()
  for (const path of paths) {
    const absolute = resolve(path)
    const info = await stat(absolute).catch(() => undefined)
    if (!info) throw new ModeltestError({ what: `the path '${path}' does not exist`, fix: 'Give directories or *.modeltest.ts files that exist (relative to the current directory).' })
    if (info.isFile()) {
      if (!TEST_FILE.test(absolute)) throw new ModeltestError({ what: `'${path}' is not a modeltest file`, fix: 'Test files are named *.modeltest.ts (or .mts, .js, .mjs).' })
      found.add(absolute)
    } else {
      for (const file of await walk(absolute)) found.add(file)
    }
  }
  if (found.size === 0) {
    throw new ModeltestError({
      what: `no *.modeltest.ts files under ${paths.map((path) => `'${path}'`).join(', ')}`,
      fix: "Write one, for instance checks.modeltest.ts:\n    import { test, expect } from 'vitest'\n    import { dataset } from 'modeltest'\n    test('no nulls', async () => expect(await dataset('data/train.csv')).toHaveNoNulls())",
    })
  }
  return [...found].sort()
}

async function walk(directory: string): Promise<string[]> {
  const files: string[] = []
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name)
    if (entry.isDirectory() && !SKIPPED_DIRECTORIES.has(entry.name)) files.push(...(await walk(path)))
    else if (entry.isFile() && TEST_FILE.test(entry.name)) files.push(path)
  }
  return files
}
