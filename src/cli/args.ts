/** An argument as [flag, inline value]: `--rate=25` is ['--rate', '25'], anything else [argument, undefined]. */
export function splitFlag(arg: string): [string, string | undefined] {
  const equals = arg.startsWith('--') ? arg.indexOf('=') : -1
  return equals > 0 ? [arg.slice(0, equals), arg.slice(equals + 1)] : [arg, undefined]
}
