import { describe, expect, test } from 'vitest'
import { awsFix, describeAwsError } from '../src/deploy/aws-errors.js'

const fixes = { timeout: 'timeout', notJson: 'not-json', byName: { ModelError: 'model' }, region: 'region', credentials: 'credentials', otherwise: 'otherwise' }

function sdkError(name: string, message: string, status?: number): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } })
}

describe('the fix for an AWS failure', () => {
  test('by its kind first: no answer in time, or an answer that is not AWS', () => {
    expect(awsFix(describeAwsError(sdkError('TimeoutError', 'Connection timed out after 100 ms of inactivity')), fixes)).toBe('timeout')
    expect(awsFix(describeAwsError(sdkError('SyntaxError', 'Unexpected token <', 502)), fixes)).toBe('not-json')
  })

  test("then by the service's own error name, before the job's setup", () => {
    expect(awsFix(describeAwsError(sdkError('ModelError', 'the container could not find its credentials file', 424)), fixes)).toBe('model')
  })

  test('then by the setup: a missing region, credentials refused', () => {
    expect(awsFix(describeAwsError(sdkError('Error', 'Region is missing')), fixes)).toBe('region')
    expect(awsFix(describeAwsError(sdkError('AccessDeniedException', 'User is not authorized to perform sagemaker:InvokeEndpoint', 400)), fixes)).toBe('credentials')
    expect(awsFix(describeAwsError(sdkError('ExpiredTokenException', 'The security token included in the request is expired', 400)), fixes)).toBe('credentials')
  })

  test('else the general advice', () => {
    expect(awsFix(describeAwsError(sdkError('ServiceUnavailable', 'try later', 503)), fixes)).toBe('otherwise')
    expect(awsFix(describeAwsError(sdkError('ModelError', 'x', 424)), { ...fixes, byName: undefined })).toBe('otherwise')
  })
})
