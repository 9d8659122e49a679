/**
 * The GPU check: `node --import tsx bench/gpu/run.ts [--out results.json]` on a machine with an NVIDIA GPU
 * (it also runs without one, and says why webgpu did not run). For each backend (webgpu, wasm, cpu) it
 * runs the example suite through the CLI, then bench/gpu/measure.ts in a process of its own, and prints
 * one Markdown table: latency p50/p95/p99 at batch 1, throughput, the largest difference of the outputs
 * from the cpu backend's, and GPU memory. Nothing here passes or fails: it measures.
 */
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Figures } from './measure.js'
import { renderTable } from './table.js'

const BACKENDS = ['webgpu', 'wasm', 'cpu']
const root = join(import.meta.dirname, '..', '..')
const out = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : undefined

function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string; seconds: number }> {
  const started = performance.now()
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, seconds: (performance.now() - started) / 1000 })
    })
  })
}

/** The example suite on one backend: the CLI's verdict line and its time. */
async function exampleSuite(backend: string): Promise<string> {
  const result = await run([join(root, 'bin', 'modeltest.js'), '--backend', backend, '--no-cache', '--no-junit', '--no-json', '--no-html'], join(root, 'examples', 'sentiment'))
  if (result.code === 2) return 'cannot run'
  const verdict = /(\d+)\/(\d+) checks passed/.exec(result.stdout)
  return `${result.code === 0 ? 'passed' : 'FAILED'}${verdict ? ` ${verdict[1]}/${verdict[2]} checks` : ''} in ${result.seconds.toFixed(1)} s`
}

async function figures(backend: string): Promise<Figures> {
  const result = await run(['--import', 'tsx', join(import.meta.dirname, 'measure.ts'), backend], root)
  const line = result.stdout.trim().split('\n').at(-1)
  if (result.code !== 0 || !line) throw new Error(`measure.ts ${backend} failed (exit ${result.code}):\n${result.stderr}`)
  return JSON.parse(line) as Figures
}

const results: (Figures & { suite: string })[] = []
for (const backend of BACKENDS) results.push({ ...(await figures(backend)), suite: await exampleSuite(backend) })

const lines = renderTable(results)
process.stdout.write(lines.join('\n') + '\n')
if (out) await writeFile(out, JSON.stringify(results, null, 2) + '\n')
