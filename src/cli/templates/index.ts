// The files `modeltest init` writes, as functions of what it learnt about the user's data and model.
import type { ColumnType } from '../../data/types.js'

/** What `modeltest init` knows when it writes: paths relative to the project folder, POSIX separators. */
export interface Scaffold {
  dataPath: string
  modelPath: string
  label: string
  labelType: ColumnType
  /** Numeric columns other than the label, fed to the model in this order. */
  features: string[]
  /** Columns the model does not get as they are (text, dates, booleans): the user encodes them, or not. */
  leftOut: string[]
  schema: Record<string, ColumnType>
  /** A row count the data meets today, rounded down, for toHaveAtLeastRows and --min-samples. */
  minRows: number
  testDir: string
  reportsDir: string
}

/** The tutorial's thresholds: min-accuracy 0.80, max-latency-ms 50, max-imbalance 0.8. */
const MIN_ACCURACY = 0.8
const MIN_R2 = 0.5
const MAX_LATENCY_MS = 50
const MAX_CLASS_SHARE = 0.8

export function configFile(scaffold: Scaffold): string {
  const reports = scaffold.reportsDir
  return `import { defineConfig } from 'modeltest/config'

// Read by \`npx modeltest\` in this folder; command-line flags override it.
export default defineConfig({
  include: [${quote(scaffold.testDir)}],
  junit: '${reports}/junit.xml',
  json: '${reports}/modeltest.json',
  html: '${reports}/modeltest.html',
  // On GitHub Actions the Markdown summary goes to $GITHUB_STEP_SUMMARY; set summary: 'path.md' to keep a copy.
})
`
}

/** True when the label holds numbers that are not class indices: a regression target. */
function isRegression(scaffold: Scaffold): boolean {
  return scaffold.labelType === 'float'
}

export function modelTestFile(scaffold: Scaffold): string {
  const { label, features } = scaffold
  const checked = [...features, label]
  const schema = checked.map((name) => `${key(name)}: '${scaffold.schema[name]}'`).join(', ')
  const dataChecks = [
    `  test('schema', () => expect(data).toMatchSchema({ ${schema} }, { allowExtra: true }))`,
    `  test('no nulls', () => expect(data).toHaveNoNulls(${list(checked)}))`,
    `  test('enough rows', () => expect(data).toHaveAtLeastRows(${scaffold.minRows}))`,
  ]
  if (!isRegression(scaffold)) dataChecks.push(`  test('balanced classes', () => expect(data).toHaveClassBalance(${quote(label)}, { maxShare: ${MAX_CLASS_SHARE} }))`)
  const quality = isRegression(scaffold)
    ? `  // TODO: the R² your use case needs; toMeetMetric also knows 'rmse', 'mae' and 'mape' (at most).
  test('r2', () => expect(candidate).toMeetMetric('r2', ${MIN_R2}, { on: data, label: ${quote(label)} }))`
    : `  // TODO: the accuracy your use case needs.
  test('accuracy', () => expect(candidate).toMeetAccuracy(${MIN_ACCURACY.toFixed(2)}, { on: data, label: ${quote(label)} }))`
  const labelNote =
    scaffold.labelType === 'string'
      ? `// TODO: '${label}' holds text; modeltest compares predictions with class indices 0, 1, … in the order of the
// model's outputs. Store the label as those indices (or true/false) in the data.
`
      : ''
  const leftOutNote = scaffold.leftOut.length > 0 ? `\n//   Not fed to the model, as they are not numeric: ${scaffold.leftOut.join(', ')}. Encode them in preprocess if it needs them.` : ''
  return `// A first modeltest suite, written by \`modeltest init\`. Run it with \`npx modeltest\`.
import { describe, expect, test } from 'vitest'
import { dataset, model } from 'modeltest'
import type {} from 'modeltest/matchers' // the matchers' types, for the editor

// TODO: test the model on a holdout set it was not trained on, and keep the training data for the data checks.
const data = await dataset(${quote(scaffold.dataPath)})
${labelNote}
// TODO: adapt the preprocessing. As written, these numeric columns go to the model as they are, in this order,
//   one row per example. A model trained on scaled, encoded or tokenised inputs needs the same steps here:
//   model(path, { preprocess: (rows) => rows.map((row) => [((row.age as number) - 40) / 12, ...]) })${leftOutNote}
const candidate = await model(${quote(scaffold.modelPath)}, {
${modelInput(features)}
})

describe('data', () => {
${dataChecks.join('\n')}
})

describe('model', () => {
${quality}
  test('latency', () => expect(candidate).toHaveP95LatencyBelow(${MAX_LATENCY_MS}, { input: data.head(1) }))
})
`
}

/** The model's input option: the numeric columns, or a preprocess stub that says what to write when there are none. */
function modelInput(features: string[]): string {
  if (features.length > 0) return `  features: ${list(features)},`
  return `  preprocess: () => {
    throw new Error('modeltest init found no numeric column to feed the model: write its preprocessing in ' + import.meta.url)
  },`
}

export function workflowFile(scaffold: Scaffold): string {
  const columns = [...scaffold.features, scaffold.label].map(shellWord).join(',')
  const labelFlags = isRegression(scaffold) ? '' : ` --label ${shellWord(scaffold.label)} --max-imbalance ${MAX_CLASS_SHARE}`
  const reports = scaffold.reportsDir
  return `# Written by \`modeltest init\`: checks the data, then the model, on every push and pull request.
# modeltest must be a devDependency of this project (npm install --save-dev modeltest).
name: ML Pipeline

on:
  push:
    branches: [main]
  pull_request:
  workflow_dispatch:

permissions:
  contents: read
  checks: write # the JUnit report becomes a check run

concurrency:
  group: ml-pipeline-\${{ github.ref }}
  cancel-in-progress: true

jobs:
  modeltest:
    name: Data and model checks
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4

      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm

      - run: npm ci

      - name: Validate data
        run: |
          mkdir -p ${reports}
          npx modeltest validate ${shellWord(scaffold.dataPath)} \\
            --columns ${columns} \\
            --min-samples ${scaffold.minRows}${labelFlags} \\
            --output ${reports}/validation_report.json

      # Writes ${reports}/junit.xml, modeltest.json and modeltest.html (modeltest.config.ts), and the job summary.
      - name: Model tests
        run: npx modeltest

      - name: Publish JUnit report
        if: \${{ !cancelled() }}
        uses: mikepenz/action-junit-report@v5
        with:
          report_paths: ${reports}/junit.xml
          check_name: modeltest

      - name: Upload reports
        if: \${{ !cancelled() }}
        uses: actions/upload-artifact@v4
        with:
          name: modeltest-reports
          path: ${reports}/
`
}

/** A TypeScript string literal in single quotes. */
function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

/** A TypeScript object key: bare when it is an identifier. */
function key(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : quote(name)
}

function list(names: string[]): string {
  return `[${names.map(quote).join(', ')}]`
}

/** A shell word: as it is when it is plain, single-quoted otherwise. */
function shellWord(text: string): string {
  return /^[\w./:@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`
}
