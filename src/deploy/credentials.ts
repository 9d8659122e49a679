/** Credentials never reach a log line, an error message or a report. */

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
