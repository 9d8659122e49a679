/**
 * vitest's own cost under the modeltest preset's choices (src/cli/preset.ts), side by side: the preset as it
 * is, then one option changed at a time (pool, isolation, file parallelism, the dependency optimiser, the
 * file-system transform cache, typechecking), each through `modeltest -c CONFIG` as a user's config would set
 * it. Two suites: examples/sentiment (one file, 13 checks) and 8 files copied from fixtures (4 that check
 * data only, 4 that load the example's model). Rounds alternate the variants, each round starting one
 * variant later; every variant gets one untimed warm-up run. Prints the median wall time and its ratio to
 * the preset's.
 *
 *   npx tsx bench/vitest-preset.ts      (RUNS=3; SUITES=example,eight and VARIANTS=threads,fsModuleCache to narrow
 *                                        it, the preset always included; run `npm run build` first)
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const runs = Number(process.env.RUNS ?? 3)
const suites = (process.env.SUITES ?? 'example,eight').split(',')
const work = mkdtempSync(join(tmpdir(), 'modeltest-preset-'))

/** vitest options layered over the preset, as a modeltest.config's `test`. */
const VARIANTS: Record<string, object> = {
  'preset (forks, isolate: false)': {},
  'pool: threads': { pool: 'threads' },
  'isolate: true': { isolate: true },
  'fileParallelism: false': { fileParallelism: false },
  'deps optimiser on (ssr)': { deps: { optimizer: { ssr: { enabled: true } } } },
  'experimental.fsModuleCache': { experimental: { fsModuleCache: true } },
  'typecheck on': { typecheck: { enabled: true } },
}

/** 8 test files: copies of the data-only and the shared-model fixtures, with their paths made absolute. */
function eightFiles(): string {
  const dir = mkdtempSync(join(work, 'eight-'))
  const absolute = (source: string) => source.replaceAll("'../../../", `'${repo}/`).replaceAll("'../../data/", `'${repo}/fixtures/data/`)
  const data = absolute(readFileSync(join(repo, 'fixtures', 'startup', 'data-only', 'data-only.modeltest.ts'), 'utf8'))
  const model = absolute(readFileSync(join(repo, 'fixtures', 'cli', 'shared-model', 'first.modeltest.ts'), 'utf8'))
  for (let i = 1; i <= 4; i++) {
    writeFileSync(join(dir, `data-${i}.modeltest.ts`), data)
    writeFileSync(join(dir, `model-${i}.modeltest.ts`), model)
  }
  return dir
}

const folders: Record<string, string> = { example: join(repo, 'examples', 'sentiment'), eight: suites.includes('eight') ? eightFiles() : '' }
const wanted = process.env.VARIANTS?.split(',')
const chosen = Object.entries(VARIANTS).filter(([name], i) => i === 0 || !wanted || wanted.some((word) => name.includes(word)))
const configs = chosen.map(([name, test], i) => {
  const path = join(work, `variant-${i}.mjs`)
  writeFileSync(path, `export default ${JSON.stringify({ test })}\n`)
  return { name, path }
})

/** Wall seconds of one modeltest run in `cwd` with `config`; throws unless the checks ran (a latency check may fail on a loaded machine). */
function time(cwd: string, config: string): number {
  const start = process.hrtime.bigint()
  const run = spawnSync(process.execPath, [join(repo, 'bin', 'modeltest.js'), '-c', config, '--no-junit', '--no-json', '--no-html', '--no-summary'], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  if (run.status === null || run.status > 1 || !run.stdout.includes('checks passed')) throw new Error(`modeltest -c ${config} in ${cwd} exited ${run.status}:\n${run.stderr}${run.stdout}`)
  return seconds
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

console.log(`${runs} alternated rounds, ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)}, node ${process.version}`)
for (const suite of suites) {
  const cwd = folders[suite]
  const times = configs.map(() => [] as number[])
  for (const config of configs) time(cwd, config.path) // warm-up: page cache, vite's and vitest's caches
  for (let round = 0; round < runs; round++) {
    for (let k = 0; k < configs.length; k++) {
      const i = (k + round) % configs.length
      times[i].push(time(cwd, configs[i].path))
    }
  }
  const preset = median(times[0])
  console.log(`\n${suite === 'example' ? 'examples/sentiment (1 file)' : '8 files (4 data-only, 4 loading a model)'}\n| variant | median | ÷ preset |\n|---|---|---|`)
  configs.forEach((config, i) => console.log(`| ${config.name} | ${median(times[i]).toFixed(2)} s | ${(median(times[i]) / preset).toFixed(2)}× |`))
}
console.log(`\nload average at the end ${loadavg()[0].toFixed(1)}`)
