// One temporary folder per test run, removed at its end: every temporary file of the tests and of the CLI
// processes they start (which inherit TMPDIR) lands under it, so a run leaves nothing behind in the system's /tmp.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export default async function setup(): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'modeltest-tests-'))
  process.env.TMPDIR = root
  return () => rm(root, { recursive: true, force: true })
}
