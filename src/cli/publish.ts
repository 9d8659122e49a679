import { appendFile } from 'node:fs/promises'
import { relative, resolve } from 'node:path'
import { replaceFiles, writeFailure, type FileContent } from '../files.js'
import { compareWithBaseline, readReport } from '../baseline.js'
import { isModeltestError } from '../errors.js'
import type { RunReport } from '../report.js'
import type { CloudWatchOptions, PublishedChecks } from '../monitor/cloudwatch.js'
import { renderAnnotations, renderConsole, renderHtml, renderJUnit, renderJson, renderMarkdown, renderPrComment } from '../../reporters/index.js'

export interface ReportOptions {
  /** JUnit XML path, relative to the run's root; `false` writes none. Default `reports/junit.xml`. */
  junit?: string | false
  /** JSON report path; `false` writes none. Default `reports/modeltest.json`. */
  json?: string | false
  /** Self-contained HTML report with plots; `false` writes none. Default `reports/modeltest.html`. */
  html?: string | false
  /** Markdown job summary: the file to write. Default: appended to `$GITHUB_STEP_SUMMARY` when set, else none. */
  summary?: string | false
  /** Markdown pull request comment: the file to write (one table of every check against the baseline). Default: none. */
  prComment?: string
  /** A JSON report of an earlier run (the last run on main) to compare every check against. */
  baselineReport?: string
  /** Sets this step output to `true` when the run failed, `false` when it passed (`should_retrain`), in `$GITHUB_OUTPUT`. */
  githubOutput?: string
  /** Publishes every check to CloudWatch under this namespace once the reports are written (CheckValue, CheckPassed, RunPassed). */
  cloudwatchNamespace?: string
  /** Colour in the console summary; by default on a TTY unless NO_COLOR is set. */
  color?: boolean
}

/**
 * Everything a finished run leaves behind, for a run and for a merge of shards alike: the comparison
 * with the baseline report, the report files, the job summary, annotations and the step output on
 * GitHub Actions, and the console summary. Returns the report as compared and the files it could not write.
 */
export async function publish(report: RunReport, options: ReportOptions, root: string, cloudwatch: CloudWatchOptions = {}): Promise<PublishedRun> {
  if (options.baselineReport) report = compareWithBaseline(report, await readReport(resolve(options.baselineReport), 'baseline report'), options.baselineReport)
  const files: (FileContent & { option: string })[] = []
  const add = (path: string | false | undefined, fallback: string, option: string, render: (report: RunReport) => string) => {
    if (path !== false) files.push({ path: resolve(root, path ?? fallback), content: render(report), option })
  }
  add(options.junit, 'reports/junit.xml', 'junit', renderJUnit)
  add(options.html, 'reports/modeltest.html', 'html', renderHtml)
  if (options.summary) add(options.summary, options.summary, 'summary', renderMarkdown)
  if (options.prComment) add(options.prComment, options.prComment, 'pr-comment', renderPrComment)
  // Renamed last: the JSON report is what the deploy gate and the next run's --baseline-report read, so a
  // new one means the whole set is new (see replaceFiles).
  add(options.json, 'reports/modeltest.json', 'json', renderJson)
  const { written, unwritten } = await replaceFiles(files)
  const problems = unwritten.map(({ path, reason }) => {
    const { option } = files.find((file) => file.path === path)!
    return `modeltest: ${shown(path)} was not written: ${reason}. Fix the path, or give another with --${option} <path> (${option === 'pr-comment' ? 'or leave it out' : `--no-${option}`} for none).`
  })
  const append = async (what: string, write: () => Promise<void>) => {
    await write().catch((error: unknown) => problems.push(`modeltest: ${what} was not written: ${writeFailure(error)}.`))
  }
  const jobSummary = process.env.GITHUB_STEP_SUMMARY
  if (!options.summary && options.summary !== false && jobSummary) await append(`the job summary ${jobSummary}`, () => appendFile(jobSummary, renderMarkdown(report) + '\n'))
  const onGitHub = process.env.GITHUB_ACTIONS === 'true'
  if (onGitHub) process.stdout.write(renderAnnotations(report))
  const { githubOutput } = options
  if (githubOutput) await append(`the step output ${githubOutput}`, () => setStepOutput(githubOutput, !report.passed))
  // The verdict first, then one line for each file that could not be written.
  process.stdout.write(renderConsole(report, { color: consoleColor(options), written: written.map(shown) }) + '\n')
  for (const problem of problems) process.stderr.write(problem + '\n')
  const published = options.cloudwatchNamespace === undefined || (await publishToCloudWatch(report, options.cloudwatchNamespace, cloudwatch))
  return { report, unwritten: problems.length + (published ? 0 : 1) }
}

/**
 * The run's checks as CloudWatch metrics, after the reports: a failure is told (and exits 2) but never hides
 * the verdict, which is already printed and written. False when they were not published.
 */
export async function publishToCloudWatch(run: PublishedChecks, namespace: string, options: CloudWatchOptions = {}): Promise<boolean> {
  const { publishChecks } = await import('../monitor/cloudwatch.js')
  try {
    const { data, requests } = await publishChecks(run, namespace, options)
    process.stderr.write(`modeltest: published ${data} data points to CloudWatch namespace ${namespace} (${requests} PutMetricData ${requests === 1 ? 'request' : 'requests'})\n`)
    return true
  } catch (error) {
    if (!isModeltestError(error)) throw error
    process.stderr.write(`modeltest: the checks were not published to CloudWatch: ${error.message}\n`)
    return false
  }
}

/** A published run: the report as compared, and how many of its outputs (files, step output, CloudWatch metrics) could not be written (the run then exits 2). */
export interface PublishedRun {
  report: RunReport
  unwritten: number
}

function shown(path: string): string {
  return relative(process.cwd(), path) || path
}

/** Colour in the console summary: as asked, else on a TTY unless NO_COLOR is set. */
export function consoleColor(options: ReportOptions): boolean {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-boolean-literal-compare -- isTTY is undefined on a pipe, whatever its type says
  return options.color ?? (process.stdout.isTTY === true && !process.env.NO_COLOR)
}

async function setStepOutput(name: string, value: boolean): Promise<void> {
  const file = process.env.GITHUB_OUTPUT
  if (!file) {
    process.stderr.write(`modeltest: --github-output ${name}: GITHUB_OUTPUT is not set (not on GitHub Actions), so ${name}=${value} was not written\n`)
    return
  }
  await appendFile(file, `${name}=${value}\n`)
}

/** The exit status of a published run: 2 when a report could not be written, else 1 when it failed, 0 when it passed. */
export function exitStatus({ report, unwritten }: PublishedRun): number {
  return unwritten > 0 ? 2 : report.passed ? 0 : 1
}
