import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { buildReport, makeCheck, type CheckRecord, type Plot, type RunReport, type TestOutcome } from '../src/index.js'
import { renderHtml } from '../reporters/index.js'
import { repoRoot } from './helpers.js'

const CHROMIUM = '/usr/bin/chromium'
const tricky = `acc <"quoted"> & 'apostrophe' </script><img src=x onerror=alert(1)>`
const latencies = Array.from({ length: 20 }, (_, i) => i * 0.05)

const PLOTS: Record<Plot['type'], Plot> = {
  'confusion-matrix': {
    type: 'confusion-matrix',
    labels: ['negative', 'positive'],
    matrix: [
      [260, 40],
      [64, 233],
    ],
  },
  roc: {
    type: 'roc',
    points: [
      [0, 0],
      [0.1, 0.55],
      [0.25, 0.8],
      [0.5, 0.93],
      [1, 1],
    ],
    area: 0.8912,
    positiveLabel: '1',
  },
  'precision-recall': {
    type: 'precision-recall',
    points: [
      [0, 1],
      [0.4, 0.92],
      [0.8, 0.81],
      [1, 0.5],
    ],
    area: 0.8431,
    positiveLabel: '1',
  },
  calibration: { type: 'calibration', positiveLabel: '1', bins: [0.1, 0.3, 0.5, 0.7, 0.9].map((p, i) => ({ meanPredicted: p, fractionPositive: Math.min(1, p * 0.8 + 0.05 * i), count: 40 + i })) },
  histogram: {
    type: 'histogram',
    title: 'Latency per call',
    unit: 'ms',
    edges: latencies,
    counts: latencies.slice(1).map((_, i) => Math.round(40 * Math.exp(-i / 3))),
    marks: [
      { label: 'p50', value: 0.12 },
      { label: 'p95', value: 0.38 },
      { label: 'p99', value: 0.41 },
      { label: 'threshold', value: 50 },
    ],
  },
  drift: { type: 'drift', column: 'label', labels: ['0', '1'], reference: [0.49, 0.51], current: [0.3, 0.7], drifted: true },
  bars: {
    type: 'bars',
    title: 'Accuracy per slice',
    threshold: 0.8,
    bars: [
      { label: 'short', value: 0.86, n: 210, passed: true },
      { label: 'long', value: 0.71, n: 190, passed: false },
      { label: 'medium', value: 0.83, n: 197, passed: true },
    ],
  },
}

/** Plots of degenerate data: none may put NaN or undefined into the page. */
const DEGENERATE: Plot[] = [
  { type: 'histogram', title: 'one bin', edges: [5, 5], counts: [3], marks: [{ label: 'p50', value: 5 }] },
  { type: 'histogram', title: 'all zeros', edges: [0, 1, 2], counts: [0, 0], marks: [] },
  { type: 'histogram', title: 'nothing', edges: [], counts: [], marks: [{ label: 'p99', value: Number.NaN }] },
  { type: 'roc', points: [[0.5, 0.5]], area: 0.5, positiveLabel: 'x' },
  { type: 'precision-recall', points: [], area: Number.NaN, positiveLabel: 'x' },
  { type: 'calibration', positiveLabel: 'x', bins: [{ meanPredicted: Number.NaN, fractionPositive: Number.NaN, count: 0 }] },
  { type: 'confusion-matrix', labels: ['a'], matrix: [[0]] },
  { type: 'confusion-matrix', labels: [], matrix: [] },
  { type: 'confusion-matrix', labels: Array.from({ length: 50 }, (_, i) => `class-${i}`), matrix: Array.from({ length: 50 }, (_, r) => Array.from({ length: 50 }, (_, c) => (r === c ? 10 : 0))) },
  { type: 'drift', column: 'city', labels: Array.from({ length: 50 }, (_, i) => `city number ${i}`), reference: Array(50).fill(0.02), current: Array.from({ length: 50 }, (_, i) => (i < 25 ? 0.03 : 0.01)), drifted: true },
  { type: 'drift', column: 'empty', labels: ['a', 'b'], reference: [0, 0], current: [0, 0], drifted: false },
  { type: 'bars', title: 'many slices', bars: Array.from({ length: 50 }, (_, i) => ({ label: `slice ${i}`, value: i / 50, passed: i > 10 })), threshold: 0.2 },
  { type: 'bars', title: 'all zeros', bars: [{ label: 'a', value: 0 }], threshold: 0 },
  { type: 'bars', title: 'no bars', bars: [] },
]

function outcome(name: string, state: TestOutcome['state'], checks: CheckRecord[] = [], errors: string[] = []): TestOutcome {
  return { file: 'checks.modeltest.ts', name, state, durationMs: 12, errors, checks }
}

const data = { name: 'data/holdout.csv', hash: '0f3a9c1d2e4b5a69788776655443322110ffeeddccbbaa998877665544332211', rows: 597 }
const candidate = { name: 'models/candidate/model.json', hash: 'aa11bb22cc33dd44ee55ff6677889900aabbccddeeff00112233445566778899', runtime: 'tfjs-layers on wasm' }

const accuracy = makeCheck({
  name: 'accuracy_threshold',
  kind: 'model',
  actual: 0.7035,
  threshold: 0.8,
  comparator: '>=',
  n: 597,
  message: 'Accuracy 0.7035 < 0.80 (95% CI 0.6655–0.7389, n=597)',
  interval: { low: 0.6655, high: 0.7389, confidence: 0.95, method: 'wilson' },
  plots: [PLOTS['confusion-matrix'], PLOTS.roc, PLOTS['precision-recall'], PLOTS.calibration],
  location: { file: 'checks.modeltest.ts', line: 21, column: 30 },
  data,
  model: candidate,
})
const latency = makeCheck({ name: 'latency_p95', kind: 'model', actual: 0.3832, threshold: 50, comparator: '<=', unit: 'ms', n: 100, message: 'P95 latency 0.38 ms ≤ 50 ms', plots: [PLOTS.histogram], model: candidate })
const regression = makeCheck({
  name: 'no_regression',
  kind: 'model',
  actual: -0.01,
  threshold: 0.02,
  comparator: '<=',
  message: 'Accuracy 0.7135 vs baseline 0.7035: drop -0.0100 ≤ max drop 0.02',
  baseline: 0.7035,
  details: { candidate: 0.7135 },
  significance: { test: 'McNemar', pValue: 1.21e-8, alpha: 0.05 },
})
const nulls = makeCheck({ name: 'null_check', kind: 'data', actual: 0, threshold: 0, comparator: '<=', message: `No null values in ${tricky}`, data })
const driftCheck = makeCheck({ name: 'no_drift', kind: 'data', actual: 1, threshold: 0, comparator: '<=', message: 'Drift in 1 column: label', plots: [PLOTS.drift], data })
const slices = makeCheck({ name: 'slice_accuracy', kind: 'model', actual: 1, threshold: 0, comparator: '<=', message: '1 of 3 slices below 0.80', plots: [PLOTS.bars], warnings: ['slice long has n=190'] })

function richReport(): RunReport {
  const report = buildReport({
    tests: [
      outcome('data > no nulls', 'passed', [nulls]),
      outcome('data > no drift', 'failed', [driftCheck], ['no_drift: failed']),
      outcome('model > accuracy', 'failed', [accuracy], ['accuracy_threshold: failed']),
      outcome('model > latency', 'passed', [latency]),
      outcome('model > no regression', 'passed', [regression]),
      outcome('model > slices', 'failed', [slices], ['slice_accuracy: failed']),
      outcome(`data > ${tricky}`, 'failed', [], ['modeltest: data/missing.csv: no such file.\n  Check the path, relative to the directory modeltest runs in.']),
      outcome('later', 'skipped'),
    ],
    startedAt: new Date('2026-11-28T10:00:00Z'),
    durationMs: 4321,
    runtime: { modeltest: '0.1.0', node: 'v20.19.0', tfjs: '4.22.0' },
  })
  return report
}

/** The same run compared against a baseline report: one verdict flipped, one value moved, one check new, one gone. */
function withBaseline(report: RunReport): RunReport {
  const previous: Record<string, { actual: number; passed: boolean }> = {
    accuracy_threshold: { actual: 0.8258, passed: true },
    latency_p95: { actual: 0.41, passed: true },
    null_check: { actual: 0, passed: true },
  }
  const tests = report.tests.map((test) => ({ ...test, checks: test.checks.map((check) => (previous[check.name] ? { ...check, previous: previous[check.name] } : check)) }))
  return {
    ...report,
    tests,
    baselineReport: { source: 'reports/main.json', startedAt: '2026-11-27T09:00:00Z', passed: true, removed: [{ file: 'checks.modeltest.ts', test: 'data > old test', name: 'min_samples', actual: 2385, passed: true }] },
  }
}

/** Each NaN, undefined or Infinity in the page, with a little of its context. */
function badValues(html: string): string[] {
  return [...html.matchAll(/NaN|undefined|Infinity/g)].map((match) => html.slice(Math.max(0, match.index - 60), match.index + 20))
}

function svgCount(html: string): number {
  return html.match(/<svg[\s>]/g)?.length ?? 0
}

describe('HTML report', () => {
  const html = renderHtml(richReport())

  test('escapes everything users wrote: names, messages, errors', () => {
    expect(html).not.toContain('<img')
    expect(html).not.toContain('</script>')
    expect(html).toContain('acc &lt;&quot;quoted&quot;&gt; &amp; &#39;apostrophe&#39;')
    expect(html).not.toContain('<"quoted">')
  })

  test('needs no network: no URL, no script, no web font', () => {
    expect(html).not.toMatch(/https?:|\/\/[a-z]/i)
    expect(html).not.toMatch(/<[a-z][^>]*\b(src|href)\s*=/i) // every < of users' text is escaped, so each < opens a real tag
    expect(html).not.toMatch(/<script|@import|@font-face|url\(/i)
  })

  test('shows the verdict, counts, data, models and runtime', () => {
    expect(html).toContain('<p class="verdict" id="verdict">FAILED</p>')
    expect(html).toMatch(/<b>8<\/b> tests.*<b>4<\/b> failed tests.*<b>1<\/b> skipped.*<b>6<\/b> checks.*<b>3<\/b> failed checks/)
    expect(html).toContain(`title="${data.hash}">0f3a9c1d2e4b…</code>`)
    expect(html).toContain('tfjs-layers on wasm')
    expect(html).toContain('4.32 s')
    expect(html).toContain('v20.19.0')
  })

  test('lists failed checks first, then errors, then passed checks by kind', () => {
    const at = (text: string): number => html.indexOf(text)
    expect(at('id="failed"')).toBeGreaterThan(at('id="overview"'))
    expect(at('id="errors"')).toBeGreaterThan(at('id="failed"'))
    expect(at('id="passed-data"')).toBeGreaterThan(at('id="errors"'))
    expect(at('id="passed-model"')).toBeGreaterThan(at('id="passed-data"'))
    const failed = html.slice(at('id="failed"'), at('id="errors"'))
    expect(failed).toContain('accuracy_threshold')
    expect(failed).not.toContain('latency_p95')
    expect(html.slice(at('id="errors"'), at('id="passed-data"'))).toContain('data/missing.csv: no such file.')
  })

  test("shows a check's figures: required relation, interval, significance, change, location", () => {
    expect(html).toContain('<dt>required</dt><dd>≥ 0.8</dd>')
    expect(html).toContain('0.6655–0.7389 (95% wilson)')
    expect(html).toContain('McNemar p = 1.21e-8 &lt; α 0.05: significant')
    expect(html).toContain('<dt>vs baseline model</dt><dd>0.7035 → 0.7135 (Δ +0.01)</dd>')
    expect(html).toContain('<code>checks.modeltest.ts:21:30</code>')
    expect(html).toContain('<dt>required</dt><dd>≤ 50 ms</dd>')
  })

  test('draws every plot type as an SVG', () => {
    for (const plot of Object.values(PLOTS)) {
      const one = renderHtml(buildReport({ tests: [outcome('t', 'passed', [{ ...nulls, plots: [plot] }])], startedAt: new Date(0), durationMs: 1, runtime: {} }))
      expect(svgCount(one), plot.type).toBe(1)
      expect(badValues(one)).toEqual([])
    }
    expect(svgCount(html)).toBe(Object.keys(PLOTS).length)
  })

  test('draws degenerate data without NaN, and folds many categories', () => {
    const one = renderHtml(buildReport({ tests: [outcome('t', 'passed', [{ ...nulls, plots: DEGENERATE }])], startedAt: new Date(0), durationMs: 1, runtime: {} }))
    expect(svgCount(one)).toBe(DEGENERATE.length)
    expect(badValues(one)).toEqual([])
    expect(one).toContain('other (31)')
    expect(one).toContain('19 of 50 categories shown')
    expect(one).toContain('20 of 50 bars shown')
  })

  test('says what changed only when there is a baseline report', () => {
    expect(html).not.toContain('What changed')
    const changed = renderHtml(withBaseline(richReport()))
    const section = changed.slice(changed.indexOf('id="changes"'), changed.indexOf('id="failed"'))
    expect(section).toContain('reports/main.json')
    expect(section).toMatch(/Verdict flipped \(1\).*accuracy_threshold.*0\.8258 → 0\.7035.*Δ -0\.1223/)
    expect(section).toMatch(/Value changed \(1\).*latency_p95/)
    expect(section).toMatch(/New checks \(3\)/)
    expect(section).toMatch(/Removed checks \(1\).*min_samples/)
  })
})

describe('HTML report in a browser', () => {
  const present = existsSync(CHROMIUM)
  const required = process.env.MODELTEST_REQUIRE_BROWSER === '1'

  test.runIf(!present && required)('needs a browser', () => {
    expect.fail(`MODELTEST_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium).`)
  })

  test.runIf(present)(
    'opens without errors or requests, shows the verdict and counts, and saves a screenshot',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'modeltest-html-'))
      const file = join(dir, 'modeltest.html')
      const report = withBaseline(richReport())
      const html = renderHtml(report)
      await writeFile(file, html)
      const url = pathToFileURL(file).href
      const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        viewport: { width: 1280, height: 900 },
      })
      try {
        const problems: string[] = []
        const requests: string[] = []
        context.on('request', (request) => {
          if (request.url() !== url) requests.push(request.url())
        })
        const page = context.pages()[0] ?? (await context.newPage())
        page.on('console', (message) => {
          if (message.type() === 'error') problems.push(`console: ${message.text()}`)
        })
        page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
        await page.goto(url, { waitUntil: 'load' })

        await expect.poll(() => page.locator('#verdict').innerText()).toBe('FAILED')
        const counts = await page.locator('#counts').innerText()
        expect(counts.replace(/\s+/g, ' ')).toContain('8 tests 4 failed tests 1 skipped 6 checks 3 failed checks')
        expect(await page.getByText('What changed since the baseline report').isVisible()).toBe(true)
        expect(await page.locator('svg').count()).toBe(svgCount(html))
        expect(await page.locator('#failed svg').first().isVisible()).toBe(true)

        const screenshot = join(repoRoot, 'reports', 'screenshots', 'html-report.png')
        await mkdir(join(repoRoot, 'reports', 'screenshots'), { recursive: true })
        await page.screenshot({ path: screenshot, fullPage: true })
        const png = await readFile(screenshot)
        expect(png.subarray(1, 4).toString()).toBe('PNG')
        expect((await stat(screenshot)).size).toBeGreaterThan(50_000)
        expect(png.readUInt32BE(20)).toBeGreaterThan(1500) // height from the IHDR chunk: the whole page, not one screen

        expect(problems).toEqual([])
        expect(requests).toEqual([])
      } finally {
        await context.close()
        await rm(dir, { recursive: true, force: true })
      }
    },
    60_000,
  )
})
