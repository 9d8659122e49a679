// Writes last week's labelled production rows (features and label) as CSV, for the retrain job to add to the
// training data: npx tsx export-labelled.ts data/production.csv (reads the same variables as the checks).
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { FEATURES, lastWeek } from './capture.js'

const out = createWriteStream(process.argv[2] ?? 'data/production.csv')
const columns = [...FEATURES, 'label']
out.write(columns.join(',') + '\n')
for await (const rows of (await lastWeek()).labelled().batches(10_000)) {
  if (!out.write(rows.map((row) => columns.map((name) => row[name] ?? '').join(',')).join('\n') + '\n')) await once(out, 'drain')
}
out.end()
await once(out, 'finish')
