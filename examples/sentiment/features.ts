import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { tf, type Row } from 'modeltest'

/** Lower-cased words and apostrophes: the tutorial's tokenizer (`[a-z']+`). */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[a-z']+/g) ?? []
}

/** The words of the vocabulary, in the order of the model's input columns. */
export async function readVocabulary(path: string): Promise<string[]> {
  return JSON.parse(await readFile(path, 'utf8')) as string[]
}

/**
 * The model's input: a bag of words, one column per vocabulary word, 1 where the text has it.
 * Used by train.ts to fit the model and by the tests as the model's `preprocess`.
 */
export function bagOfWords(vocabulary: string[]): (rows: Row[]) => tf.Tensor2D {
  const index = new Map(vocabulary.map((word, i) => [word, i]))
  return (rows) => {
    const x = new Float32Array(rows.length * vocabulary.length)
    rows.forEach((row, r) => {
      for (const word of tokenize(String(row.text ?? ''))) {
        const column = index.get(word)
        if (column !== undefined) x[r * vocabulary.length + column] = 1
      }
    })
    return tf.tensor2d(x, [rows.length, vocabulary.length])
  }
}

/**
 * The model options for a bag of words over the vocabulary at `path`: the preprocessing, and the key that
 * fixes its output for the prediction cache (this file's code and the vocabulary's bytes), so that a re-run
 * finds every batch without tokenizing a row, and a change to either misses.
 */
export async function bagOfWordsInput(path: string): Promise<{ preprocess: (rows: Row[]) => tf.Tensor2D; preprocessKey: string }> {
  const vocabulary = await readFile(path)
  const code = await readFile(fileURLToPath(import.meta.url))
  const preprocessKey = createHash('sha256').update(code).update(vocabulary).digest('hex')
  return { preprocess: bagOfWords(JSON.parse(vocabulary.toString('utf8')) as string[]), preprocessKey }
}
