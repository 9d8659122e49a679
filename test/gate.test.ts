import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { modelFileHash, requirePassedReport } from '../src/index.js'
import { fixturesDir, rejection, reportFile, tempDir } from './helpers.js'

const onnx = join(fixturesDir, 'models', 'penguins.onnx')
const tfjs = join(fixturesDir, 'models', 'graph-linear')

describe('the deploy gate', () => {
  test('hashes a model file as model() does: an ONNX file, a tfjs model.json with its weights', async () => {
    expect(await modelFileHash(onnx)).toMatch(/^[0-9a-f]{64}$/)
    expect(await modelFileHash(tfjs)).toBe(await modelFileHash(join(tfjs, 'model.json')))
    expect((await rejection(modelFileHash(join(fixturesDir, 'models', 'missing.onnx')))).message).toMatch(/no ONNX model file here/)
  })

  test('lets through a model whose report passed', async () => {
    const lines: string[] = []
    const result = await requirePassedReport({ report: await reportFile(true, await modelFileHash(onnx)), model: onnx, log: (line) => lines.push(line) })
    expect(result.overridden).toBe(false)
    expect(lines[0]).toMatch(/passed 1 checks on .*penguins\.onnx/)
  })

  test('refuses a failed report, naming what failed', async () => {
    const error = await rejection(requirePassedReport({ report: await reportFile(false, await modelFileHash(onnx)), model: onnx, log: () => {} }))
    expect(error.message).toMatch(/the modeltest report says passed: false \(failed: accuracy_threshold\)/)
  })

  test('refuses a passed report of another model: the file changed after its tests', async () => {
    const error = await rejection(requirePassedReport({ report: await reportFile(true, 'f'.repeat(64)), model: onnx, log: () => {} }))
    expect(error.message).toMatch(/the report did not check this model: .*penguins\.onnx has hash [0-9a-f]{12}, the report checked models\/candidate\.onnx \(ffffffffffff\)/)
  })

  test('refuses a missing report; an override ships anyway and says so loudly', async () => {
    const missing = join(await tempDir(), 'none.json')
    expect((await rejection(requirePassedReport({ report: missing, model: onnx, log: () => {} }))).message).toMatch(/cannot read the modeltest report/)
    const lines: string[] = []
    const result = await requirePassedReport({ report: missing, model: onnx, override: true, log: (line) => lines.push(line) })
    expect(result.overridden).toBe(true)
    expect(result.report).toBeUndefined()
    expect(lines.join('\n')).toMatch(/!!! modeltest gate OVERRIDDEN: shipping .*penguins\.onnx \([0-9a-f]{12}\) WITHOUT a passed modeltest report\.\n!!! Why the gate would have refused: .*cannot read the modeltest report/)
  })
})
