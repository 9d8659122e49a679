import { appendFile, mkdir, writeFile } from 'node:fs/promises'
import { dirname, relative, resolve } from 'node:path'
import { compareWithBaseline, readReport, type RunReport } from '../index.js'
import { renderAnnotations, renderConsole, renderHtml, renderJUnit, renderJson, renderMarkdown } from '../../reporters/index.js'

export interface ReportOptions {
  /** JUnit XML path, relative to the run's root; `false` writes none. Default `reports/junit.xml`. */
  junit?: string | false
  /** JSON report path; `false` writes none. Default `reports/modeltest.json`. */
  json?: string | false
  /** Self-contained HTML report with plots; `false` writes none. Default `reports/modeltest.html`. */
  html?: string | false
  /** Markdown job summary: the file to write. Default: appended to `$GITHUB_STEP_SUMMARY` when set, else none. */
  summary?: string | false
  /** A JSON report of an earlier run (the last run on main) to compare every check against. */
  baselineReport?: string
  /** Sets this step output to `true` when the run failed, `false` when it passed (`should_retrain`), in `$GITHUB_OUTPUT`. */
  githubOutput?: string
  /** Colour in the console summary; by default on a TTY unless NO_COLOR is set. */
  color?: boolean
}

/**
 * Everything a finished run leaves behind, for a run and for a merge of shards alike: the comparison
 * with the baseline report, the report files, the job summary, annotations and the step output on
 * GitHub Actions, and the console summary. Returns the report as compared.
 */
export async function publish(report: RunReport, options: ReportOptions, root: string): Promise<RunReport> {
  if (options.baselineReport) report = compareWithBaseline(report, await readReport(resolve(options.baselineReport), 'baseline report'), options.baselineReport)
  const written: string[] = []
  const write = async (path: string | false | undefined, fallback: string, render: (report: RunReport) => string) => {
    if (path === false) return
    const target = resolve(root, path ?? fallback)
    await mkdir(dirname(target), { recursive: true })
    await writeFile(target, render(report))
    written.push(relative(process.cwd(), target) || target)
  }
  await write(options.junit, 'reports/junit.xml', renderJUnit)
  await write(options.json, 'reports/modeltest.json', renderJson)
  await write(options.html, 'reports/modeltest.html', renderHtml)
  if (options.summary) await write(options.summary, options.summary, renderMarkdown)
  else if (options.summary !== false && process.env.GITHUB_STEP_SUMMARY) await appendFile(process.env.GITHUB_STEP_SUMMARY, renderMarkdown(report) + '\n')
  const onGitHub = process.env.GITHUB_ACTIONS === 'true'
  // Annotations name files relative to the repository, which is GITHUB_WORKSPACE; the report's are relative to the run's root.
  if (onGitHub) process.stdout.write(renderAnnotations(report, { pathPrefix: process.env.GITHUB_WORKSPACE ? relative(process.env.GITHUB_WORKSPACE, root) : undefined }))
  if (options.githubOutput) await setStepOutput(options.githubOutput, !report.passed)
  process.stdout.write(renderConsole(report, { color: consoleColor(options), written }) + '\n')
  return report
}

/** Colour in the console summary: as asked, else on a TTY unless NO_COLOR is set. */
export function consoleColor(options: ReportOptions): boolean {
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
