/**
 * The one error a user's mistake produces: what went wrong, where, and how to fix it.
 * The CLI prints these three parts without a stack trace (`--debug` adds it).
 */
export class ModeltestError extends Error {
  readonly what: string
  readonly where?: string
  readonly fix?: string

  constructor(parts: { what: string; where?: string; fix?: string; cause?: unknown }) {
    const head = parts.where ? `${parts.where}: ${parts.what}` : parts.what
    super(parts.fix ? `${head}\n  ${parts.fix}` : head, { cause: parts.cause })
    this.name = 'ModeltestError'
    this.what = parts.what
    this.where = parts.where
    this.fix = parts.fix
  }
}

export function isModeltestError(error: unknown): error is ModeltestError {
  return error instanceof Error && error.name === 'ModeltestError'
}

/** Lists choices for an error message: `'a', 'b' and 'c'`. */
export function listNames(names: readonly string[]): string {
  const quoted = names.map((name) => `'${name}'`)
  if (quoted.length <= 1) return quoted.join('')
  return `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`
}
