import type { OptionTable } from './options.js'

let cached: OptionTable | undefined

/**
 * The options vitest's own command line defines, so that `modeltest` passes those on and refuses any
 * other. vitest exports no list of them; its help, printed by its cac definitions through the public
 * `parseCLI`, is the list, so it follows the installed vitest. `--expand-help` adds the dotted
 * sub-options (`--coverage.enabled`); vitest reads it from process.argv.
 *
 * An option whose value is optional (`--silent [value]`, `-u, --update [type]`) takes it after `=` only
 * (`--silent=passed-only`), so that it never takes a test file for its value.
 */
export async function vitestOptions(): Promise<OptionTable> {
  if (cached) return cached
  const { parseCLI } = await import('vitest/node')
  const help: string[] = []
  const { log } = console
  const argv = process.argv
  console.log = (...parts: unknown[]) => void help.push(parts.join(' '))
  process.argv = [argv[0], 'vitest', '--help', '--expand-help']
  try {
    parseCLI(['vitest', '--help', '--expand-help'])
  } finally {
    console.log = log
    process.argv = argv
  }
  const options: Record<string, OptionTable[string]> = {}
  for (const line of help.join('\n').split('\n')) {
    const match = /^\s+(?:-(\w), )?--([\w.-]+)(?: ([<[]))?/.exec(line)
    if (!match) continue
    const [, short, name, bracket] = match
    const spec = { type: bracket === '<' ? 'value' : bracket === '[' ? 'optional' : 'switch', ...(short ? { short } : {}) } as const
    options[name] = spec
    // cac reads --testNamePattern and --test-name-pattern alike, and --no-<name> for every option.
    const kebab = name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)
    if (kebab !== name) options[kebab] = { type: spec.type }
    options[`no-${kebab}`] = { type: 'switch' }
  }
  // A vitest whose help reads differently must not turn every vitest option into an unknown one unnoticed.
  if (!options.reporter || !options.shard) throw new Error(`modeltest cannot read the options of vitest ${help[0] ?? ''} from its help; report this with your vitest version`)
  cached = options
  return cached
}
