// Trains the example's two sentiment classifiers with tfjs and saves them under models/:
//   models/candidate: a bag of the 2,000 most frequent words → 32 ReLU units → 2 classes
//   models/baseline:  the same network on only the 150 most frequent words (the "production" model it must beat)
// Fixed seeds for the weights and the row order, so a re-run gives the same models on the same backend.
// Run: npx tsx train.ts
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { dataset, fileSaver, tf, tfjsBackend, type Dataset } from 'modeltest'
import { bagOfWords, tokenize } from './features.js'

const here = dirname(new URL(import.meta.url).pathname)

/** The `size` most frequent words of the training texts (ties broken alphabetically). */
async function buildVocabulary(train: Dataset, size: number): Promise<string[]> {
  const counts = new Map<string, number>()
  for (const text of await train.column('text')) for (const word of tokenize(String(text))) counts.set(word, (counts.get(word) ?? 0) + 1)
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, size)
    .map(([word]) => word)
}

async function trainModel(train: Dataset, name: string, vocabularySize: number, epochs: number): Promise<void> {
  const vocabulary = await buildVocabulary(train, vocabularySize)
  const order = train.sample(train.rowCount, { seed: 11 })
  const x = bagOfWords(vocabulary)(await order.rows())
  const y = tf.oneHot(tf.tensor1d((await order.column('label')) as number[], 'int32'), 2)
  const net = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [vocabulary.length], units: 32, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  })
  net.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] })
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- tfjs types verbose as ModelLoggingVerbosity but does not export that enum; 0 is its SILENT
  const history = await net.fit(x, y, { epochs, batchSize: 64, shuffle: false, verbose: 0 })
  const directory = join(here, 'models', name)
  await mkdir(directory, { recursive: true })
  await net.save(fileSaver(directory))
  await writeFile(join(directory, 'vocab.json'), JSON.stringify(vocabulary))
  const accuracy = history.history.acc?.at(-1) ?? history.history.accuracy?.at(-1)
  console.log(`${name}: ${vocabulary.length} words, ${epochs} epochs, training accuracy ${Number(accuracy).toFixed(4)}`)
  tf.dispose([x, y])
  net.dispose()
}

const backend = await tfjsBackend()
console.log(`tfjs backend: ${backend.backend} (${backend.package})`)
const train = await dataset(join(here, 'data', 'train.csv'))
await trainModel(train, 'candidate', 2000, 8)
await trainModel(train, 'baseline', 150, 8)
