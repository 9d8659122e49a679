import { createRequire } from 'node:module'
import { ModeltestError } from './errors.js'
import { schemaProblem, type JsonSchema } from './json-schema.js'
import type { RunReport } from './report.js'
import type { ShardResult } from './shards.js'

/** The format this modeltest writes and reads; a report names it in its `format` field. */
const REPORT_FORMAT = 'modeltest-report/1'

let schema: JsonSchema | undefined

/**
 * The JSON Schema of modeltest's JSON report, as the package publishes it
 * (`modeltest/schema/modeltest-report.schema.json`); `$defs.shard` is a shard result's.
 */
export function reportSchema(): JsonSchema {
  // Resolved through the package's own exports: the same file from src/ (tests) and from dist/.
  schema ??= createRequire(import.meta.url)('modeltest/schema/modeltest-report.schema.json') as JsonSchema
  return schema
}

/**
 * `content` (parsed from `file`) as a complete report of `kind`, or a ModeltestError naming the first
 * missing or wrong field: `file: not a complete modeltest report (missing tests[0].checks)`. A report
 * of another format version says so, rather than which field differs.
 */
export function checkReportContent(content: unknown, file: string, kind: 'report'): RunReport
export function checkReportContent(content: unknown, file: string, kind: 'shard'): ShardResult
export function checkReportContent(content: unknown, file: string, kind: 'report' | 'shard'): RunReport | ShardResult {
  const root = reportSchema()
  const expected = kind === 'report' ? REPORT_FORMAT : 'modeltest-shard/1'
  const format = (content as { format?: unknown } | null)?.format
  const family = expected.split('/')[0]
  if (typeof format === 'string' && format.startsWith(`${family}/`) && format !== expected) {
    throw new ModeltestError({ what: `written by another version of modeltest (format ${format}; this one reads ${expected})`, where: file, fix: 'Read it with the modeltest version that wrote it, or run the tests again with this one.' })
  }
  const problem = schemaProblem(content, kind === 'report' ? root : root.$defs!.shard, root)
  if (problem) {
    throw new ModeltestError({
      what: `not a complete modeltest ${kind === 'report' ? 'report' : 'shard result'} (${problem})`,
      where: file,
      fix: kind === 'report' ? 'Give the reports/modeltest.json an earlier modeltest run wrote, whole (a download cut short leaves it incomplete).' : 'Remove it from the folder, or download the shard artifacts again.',
    })
  }
  return content as RunReport | ShardResult
}
