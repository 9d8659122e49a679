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
function setupProblem(name: string, message: string): 'region' | 'credentials' | undefined {
  if (/region is missing/i.test(message)) return 'region'
  if (/credential|AccessDenied|UnrecognizedClient|InvalidClientTokenId|ExpiredToken|SignatureDoesNotMatch/i.test(`${name} ${message}`)) return 'credentials'
  return undefined
}

/** What to do about an AWS failure, in one service's words. */
export interface AwsFixes {
  /** No answer within the request timeout. */
  timeout: string
  /** Something that is not AWS answered (a proxy's error page). */
  notJson: string
  /** By the error's name (ModelError, NoSuchBucket, …): the service's own errors, before the setup's. */
  byName?: Partial<Record<string, string>>
  /** No region configured. */
  region: string
  /** Credentials missing, expired or without the permission. */
  credentials: string
  /** Anything else. */
  otherwise: string
}

/** The fix for an AWS failure: by its kind (timeout, not AWS's answer), then by its name, then by the job's setup (region, credentials), else `otherwise`. */
export function awsFix(failure: AwsFailure, fixes: AwsFixes): string {
  if (failure.kind === 'timeout') return fixes.timeout
  if (failure.kind === 'not-json') return fixes.notJson
  const problem = setupProblem(failure.name, failure.message)
  return fixes.byName?.[failure.name] ?? (problem ? fixes[problem] : fixes.otherwise)
}

/** An AWS SDK error in words: its name, the HTTP status, and what happened, credentials taken out. */
export interface AwsFailure {
  /** SageMaker's error name (ValidationException, ModelError, …), TimeoutError, or `HTTP 502` for an answer that is not AWS's JSON. */
  name: string
  /** The HTTP status of the answer; undefined when none came. */
  status?: number
  /** The message: SageMaker's, the time limit that ran out, or the first line of a body that is not JSON. */
  message: string
  /** timeout: no answer within the limit; not-json: something else answered (a proxy's error page); aws: AWS's own error. */
  kind: 'timeout' | 'not-json' | 'aws'
  /** All of it in one phrase: `ValidationException: Could not find endpoint … (HTTP 400)`, `HTTP 502: an answer that is not JSON: Bad gateway`. */
  text: string
}

/** @smithy/node-http-handler's timeout messages, and what each says happened. */
const TIMEOUTS: [RegExp, string][] = [
  [/establish a connection .* within the configured timeout of (\d+) ms/, 'no connection within $1 ms (the request timeout)'],
  [/exceeded the configured (\d+) ms requestTimeout/, 'no answer within $1 ms (the request timeout)'],
  [/timed out after (\d+) ms of inactivity/, 'the answer stalled for $1 ms (the request timeout)'],
]

/** What an AWS SDK error says happened, for a message that names the status and never a parser's SyntaxError. */
export function describeAwsError(error: unknown): AwsFailure {
  const name = errorName(error)
  const message = redactedMessage(error)
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode
  if (name === 'TimeoutError') {
    const words = TIMEOUTS.map(([pattern, words]) => message.match(pattern)?.[0].replace(pattern, words)).find(Boolean)
    return failure({ name, status, message: words ?? message, kind: 'timeout' })
  }
  // A body the SDK could not parse as AWS's JSON: a proxy, load balancer or gateway answered, not AWS.
  if (name === 'SyntaxError' || message.includes('Deserialization error')) {
    const body = (error as { $response?: { body?: unknown } }).$response?.body
    const text = body instanceof Uint8Array ? new TextDecoder().decode(body) : typeof body === 'string' ? body : ''
    return failure({ name: status ? `HTTP ${status}` : name, status, message: `an answer that is not JSON${text ? `: ${redact(firstTextLine(text))}` : ''}`, kind: 'not-json' })
  }
  return failure({ name, status, message, kind: 'aws' })
}

function failure(parts: Omit<AwsFailure, 'text'>): AwsFailure {
  return { ...parts, text: `${parts.name}: ${parts.message}${parts.kind === 'aws' && parts.status ? ` (HTTP ${parts.status})` : ''}` }
}

/** The first line of an answer's body with text in it, HTML tags taken out (`<h1>502 Bad Gateway</h1>` → `502 Bad Gateway`), at most 200 characters. */
export function firstTextLine(text: string): string {
  const lines = text.split(/\r?\n/)
  const line =
    lines
      .map((line) =>
        line
          .replace(/<[^>]*>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim(),
      )
      .find(Boolean) ?? lines[0]
  return line.length > 200 ? `${line.slice(0, 200)}…` : line
}

/** The middleware stack of an AWS SDK client, as far as keepErrorBodies uses it. */
interface MiddlewareClient {
  middlewareStack: { add(middleware: (next: (args: never) => Promise<{ response: unknown }>) => (args: never) => Promise<{ response: unknown }>, options: { step: 'deserialize'; name: string; priority: 'low' }): void }
}

/**
 * Keeps the body of an error answer (status ≥ 300) on the response, so that `describeAwsError` can quote a
 * proxy's HTML page: the SDK reads the body to parse it, and when parsing fails the text is gone.
 */
export function keepErrorBodies<C extends MiddlewareClient>(client: C): C {
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args)
      const response = result.response as { statusCode?: number; body?: unknown }
      if ((response.statusCode ?? 0) >= 300 && isAsyncIterable(response.body)) {
        const chunks: Uint8Array[] = []
        for await (const chunk of response.body) chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : (chunk as Uint8Array))
        response.body = Buffer.concat(chunks)
      }
      return result
    },
    { step: 'deserialize', name: 'modeltestKeepErrorBodies', priority: 'low' },
  )
  return client
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === 'function'
}
