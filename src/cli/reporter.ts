import { dirname, join, relative, resolve } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import type { Reporter, SerializedError, TestCase, TestModule, Vitest } from 'vitest/node'
import { buildReport, byFile, type FileTiming, type RunReport, type TestOutcome } from '../report.js'
import type { CheckRecord } from '../checks/record.js'
import type { ShardResult } from '../shards.js'
import { repositoryPath } from '../repository.js'
import { renderConsole } from '../../reporters/index.js'
import { replaceFiles } from '../files.js'
import { consoleColor, exitStatus, publish, type PublishedRun, type ReportOptions } from './publish.js'
import { toolVersions } from './versions.js'

export type { ReportOptions } from './publish.js'

/**
 * The vitest reporter of the preset: turns vitest's results and the check records that matchers
 * attached into one RunReport and publishes it (reports, summary, console), setting a failing exit
 * code when the run did not pass (no checks, errors outside tests). A shard of a run
 * (`--shard 2/3`) writes its results to `reports/shards/` for `modeltest merge` instead.
 */
export class ModeltestReporter implements Reporter {
  report?: RunReport
  /** Report files that could not be written. */
  unwritten = 0
  /** What the run gave, for a caller that adds to it before publishing (`modeltest canary`). */
  run?: { tests: TestOutcome[]; startedAt: Date; durationMs: number; runtime: Record<string, string>; problems: string[]; files: FileTiming[] }
  #root = process.cwd()
  #startedAt = new Date()
  #shard?: { index: number; count: number }
  readonly #options: ReportOptions
  readonly #hold: boolean

  /** With `hold`, the run is kept in `run` and nothing is published. */
  constructor(options: ReportOptions = {}, { hold = false } = {}) {
    this.#options = options
    this.#hold = hold
  }

  /** The run's exit status: 0 passed, 1 failed (or never finished), 2 when a report could not be written. */
  get exitStatus(): number {
    return this.report ? exitStatus({ report: this.report, unwritten: this.unwritten }) : 1
  }

  get root(): string {
    return this.#root
  }

  onInit(vitest: Vitest): void {
    this.#root = vitest.config.root
    this.#startedAt = new Date()
    this.#shard = vitest.config.shard
  }

  onUserConsoleLog(log: { content: string; type: 'stdout' | 'stderr' }): void {
    ;(log.type === 'stderr' ? process.stderr : process.stdout).write(log.content)
  }

  async onTestRunEnd(modules: readonly TestModule[], unhandledErrors: readonly SerializedError[], reason: string): Promise<void> {
    // In file order, whatever order the files ran in: reports of the same suite read the same, sharded or not.
    const tests = modules.flatMap((module) => this.#outcomes(module)).sort(byFile)
    const problems = unhandledErrors.map((error) => `Error outside any test: ${error.message}`)
    if (reason === 'interrupted') problems.push('The run was interrupted.')
    const files = modules.map((module) => ({ file: repositoryPath(module.moduleId), durationMs: fileDuration(module) })).sort(byFile)
    const run = { tests, startedAt: this.#startedAt, durationMs: Date.now() - this.#startedAt.getTime(), runtime: toolVersions(), problems, files }
    this.run = run
    if (this.#hold) return
    if (this.#shard) {
      const report = buildReport(run)
      this.#published({ report, unwritten: await this.#writeShard({ format: 'modeltest-shard/1', shard: this.#shard, ...run, startedAt: run.startedAt.toISOString() }, report) })
    } else {
      this.#published(await publish(buildReport(run), this.#options, this.#root))
    }
  }

  #published(run: PublishedRun): void {
    this.report = run.report
    this.unwritten = run.unwritten
    if (this.exitStatus !== 0) process.exitCode = this.exitStatus
  }

  /** Writes the shard's result and prints the shard's summary; returns how many files could not be written. */
  async #writeShard(result: ShardResult, report: RunReport): Promise<number> {
    const reports = dirname(resolve(this.#root, this.#options.json || 'reports/modeltest.json'))
    const target = join(reports, 'shards', `shard-${result.shard.index}-of-${result.shard.count}.json`)
    const { written, unwritten } = await replaceFiles([{ path: target, content: JSON.stringify(result, null, 2) + '\n' }])
    process.stdout.write(
      renderConsole(report, { color: consoleColor(this.#options), written: written.map((path) => relative(process.cwd(), path)) }) +
        `\n Shard ${result.shard.index}/${result.shard.count}: merge every shard with modeltest merge ${relative(process.cwd(), dirname(target)) || '.'}\n`,
    )
    for (const { path, reason } of unwritten) process.stderr.write(`modeltest: ${relative(process.cwd(), path)} was not written: ${reason}. Fix the path, or give the reports another folder with --json <path>.\n`)
    return unwritten.length
  }

  #outcomes(module: TestModule): TestOutcome[] {
    const file = repositoryPath(module.moduleId)
    const outcomes = [...module.children.allTests()].map((test) => outcome(test, file, module.moduleId))
    const moduleErrors = module.errors()
    if (moduleErrors.length > 0) {
      // Line 1 when the error's stack names no line of the file: annotations need a line to land on.
      outcomes.push({ file, name: '(file)', state: 'failed', durationMs: 0, errors: moduleErrors.map(errorText), ...firstError(moduleErrors, module.moduleId), checks: [], line: 1 })
    }
    return outcomes
  }
}

function outcome(test: TestCase, file: string, moduleId: string): TestOutcome {
  const result = test.result()
  const state = result.state === 'passed' ? 'passed' : result.state === 'failed' ? 'failed' : 'skipped'
  const errors = result.errors ?? []
  return {
    file,
    name: test.fullName,
    state,
    durationMs: test.diagnostic()?.duration ?? 0,
    errors: errors.map(errorText),
    ...firstError(errors, moduleId),
    // Matchers note the absolute path of the assertion; reports hold paths relative to the repository.
    checks: ((test.meta() as { modeltest?: CheckRecord[] }).modeltest ?? []).map((check) => (check.location ? { ...check, location: { ...check.location, file: repositoryPath(check.location.file) } } : check)),
    line: test.location?.line,
  }
}

/** A test file's whole time: what vitest spent setting up its environment, preparing, importing and collecting it, then running it. */
function fileDuration(module: TestModule): number {
  const { environmentSetupDuration, prepareDuration, setupDuration, collectDuration, duration } = module.diagnostic()
  return environmentSetupDuration + prepareDuration + setupDuration + collectDuration + duration
}

/** The first error's class and the frame of its stack in the test file (where a plain expect failed), for the reports. */
function firstError(errors: readonly SerializedError[], moduleId: string): Pick<TestOutcome, 'error'> {
  const [error] = errors
  if (!error) return {}
  const frame = error.stacks?.find((stack) => resolve(stack.file) === moduleId)
  return { error: { name: error.name ?? 'Error', ...(frame ? { location: { file: repositoryPath(frame.file), line: frame.line, column: frame.column } } : {}) } }
}

/**
 * An error's message without the colour codes vitest's matchers put in it (they colour whenever CI or
 * FORCE_COLOR is set, even into a pipe): the console, the reports and annotations carry plain text.
 */
function errorText(error: SerializedError): string {
  return stripVTControlCharacters(error.message ?? JSON.stringify(error))
}
