import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { readReport } from '../src/index.js'
import { repoRoot, runCli, tempDir } from './helpers.js'

// scikit-learn's and pROC's values: test/golden/make_statistics_golden.py.
const golden = JSON.parse(readFileSync(join(repoRoot, 'test', 'golden', 'statistics.json'), 'utf8'))

test('the JSON report carries the positive class, the DeLong interval and the counted resamples, and passes the report schema', async () => {
  const perfect = golden.positive.find((entry: { name: string }) => entry.name === 'perfect')
  const rare = golden.degenerate.find((entry: { name: string }) => entry.name === '3-of-300')
  const dir = await tempDir()
  await mkdir(join(dir, 'node_modules'))
  await symlink(repoRoot, join(dir, 'node_modules', 'modeltest'), 'dir')
  await writeFile(
    join(dir, 'stats.modeltest.ts'),
    `import { expect, test } from 'vitest'
import { dataset, model } from 'modeltest'
const perfect = ${JSON.stringify({ labels: perfect.labels, scores: perfect.scores })}
const rare = ${JSON.stringify({ labels: rare.labels, scores: rare.scores })}
const scorer = (scores: unknown[]) => model(async (rows) => rows.map((row) => scores[row.row as number] as number), { name: 'scorer' })
test('positive 0', async () => {
  const on = await dataset(perfect.labels.map((label, row) => ({ label, row })))
  await expect(await scorer(perfect.scores)).toMeetMetric('roc_auc', 0.99, { on, label: 'label', positive: 0 })
})
test('3 positives in 300 rows', async () => {
  const on = await dataset(rare.labels.map((label, row) => ({ label, row })))
  await expect(await scorer(rare.scores)).toMeetMetric('average_precision', 0.01, { on, label: 'label' })
})
`,
  )
  const run = await runCli(['.', '--json', 'out.json', '--no-html', '--no-junit'], dir)
  expect(run.stderr).toBe('')
  expect(run.code).toBe(0)
  const report = await readReport(join(dir, 'out.json'), 'the test')
  const [auc, ap] = report.tests.map((outcome) => outcome.checks[0])
  expect(auc).toMatchObject({ name: 'metric_roc_auc', actual: 1, details: { positive: 0 }, interval: { method: 'delong', confidence: 0.95 } })
  expect(ap.actual).toBeCloseTo(rare.average_precision, 12)
  expect(ap.interval).toMatchObject({ method: 'logit', confidence: 0.95 })
  expect(JSON.parse(await readFile(join(dir, 'out.json'), 'utf8')).tests).toHaveLength(2)
})
