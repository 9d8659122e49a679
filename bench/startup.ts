/**
 * Start-up costs, from fresh processes, in alternated runs: `node -e 0`, the CLI entry (`modeltest --version`,
 * and through `npx`, which adds npm's own start-up),
 * `import('modeltest')`, vitest on an empty test file, and modeltest with one data check
 * (fixtures/startup/data-only). With `--before COMMIT` the modeltest rows also run that commit's build (exported
 * to a temporary folder and compiled there) and print before ÷ after; the runs of both sides alternate, the
 * before side first on odd rounds. Each row prints the median wall time and its ratio to `node -e 0`.
 *
 *   npx tsx bench/startup.ts [--before 48f19c6]      (RUNS=7; run `npm run build` first)
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
/** npm's npx, run with this node: it finds the package's own bin in its folder. */
const npx = realpathSync(execFileSync('sh', ['-c', 'command -v npx'], { encoding: 'utf8' }).trim())
const runs = Number(process.env.RUNS ?? 7)
const beforeIndex = process.argv.indexOf('--before')
const before = beforeIndex > 0 ? buildCommit(process.argv[beforeIndex + 1]) : undefined

/** One command to time: argv after `node`, and its folder. */
interface Command {
  args: string[]
  cwd: string
}

/** A commit's tree, compiled, in a temporary folder that shares this checkout's node_modules. */
function buildCommit(commit: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'modeltest-startup-'))
  execFileSync('sh', ['-c', `git -C "${repo}" archive "${commit}" | tar -x -C "${dir}"`])
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'))
  execFileSync(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')], { stdio: 'inherit' })
  return dir
}

/** A folder with one empty vitest test file, resolving vitest from this checkout. */
function emptySuite(): string {
  const dir = mkdtempSync(join(tmpdir(), 'modeltest-empty-'))
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'))
  writeFileSync(join(dir, 'empty.test.mjs'), "import { test } from 'vitest'\ntest('empty', () => {})\n")
  return dir
}

/** The modeltest commands of a build (this checkout, or `--before`'s). */
function modeltestCommands(root: string): Record<string, Command> {
  const bin = join(root, 'bin', 'modeltest.js')
  const index = pathToFileURL(join(root, 'dist', 'src', 'index.js')).href
  return {
    'modeltest --version': { args: [bin, '--version'], cwd: repo },
    'npx modeltest --version': { args: [npx, '--offline', 'modeltest', '--version'], cwd: root },
    "import('modeltest')": { args: ['--input-type=module', '-e', `await import(${JSON.stringify(index)})`], cwd: repo },
    'modeltest, one data check': { args: [bin, '--no-junit', '--no-json', '--no-html', '--no-summary'], cwd: join(repo, 'fixtures', 'startup', 'data-only') },
  }
}

/** Wall seconds of one run; throws when the command fails. */
function time(command: Command): number {
  const start = process.hrtime.bigint()
  const run = spawnSync(process.execPath, command.args, { cwd: command.cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  if (run.status !== 0) throw new Error(`node ${command.args.join(' ')} exited ${run.status}:\n${run.stderr}${run.stdout}`)
  return seconds
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

const after = modeltestCommands(repo)
const earlier = before ? modeltestCommands(before) : {}
const rows: Record<string, Command> = {
  'node -e 0': { args: ['-e', '0'], cwd: repo },
  ...after,
  'vitest, one empty file': { args: [join(repo, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], cwd: emptySuite() },
}
const times: Record<string, number[]> = {}
const beforeTimes: Record<string, number[]> = {}
for (const name of Object.keys(rows)) times[name] = []
for (const name of Object.keys(earlier)) beforeTimes[name] = []

console.log(`${runs} alternated rounds, ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)}, node ${process.version}`)
for (const command of [...Object.values(rows), ...Object.values(earlier)]) time(command) // warm-up: page cache, vite's cache
for (let round = 1; round <= runs; round++) {
  for (const [name, command] of Object.entries(rows)) {
    const previous = earlier[name]
    if (previous && round % 2 === 1) beforeTimes[name].push(time(previous))
    times[name].push(time(command))
    if (previous && round % 2 === 0) beforeTimes[name].push(time(previous))
  }
}

const floor = median(times['node -e 0'])
console.log(`\n| start-up | median | ÷ node -e 0 |${before ? ' before | before ÷ after |' : ''}`)
console.log(`|---|---|---|${before ? '---|---|' : ''}`)
for (const name of Object.keys(rows)) {
  const seconds = median(times[name])
  const then = beforeTimes[name] ? median(beforeTimes[name]) : undefined
  const columns = [name, `${seconds.toFixed(2)} s`, `${(seconds / floor).toFixed(1)}×`]
  if (before) columns.push(then === undefined ? '' : `${then.toFixed(2)} s`, then === undefined ? '' : `${(then / seconds).toFixed(2)}×`)
  console.log(`| ${columns.join(' | ')} |`)
}
console.log(`\nload average at the end ${loadavg()[0].toFixed(1)}`)
