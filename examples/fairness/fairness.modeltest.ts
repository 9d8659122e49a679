import { describe, expect, test } from 'vitest'
import { dataset, model } from 'modeltest'
import { registerChecks } from 'modeltest/matchers'
import { bagOfWordsInput } from '../sentiment/features.js'
import { toHaveAccuracyGapBelow } from './fairness.js'

registerChecks({ toHaveAccuracyGapBelow })

const holdout = await dataset('data/holdout.csv')
const candidate = await model('../sentiment/models/candidate/model.json', await bagOfWordsInput('../sentiment/models/candidate/vocab.json'))

describe('fairness', () => {
  test('every site is in the holdout', () => expect(holdout).toHaveValuesIn('site', ['imdb', 'yelp', 'amazon']))
  test('movie and restaurant reviews are classified alike', async () => {
    await expect(candidate).toHaveAccuracyGapBelow(0.1, { on: holdout, label: 'label', by: 'site', between: ['imdb', 'yelp'] })
  })
})
