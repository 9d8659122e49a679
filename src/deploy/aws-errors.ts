/** AWS SDK errors in words, shared by the control plane (deploy, canary) and the runtime (model.sagemaker): never with credentials. */

const CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN']

/** The text with credentials taken out: the values of the AWS credential variables, and anything shaped like an access key id. */
export function redact(text: string): string {
  let out = text
  for (const variable of CREDENTIAL_VARIABLES) {
    const value = process.env[variable]
    if (value && value.length >= 8) out = out.split(value).join('[redacted]')
  }
  return out.replace(/\b(AKIA|ASIA)[A-Z0-9]{12,}\b/g, '[redacted]')
}

/** The SDK's name for an error (ThrottlingException, ModelError, …), or 'Error'. */
export function errorName(error: unknown): string {
  return (error as { name?: string })?.name ?? 'Error'
}

/** An error's message, credentials taken out. */
export function redactedMessage(error: unknown): string {
  return redact(String((error as Error)?.message ?? error))
}

/** Which part of the job's AWS setup an error points at: the region, the credentials, or neither. */
export function setupProblem(name: string, message: string): 'region' | 'credentials' | undefined {
  if (/region is missing/i.test(message)) return 'region'
  if (/credential|AccessDenied|UnrecognizedClient|InvalidClientTokenId|ExpiredToken|SignatureDoesNotMatch/i.test(`${name} ${message}`)) return 'credentials'
  return undefined
}
