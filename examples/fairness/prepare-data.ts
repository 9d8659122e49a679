// Writes data/holdout.csv: the sentiment example's holdout sentences with the site each review came
// from (imdb, yelp, amazon), looked up in the UCI files shipped in the `sentiment` npm package. The
// site is the slice the fairness check compares.
// Run: npx tsx prepare-data.ts
import { readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { dataset } from 'modeltest'

const here = dirname(new URL(import.meta.url).pathname)
const fixtures = join(dirname(createRequire(import.meta.url).resolve('sentiment/package.json')), 'test', 'fixtures')
const siteOf = new Map<string, string>()
for (const site of ['imdb', 'yelp', 'amazon']) {
  const records = JSON.parse(await readFile(join(fixtures, `${site}.json`), 'utf8')) as { text: string }[]
  // The sentiment example keeps the first copy of a repeated text, so the first site that has it is its site.
  for (const { text } of records) if (!siteOf.has(text.trim())) siteOf.set(text.trim(), site)
}
const holdout = await (await dataset(join(here, '..', 'sentiment', 'data', 'holdout.csv'))).rows()
const quoted = (text: string) => `"${text.replace(/"/g, '""')}"`
const lines = holdout.map(({ text, label }) => `${quoted(String(text))},${String(label)},${siteOf.get(String(text)) ?? 'unknown'}`)
await writeFile(join(here, 'data', 'holdout.csv'), ['text,label,site', ...lines].join('\n') + '\n')
console.log(`data/holdout.csv: ${lines.length} rows`)
