import type { RunReport } from '../src/index.js'

/** The machine-readable verdict (`reports/modeltest.json`): the run report as it is, indented. */
export function renderJson(report: RunReport): string {
  return JSON.stringify(report, null, 2) + '\n'
}
