import { describe, expect, test } from 'vitest'
import { dataset, model } from 'modeltest'
import { bagOfWordsInput } from './features.js'

const train = await dataset('data/train.csv')
const holdout = await dataset('data/holdout.csv')
const candidate = await model('models/candidate/model.json', await bagOfWordsInput('models/candidate/vocab.json'))
const baseline = await model('models/baseline/model.json', await bagOfWordsInput('models/baseline/vocab.json'))

describe('data', () => {
  test('schema', () => expect(train).toMatchSchema({ text: 'string', label: 'int' }))
  test('no nulls in training data', () => expect(train).toHaveNoNulls(['text', 'label']))
  test('no nulls in holdout data', () => expect(holdout).toHaveNoNulls(['text', 'label']))
  test('enough rows', () => expect(train).toHaveAtLeastRows(1000))
  test('labels are 0 or 1', () => expect(train).toHaveValuesIn('label', [0, 1]))
  test('balanced classes', () => expect(train).toHaveClassBalance('label', { maxShare: 0.8 }))
  test('no duplicate sentences', () => expect(train).toHaveUniqueValues(['text']))
  test('no holdout sentence in training', () => expect(holdout).toHaveNoOverlapWith(train, { on: ['text'] }))
  test('holdout labels drawn like training labels', () => expect(holdout).toHaveNoDriftFrom(train, { columns: ['label'] }))
  test('training data keeps its reviewed shape', () => expect(train).toMatchProfileSnapshot({ rows: 0.1, nullRate: 0.01 }))
})

describe('model', () => {
  test('accuracy', async () => {
    await expect(candidate).toMeetAccuracy(0.8, { on: holdout, label: 'label' })
  })
  test('latency', async () => {
    await expect(candidate).toHaveP95LatencyBelow(50, { input: holdout.head(1) })
  })
  test('no regression from the baseline', async () => {
    await expect(candidate).toNotRegressFrom(baseline, { on: holdout, label: 'label', maxDrop: 0.02 })
  })
})
