import { describe, expect, test } from 'vitest'
import { checkChoice, checkColumnList, checkNumber, checkOptionKeys, closest } from '../../src/guard.js'

describe('closest: the likely intended name of a misspelt one', () => {
  test.each([
    ['--baseline-reprot', ['--baseline-report', '--junit'], '--baseline-report'],
    ['duraton', ['duration', 'rate'], 'duration'],
    ['p59', ['p95', 'p99'], 'p95'],
    ['badRow', ['badRows', 'format'], 'badRows'],
  ])('%s → %s', (name, candidates, expected) => expect(closest(name, candidates)).toBe(expected))

  test('nothing when no candidate is near', () => expect(closest('--frobnicate', ['--baseline-report', '--junit'])).toBeUndefined())
})

describe('guards name the call, the parameter and the allowed values', () => {
  test('unknown option key', () => expect(() => checkOptionKeys({ badRow: 'skip' }, ['badRows', 'format'], 'dataset()')).toThrow("dataset(): unknown option 'badRow' (did you mean 'badRows'?)\n  The options are 'badRows' and 'format'."))
  test('options that are not an object', () => expect(() => checkOptionKeys('csv', ['format'], 'dataset()')).toThrow("dataset(): the options must be an object, got 'csv'"))
  test('a choice outside the set', () => expect(() => checkChoice('excel', ['csv', 'tsv'], 'format', 'dataset()')).toThrow("dataset(): format 'excel' is not one of 'csv' and 'tsv'"))
  test('an empty column list', () => expect(() => checkColumnList([], 'columns', 'toHaveNoNulls')).toThrow('toHaveNoNulls: columns is empty'))
  test('a column list with a non-name', () => expect(() => checkColumnList(['a', 3], 'columns', 'toHaveUniqueValues')).toThrow('toHaveUniqueValues: columns[1] must be a column name, got number 3'))
  test('a number out of range', () => expect(() => checkNumber(1.5, 'mostly', 'toHaveNoNulls', { min: 0, max: 1 })).toThrow('toHaveNoNulls: mostly must be a number between 0 and 1, got number 1.5'))
  test('what is allowed passes', () => {
    expect(() => checkOptionKeys(undefined, ['format'], 'dataset()')).not.toThrow()
    expect(checkChoice(undefined, ['csv'], 'format', 'dataset()')).toBeUndefined()
    expect(checkColumnList(['a', 'b'], 'columns', 'x')).toEqual(['a', 'b'])
  })
})
