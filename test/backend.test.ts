import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { BACKENDS, chooseBackend, describeAdapter, tf, type Candidate, type RunReport, type Unavailable } from '../src/index.js'
import { exampleDir, fixturesDir, rejection, runCli, tempDir } from './helpers.js'

// The selection logic with stand-in candidates: each says what it lacks, or runs on tfjs's cpu backend, so
// that every path (a GPU found, a package missing, no Vulkan loader, no adapter, a forced backend) is tested
// on a machine without a GPU.
const H200 = { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' }
const notInstalled = (name: string): Unavailable => ({ installed: false, missing: `'${name}' is not installed`, fix: `npm install --save-dev ${name}` })
const noLoader: Unavailable = { installed: true, missing: 'the Vulkan loader (libvulkan.so.1) is not installed', fix: 'apt-get install libvulkan1' }
const noAdapter: Unavailable = { installed: true, missing: 'Vulkan found no GPU adapter', fix: 'Install the NVIDIA driver with its Vulkan ICD.' }

/** The five candidates in modeltest's order; each given outcome replaces a backend that would otherwise run (on tfjs's cpu). */
function candidates(outcomes: Partial<Record<(typeof BACKENDS)[number], Unavailable | { adapter?: typeof H200 }>>): Candidate[] {
  return BACKENDS.map((id) => ({ id, backend: 'cpu', package: `pkg-${id}`, gpu: id === 'webgpu' || id === 'tfjs-node-gpu', prepare: async () => outcomes[id] ?? {} }))
}

describe('choosing the tfjs backend', () => {
  test('the first that runs wins, in order: tfjs-node-gpu, webgpu, tfjs-node, wasm, cpu', async () => {
    expect(BACKENDS).toEqual(['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu'])
    const gpu = await chooseBackend(candidates({ 'tfjs-node-gpu': notInstalled('@tensorflow/tfjs-node-gpu'), webgpu: { adapter: H200 } }))
    expect(gpu).toEqual({ backend: 'cpu', id: 'webgpu', package: 'pkg-webgpu', gpu: true, adapter: H200, forced: false, skipped: [] })
    expect(describeAdapter(gpu.adapter!)).toBe('nvidia hopper, NVIDIA H200')
  })

  test('packages not installed are passed over quietly; installed ones that cannot run are noted with the reason', async () => {
    const chosen = await chooseBackend(candidates({ 'tfjs-node-gpu': notInstalled('@tensorflow/tfjs-node-gpu'), webgpu: noAdapter, 'tfjs-node': notInstalled('@tensorflow/tfjs-node') }))
    expect(chosen).toMatchObject({ id: 'wasm', gpu: false, skipped: ['webgpu: Vulkan found no GPU adapter'] })
    const failing = candidates({ 'tfjs-node-gpu': notInstalled('@tensorflow/tfjs-node-gpu') })
    failing[1].prepare = async () => {
      throw new Error('libcudart.so.11.0: cannot open shared object file\nstack…')
    }
    expect((await chooseBackend(failing)).skipped).toEqual(['webgpu: libcudart.so.11.0: cannot open shared object file'])
  })

  test('a forced backend runs, or is an error that says what is missing and how to get it', async () => {
    expect(await chooseBackend(candidates({}), 'cpu')).toMatchObject({ id: 'cpu', forced: true })
    const missingPackage = await rejection(chooseBackend(candidates({ webgpu: notInstalled('webgpu') }), 'webgpu'))
    expect(missingPackage.message).toBe("--backend webgpu: the tfjs backend 'webgpu' cannot run here: 'webgpu' is not installed\n  npm install --save-dev webgpu")
    expect((await rejection(chooseBackend(candidates({ webgpu: noLoader }), 'webgpu'))).message).toMatch(/cannot run here: the Vulkan loader \(libvulkan\.so\.1\) is not installed\n {2}apt-get install libvulkan1/)
    expect((await rejection(chooseBackend(candidates({ webgpu: noAdapter }), 'webgpu'))).message).toMatch(/cannot run here: Vulkan found no GPU adapter\n {2}Install the NVIDIA driver/)
    expect((await rejection(chooseBackend(candidates({}), 'cuda'))).message).toBe("unknown tfjs backend 'cuda'\n  Use one of 'tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm' and 'cpu'.")
  })

  test('the real webgpu candidate on this machine: used with a GPU, else a reason that names what is missing', async () => {
    const { CANDIDATES } = await import('../src/models/tfjs-runtime.js')
    const webgpu = CANDIDATES.find((candidate) => candidate.id === 'webgpu')!
    const prepared = await webgpu.prepare()
    if ('missing' in prepared) expect(prepared.missing).toMatch(/^(the Vulkan loader \(libvulkan\.so\.1\) is not installed|Vulkan found no GPU adapter|no GPU device on this machine \(\/dev\/nvidia\*, \/dev\/dri\/renderD\*, \/dev\/dxg\))$/)
    else expect(prepared.adapter?.vendor).toBeTruthy()
    expect(tf.getBackend()).not.toBe('webgpu')
  })
})

describe('modeltest --backend and --print-backend', () => {
  test('--print-backend names the backend and why faster ones are not used', async () => {
    const auto = await runCli(['--print-backend'], fixturesDir)
    expect(auto.code).toBe(0)
    expect(auto.stdout).toMatch(/^tfjs backend: (wasm \(@tensorflow\/tfjs-backend-wasm\)\nnot used: webgpu: .+|webgpu \(.+\) on the GPU\nadapter: .+)\n$/)
    const cpu = await runCli(['--backend', 'cpu', '--print-backend'], fixturesDir)
    expect(cpu.stdout).toBe('tfjs backend: cpu (@tensorflow/tfjs-backend-cpu, chosen with --backend)\n')
  })

  test('a backend that cannot run, or an unknown one, stops the run with exit 2 before any test', async () => {
    const unknown = await runCli(['--backend', 'cuda', 'vitest-preset'], fixturesDir)
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("modeltest: unknown tfjs backend 'cuda'")
    const absent = await runCli(['--backend', 'tfjs-node', 'vitest-preset'], fixturesDir)
    expect(absent.code).toBe(2)
    expect(absent.stderr).toContain("modeltest: --backend tfjs-node: the tfjs backend 'tfjs-node' cannot run here: '@tensorflow/tfjs-node' is not installed\n  npm install --save-dev @tensorflow/tfjs-node")
  })

  test('the example suite runs on the forced backend, and the report names it', async () => {
    const json = join(await tempDir(), 'modeltest.json')
    const result = await runCli(['--backend', 'cpu', '--no-junit', '--no-html', '--json', json], exampleDir)
    expect(result.code, result.stdout + result.stderr).toBe(0)
    const report = JSON.parse(await readFile(json, 'utf8')) as RunReport
    expect(report.models.filter((model) => model.runtime?.startsWith('tfjs')).map((model) => model.runtime)).toEqual(['tfjs-layers on cpu', 'tfjs-layers on cpu'])
  }, 120_000)
})

/** The example model's scores on the holdout, computed by the CLI on one backend. */
async function exampleOutputs(backend: string): Promise<{ runtime: { backend: string; adapter?: string }; values: number[] }> {
  const outputs = join(await tempDir(), `${backend}.json`)
  const result = await runCli(['--backend', backend, '--no-cache', '--no-junit', '--no-json', '--no-html'], join(fixturesDir, 'backends'), { MODELTEST_OUTPUTS: outputs })
  expect(result.code, result.stdout + result.stderr).toBe(0)
  return JSON.parse(await readFile(outputs, 'utf8'))
}

// Runs where the webgpu backend can run (a GPU with Vulkan); on CI without one it is skipped, and the tests above
// prove the selection and its messages instead.
const webgpuHere = (await runCli(['--backend', 'webgpu', '--print-backend'], fixturesDir)).code === 0

/** The largest absolute difference between two backends' scores of the same rows. */
function largestDifference(a: number[], b: number[]): number {
  expect(b).toHaveLength(a.length)
  return Math.max(...a.map((value, i) => Math.abs(value - b[i])))
}

test("the example model's outputs on wasm equal the cpu backend's within 1e-5", async () => {
  const [cpu, wasm] = [await exampleOutputs('cpu'), await exampleOutputs('wasm')]
  expect([cpu.runtime.backend, wasm.runtime.backend]).toEqual(['cpu', 'wasm'])
  expect(cpu.values.length).toBeGreaterThan(1000)
  expect(largestDifference(cpu.values, wasm.values)).toBeLessThanOrEqual(1e-5)
}, 120_000)

describe.skipIf(!webgpuHere)('the same numbers on every backend', () => {
  test("the example model's outputs on webgpu equal the cpu backend's within 1e-5", async () => {
    const [cpu, webgpu] = [await exampleOutputs('cpu'), await exampleOutputs('webgpu')]
    expect(webgpu.runtime.backend).toBe('webgpu')
    expect(webgpu.runtime.adapter).toBeTruthy()
    expect(largestDifference(cpu.values, webgpu.values)).toBeLessThanOrEqual(1e-5)
  }, 120_000)
})
