/**
 * Metric checks at scale: for each metric toMeetMetric knows, the time of its value with its interval
 * (measureMetric, what the check records) against the point estimate alone (METRICS[name].compute),
 * on synthetic evaluations of 100k and 1M rows, printed as absolute times and as the ratio.
 * Model inference is left out: both sides start from the same evaluated rows.
 *
 *   npx tsx bench/metrics-scale.ts            (ROWS=100000,1000000 METRICS=accuracy,f1 to narrow it)
 * Each time is the median of up to three runs.
 */
import { cpus, loadavg } from 'node:os'
import { METRICS, measureMetric, predictedClasses, type Evaluation } from '../src/index.js'
import { mulberry32 } from '../src/random.js'

const sizes = (process.env.ROWS ?? '100000,1000000').split(',').map(Number)
const names = process.env.METRICS?.split(',') ?? Object.keys(METRICS)

/** A three-class classifier's rows (labels, class probabilities, argmax classes), for one-vs-rest ROC AUC. */
function threeClasses(n: number): Evaluation {
  const random = mulberry32(n + 3)
  const labels = new Int32Array(n)
  const values = new Float64Array(3 * n)
  for (let i = 0; i < n; i++) {
    labels[i] = Math.floor(random() * 3)
    let sum = 0
    for (let c = 0; c < 3; c++) sum += values[3 * i + c] = random() + (c === labels[i] ? 0.5 : 0)
    for (let c = 0; c < 3; c++) values[3 * i + c] /= sum
  }
  const scores = { rows: n, width: 3, values }
  return { labels, predicted: predictedClasses(scores), scores }
}

/** A binary classifier's rows (labels, P(1) in two columns, argmax classes), or a regression's. */
function evaluation(n: number, kind: 'classification' | 'regression'): Evaluation {
  const random = mulberry32(n)
  const labels = new Float64Array(n)
  if (kind === 'regression') {
    const predicted = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      labels[i] = 100 + 20 * random()
      predicted[i] = labels[i] + 10 * (random() - 0.5)
    }
    return { labels, predicted, scores: { rows: n, width: 1, values: predicted } }
  }
  const values = new Float32Array(2 * n)
  for (let i = 0; i < n; i++) {
    labels[i] = random() < 0.3 ? 1 : 0
    const p = Math.min(1, Math.max(0, 0.35 + 0.3 * labels[i] + 0.5 * (random() - 0.5)))
    values[2 * i] = 1 - p
    values[2 * i + 1] = p
  }
  const scores = { rows: n, width: 2, values }
  return { labels: Int32Array.from(labels), predicted: predictedClasses(scores), scores }
}

/** The median of up to three timed runs (one when a run takes seconds), in seconds: this machine is shared and noisy. */
function seconds(run: () => unknown): number {
  const times: number[] = []
  while (times.length < 3 && times.reduce((a, b) => a + b, 0) < 5) {
    const start = performance.now()
    run()
    times.push((performance.now() - start) / 1000)
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]
}

console.log(
  `# metric checks at scale: ${cpus().length} cores (${cpus()[0]?.model}), load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, node ${process.version}`,
)
console.log('| rows | metric | interval | point estimate s | with interval s | ratio |')
console.log('|---:|---|---|---:|---:|---:|')
for (const n of sizes) {
  const rows = { classification: evaluation(n, 'classification'), regression: evaluation(n, 'regression') }
  const runs = names.map((name) => ({ name, label: name, data: rows[METRICS[name].kind] }))
  if (names.includes('roc_auc')) runs.push({ name: 'roc_auc', label: 'roc_auc (one-vs-rest, 3 classes)', data: threeClasses(n) })
  for (const { name, label, data } of runs) {
    const metric = METRICS[name]
    metric.compute(data, {}) // warm-up
    const point = seconds(() => metric.compute(data, {}))
    let method = ''
    const full = seconds(() => (method = measureMetric(name, data).interval.method))
    console.log(`| ${n.toLocaleString('en')} | ${label} | ${method} | ${point.toFixed(3)} | ${full.toFixed(3)} | ${(full / point).toFixed(1)}× |`)
  }
}
