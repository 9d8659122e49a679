// Splits the UCI Sentiment Labelled Sentences (Kotzias et al. 2015, CC BY 4.0), as shipped in the
// `sentiment` npm package, into data/train.csv (80%) and data/holdout.csv (20%) with a fixed seed.
// The source repeats some short sentences ("Great phone."): each text is kept once, so that no holdout
// sentence is also a training sentence (the suite's toHaveNoOverlapWith check proves it).
// Run: npx tsx prepare-data.ts
import { readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { mulberry32 } from 'modeltest'

const fixtures = join(dirname(createRequire(import.meta.url).resolve('sentiment/package.json')), 'test', 'fixtures')
const rows: { text: string; label: number }[] = []
for (const source of ['imdb', 'yelp', 'amazon']) {
  const records = JSON.parse(await readFile(join(fixtures, `${source}.json`), 'utf8')) as { text: string; class: number | null }[]
  // Each file ends with one empty record ({ text: '', class: null }): not a sentence.
  for (const record of records) if (record.text.trim() && record.class !== null) rows.push({ text: record.text.trim(), label: record.class })
}
const seen = new Set<string>()
const unique = rows.filter((row) => !seen.has(row.text) && seen.add(row.text))
console.log(`${rows.length} sentences, ${rows.length - unique.length} repeated texts dropped`)
rows.splice(0, rows.length, ...unique)

// Fisher–Yates with a seeded generator: the same split on every machine.
const random = mulberry32(7)
for (let i = rows.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1))
  ;[rows[i], rows[j]] = [rows[j], rows[i]]
}

const csv = (part: typeof rows) => ['text,label', ...part.map((row) => `"${row.text.replace(/"/g, '""')}",${row.label}`)].join('\n') + '\n'
const cut = Math.floor(rows.length * 0.8)
const here = dirname(new URL(import.meta.url).pathname)
await writeFile(join(here, 'data', 'train.csv'), csv(rows.slice(0, cut)))
await writeFile(join(here, 'data', 'holdout.csv'), csv(rows.slice(cut)))
console.log(`train.csv ${cut} rows, holdout.csv ${rows.length - cut} rows`)
