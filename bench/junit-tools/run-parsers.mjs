#!/usr/bin/env node
// What four pull request tools make of a modeltest JUnit report, read by their own parsers: where each
// annotation lands (path:line) and which values it shows. Run it from the repository root, as the tools
// run at GITHUB_WORKSPACE:
//
//   node bench/junit-tools/run-parsers.mjs reports/junit.xml \
//     --dorny DIR --mikepenz DIR --test-summary DIR --enricomi DIR --junitparser DIR
//
// Each DIR is a checkout of the tool, never part of this project: dorny/test-reporter,
// mikepenz/action-junit-report and test-summary/action with `npm ci && npx tsc` run in them (their
// parsers are imported from the compiled lib/ or bin/); EnricoMi/publish-unit-test-result-action and
// weiwei/junitparser (its parser library) as they are, run by /usr/bin/python3 with python3-lxml.
// A tool left out is skipped. See bench/README.md.
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const { values: dirs, positionals } = parseArgs({
  allowPositionals: true,
  options: { dorny: { type: 'string' }, mikepenz: { type: 'string' }, 'test-summary': { type: 'string' }, enricomi: { type: 'string' }, junitparser: { type: 'string' } },
})
if (positionals.length !== 1) {
  process.stderr.write('usage: node bench/junit-tools/run-parsers.mjs <junit.xml> [--dorny DIR] [--mikepenz DIR] [--test-summary DIR] [--enricomi DIR --junitparser DIR]\n')
  process.exit(2)
}
const report = positionals[0]
const load = (dir, file) => import(pathToFileURL(resolve(dir, file)).href)
const oneLine = (text) => String(text ?? '').split('\n')[0]
// dorny's parsers place an annotation only on a file git tracks, as its action does.
const trackedFiles = execFileSync('git', ['ls-files'], { encoding: 'utf8' }).split('\n').filter(Boolean)
const { readFile } = await import('node:fs/promises')
const content = await readFile(report, 'utf8')

async function dorny(dir) {
  const { getAnnotations } = await load(dir, 'lib/report/get-annotations.js')
  for (const [reporter, file, parserClass] of [
    ['jest-junit', 'lib/parsers/jest-junit/jest-junit-parser.js', 'JestJunitParser'],
    ['java-junit', 'lib/parsers/java-junit/java-junit-parser.js', 'JavaJunitParser'],
  ]) {
    const Parser = (await load(dir, file))[parserClass]
    const result = await new Parser({ parseErrors: true, trackedFiles }).parse(report, content)
    print(`dorny/test-reporter, reporter: ${reporter}`)
    // The annotation's message is "Failed test found in: <report> Error: <the failure's message>".
    for (const annotation of getAnnotations([result], 50)) line(`${annotation.path}:${annotation.start_line}`, `${annotation.title.split('\n')[0]} | ${annotation.message.split('Error:\n')[1]?.trim()}`)
    // The Markdown report lists every test by name, with its result: what passing checks can show.
    for (const suite of result.suites) for (const group of suite.groups) for (const test of group.tests) line('report', `${test.result} ${test.name}`)
  }
}

async function mikepenz(dir) {
  // The action runs on Node 24; the undici it bundles asks Node 22's worker_threads.markAsUncloneable, which
  // Node 20 lacks. A no-op stands in: it only marks objects as not transferable, which parsing never does.
  createRequire(import.meta.url)('node:worker_threads').markAsUncloneable ??= () => {}
  const { parseTestReports } = await load(dir, 'lib/testParser.js')
  // include_passed and annotate_notice: a notice for every passing test as well.
  // Its log lines (@actions/core writes them to stdout) are left out of this listing.
  const write = process.stdout.write
  process.stdout.write = () => true
  const result = await parseTestReports('modeltest', 'summary', report, '', true, true, false, ['/node_modules/'], undefined, '/', '', [], false, -1, true, false, false).finally(() => (process.stdout.write = write))
  print('mikepenz/action-junit-report, include_passed: true, annotate_notice: true')
  for (const annotation of result.globalAnnotations ?? result.annotations ?? []) line(`${annotation.path}:${annotation.start_line}`, `${annotation.annotation_level} ${annotation.title} | ${oneLine(annotation.message)}`)
}

async function testSummary(dir) {
  const { parseJunitFile } = await load(dir, 'bin/test_parser.js')
  const result = await parseJunitFile(report)
  print('test-summary/action, show: all (no annotations: a table of tests)')
  const status = { 1: 'pass', 2: 'fail', 4: 'skip' }
  for (const suite of result.suites) for (const test of suite.cases) line(status[test.status], `${test.name}${test.message ? ` | ${oneLine(test.message)}` : ''}`)
}

function enricomi(dir, junitparser) {
  // junitparser reads its version from installed package metadata, which a source checkout lacks.
  const script = `
import sys, importlib.metadata as metadata
installed_version = metadata.version
metadata.version = lambda name: 'source' if name == 'junitparser' else installed_version(name)
from publish.junit import parse_junit_xml_files, process_junit_xml_elems
from publish.unittestresults import get_test_results
from publish import get_case_annotations, get_all_tests_list_annotation
parsed = process_junit_xml_elems(parse_junit_xml_files([sys.argv[1]], False, False)).with_commit('HEAD')
results = get_test_results(parsed, False)
for a in get_case_annotations(results.case_results, False):
    details = (a.raw_details or '').split('\\n')[0]
    print(f'  {a.path}:{a.start_line}  {a.annotation_level} {a.title} | {details}')
for a in get_all_tests_list_annotation(results.case_results):
    for name in (a.raw_details or '').split('\\n'):
        print(f'  all tests  {name}')
`
  print('EnricoMi/publish-unit-test-result-action, check_run_annotations: all tests')
  process.stdout.write(execFileSync('/usr/bin/python3', ['-c', script, report], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: `${resolve(dir, 'python')}:${resolve(junitparser, 'src')}` } }))
}

function print(title) {
  process.stdout.write(`\n${title}\n`)
}

function line(where, what) {
  process.stdout.write(`  ${where}  ${what}\n`)
}

if (dirs.dorny) await dorny(dirs.dorny)
if (dirs.mikepenz) await mikepenz(dirs.mikepenz)
if (dirs['test-summary']) await testSummary(dirs['test-summary'])
if (dirs.enricomi && dirs.junitparser) enricomi(dirs.enricomi, dirs.junitparser)
