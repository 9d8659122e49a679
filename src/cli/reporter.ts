import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, relative, resolve } from 'node:path'
import type { Reporter, SerializedError, TestCase, TestModule, Vitest } from 'vitest/node'
import { buildReport, type CheckRecord, type RunReport, type TestOutcome } from '../index.js'
import { renderConsole, renderJUnit, renderJson } from '../../reporters/index.js'
import { toolVersions } from './versions.js'

export interface ReportOptions {
  /** JUnit XML path, relative to the run's root; `false` writes none. Default `reports/junit.xml`. */
  junit?: string | false
  /** JSON report path; `false` writes none. Default `reports/modeltest.json`. */
  json?: string | false
  /** Self-contained HTML report with plots; `false` writes none. Default `reports/modeltest.html`. */
  html?: string | false
  /** Markdown job summary: the file to append to. Default `$GITHUB_STEP_SUMMARY` when set, else none. */
  summary?: string | false
  /** A JSON report of an earlier run (the last run on main) to compare every check against. */
  baselineReport?: string
  /** Colour in the console summary; by default on a TTY unless NO_COLOR is set. */
  color?: boolean
}

/**
 * The vitest reporter of the preset: turns vitest's results and the check records that matchers
 * attached into one RunReport, prints the summary, writes JUnit and JSON, and sets a failing exit
 * code when the run did not pass (no checks, errors outside tests).
 */
export class ModeltestReporter implements Reporter {
  report?: RunReport
  written: string[] = []
  #root = process.cwd()
  #startedAt = new Date()
  readonly #options: ReportOptions

  constructor(options: ReportOptions = {}) {
    this.#options = options
  }

  onInit(vitest: Vitest): void {
    this.#root = vitest.config.root
    this.#startedAt = new Date()
  }

  onUserConsoleLog(log: { content: string; type: 'stdout' | 'stderr' }): void {
    ;(log.type === 'stderr' ? process.stderr : process.stdout).write(log.content)
  }

  async onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: string): Promise<void> {
    const tests = modules.flatMap((module) => this.#outcomes(module))
    const problems = unhandledErrors.map((error) => `Error outside any test: ${error.message}`)
    if (reason === 'interrupted') problems.push('The run was interrupted.')
    const report = buildReport({ tests, startedAt: this.#startedAt, durationMs: Date.now() - this.#startedAt.getTime(), runtime: toolVersions(), problems })
    this.report = report
    this.written = []
    await this.#write(this.#options.junit ?? 'reports/junit.xml', () => renderJUnit(report))
    await this.#write(this.#options.json ?? 'reports/modeltest.json', () => renderJson(report))
    const color = this.#options.color ?? (process.stdout.isTTY === true && !process.env.NO_COLOR)
    process.stdout.write(renderConsole(report, { color, written: this.written }) + '\n')
    if (!report.passed) process.exitCode = 1
  }

  async #write(path: string | false, render: () => string): Promise<void> {
    if (path === false) return
    const target = resolve(this.#root, path)
    await mkdir(dirname(target), { recursive: true })
    await writeFile(target, render())
    this.written.push(relative(process.cwd(), target) || target)
  }

  #outcomes(module: TestModule): TestOutcome[] {
    const file = relative(this.#root, module.moduleId)
    const outcomes = [...module.children.allTests()].map((test) => outcome(test, file, this.#root))
    const moduleErrors = module.errors()
    if (moduleErrors.length > 0) {
      outcomes.push({ file, name: '(file)', state: 'failed', durationMs: 0, errors: moduleErrors.map(errorText), checks: [] })
    }
    return outcomes
  }
}

function outcome(test: TestCase, file: string, root: string): TestOutcome {
  const result = test.result()
  const state = result.state === 'passed' ? 'passed' : result.state === 'failed' ? 'failed' : 'skipped'
  return {
    file,
    name: test.fullName,
    state,
    durationMs: test.diagnostic()?.duration ?? 0,
    errors: (result.errors ?? []).map(errorText),
    // Matchers note the absolute path of the assertion; reports hold paths relative to the run's root.
    checks: ((test.meta() as { modeltest?: CheckRecord[] }).modeltest ?? []).map((check) => (check.location ? { ...check, location: { ...check.location, file: relative(root, check.location.file) } } : check)),
    line: test.location?.line,
  }
}

function errorText(error: SerializedError): string {
  return error.message ?? String(error)
}
