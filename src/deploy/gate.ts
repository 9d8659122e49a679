import { readReport } from '../baseline.js'
import { ModeltestError } from '../errors.js'
import { modelFileHash } from '../models/model.js'
import type { RunReport } from '../report.js'

export interface GateOptions {
  /** The JSON report of the modeltest run that checked the model (`reports/modeltest.json`). */
  report: string
  /** The model file to ship; its hash must be among the models the report checked. */
  model: string
  /**
   * Ship without a passed report for this model. Meant for emergencies (a rollback to a model
   * checked long ago); it is logged loudly.
   */
  override?: boolean
  /** Where the log lines go; stderr by default. */
  log?: (line: string) => void
}

export interface GateResult {
  modelHash: string
  /** The report that passed, or undefined when the gate was overridden. */
  report?: RunReport
  overridden: boolean
}

/**
 * The gate in front of every deploy command: a modeltest JSON report must say `passed: true`, and
 * list a model with the same content hash as the file about to be shipped, so that a model changed
 * after its tests cannot slip through on an old report.
 */
export async function requirePassedReport(options: GateOptions): Promise<GateResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'))
  const modelHash = await modelFileHash(options.model)
  try {
    const report = await readReport(options.report, 'modeltest report')
    checkReport(report, modelHash, options)
    log(`modeltest gate: ${options.report} passed ${report.summary.checks} checks on ${options.model} (${modelHash.slice(0, 12)}), run ${report.startedAt}`)
    return { modelHash, report, overridden: false }
  } catch (error) {
    if (!options.override) throw error
    const banner = '!'.repeat(100)
    log(
      [banner, `!!! modeltest gate OVERRIDDEN: shipping ${options.model} (${modelHash.slice(0, 12)}) WITHOUT a passed modeltest report.`, `!!! Why the gate would have refused: ${(error as Error).message.split('\n')[0]}`, banner].join('\n'),
    )
    return { modelHash, overridden: true }
  }
}

function checkReport(report: RunReport, modelHash: string, options: GateOptions): void {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-boolean-literal-compare -- the report is read from a file: only a literal true passes
  if (report.passed !== true) {
    const failed = report.tests.flatMap((test) => test.checks.filter((check) => !check.passed).map((check) => check.name))
    throw new ModeltestError({
      what: `the modeltest report says passed: false${failed.length > 0 ? ` (failed: ${[...new Set(failed)].join(', ')})` : report.problems.length > 0 ? ` (${report.problems[0]})` : ''}`,
      where: options.report,
      fix: 'Only a model whose tests passed is deployed: fix the model or the data and run modeltest again.',
    })
  }
  const models = report.models ?? []
  if (!models.some((model) => model.hash === modelHash)) {
    throw new ModeltestError({
      what: `the report did not check this model: ${options.model} has hash ${modelHash.slice(0, 12)}, the report checked ${models.length > 0 ? models.map((model) => `${model.name} (${model.hash.slice(0, 12)})`).join(', ') : 'no model'}`,
      where: options.report,
      fix: 'Run modeltest on the model you deploy (the model file changed after its tests, or the report belongs to another run).',
    })
  }
}
