/**
 * Checks a SageMaker control-plane request body against the API model the AWS SDK ships: the schemas of
 * @aws-sdk/client-sagemaker (each operation's input structure, its members, their types, the required ones) and
 * the enums it exports. The fake SageMaker accepts what it is given; this tells the requests AWS would refuse.
 */
import * as sdk from '@aws-sdk/client-sagemaker'

/** A schema as the SDK encodes it: a number for a simple type, an array for a structure (3), list (1) or map (2), or a thunk. */
type Schema = number | readonly unknown[] | (() => Schema)

/** Members whose values are enums, by `<structure>.<member>`. */
const ENUMS: Record<string, Record<string, string>> = {
  'ProductionVariant.InstanceType': sdk.ProductionVariantInstanceType,
  'TrafficRoutingConfig.Type': sdk.TrafficRoutingConfigType,
  'CapacitySize.Type': sdk.CapacitySizeType,
  'ListModelsInput.SortBy': sdk.ModelSortKey,
  'ListModelsInput.SortOrder': sdk.OrderKey,
  'ListEndpointConfigsInput.SortBy': sdk.EndpointConfigSortKey,
  'ListEndpointConfigsInput.SortOrder': sdk.OrderKey,
}

/** What is wrong with a request body of `action` (e.g. `CreateModel`), one line per problem; empty when it fits the model. */
export function requestProblems(action: string, body: unknown): string[] {
  const Command = (sdk as unknown as Record<string, new (input: object) => { schema: readonly unknown[] }>)[`${action}Command`]
  if (!Command) return [`${action}: not a SageMaker operation`]
  const problems: string[] = []
  check(new Command({}).schema[4] as Schema, body, action, problems)
  return problems
}

function check(schema: Schema, value: unknown, path: string, problems: string[]): void {
  let resolved = schema
  while (typeof resolved === 'function') resolved = resolved()
  if (typeof resolved === 'number') return checkSimple(resolved, value, path, problems)
  const [kind, , name] = resolved as [number, string, string]
  if (kind === 1) {
    if (!Array.isArray(value)) return void problems.push(`${path}: a list expected, got ${JSON.stringify(value)}`)
    value.forEach((item, i) => check(resolved[4] as Schema, item, `${path}[${i}]`, problems))
  } else if (kind === 2) {
    if (!isObject(value)) return void problems.push(`${path}: a map expected, got ${JSON.stringify(value)}`)
    for (const [key, item] of Object.entries(value)) check(resolved[5] as Schema, item, `${path}.${key}`, problems)
  } else if (kind === 3) {
    if (!isObject(value)) return void problems.push(`${path}: a ${name} structure expected, got ${JSON.stringify(value)}`)
    const members = resolved[4] as string[]
    const schemas = resolved[5] as Schema[]
    const required = members.slice(0, (resolved[6] as number | undefined) ?? 0)
    for (const member of required) if (value[member] === undefined) problems.push(`${path}.${member}: required by ${name}, missing`)
    for (const [key, item] of Object.entries(value)) {
      const at = members.indexOf(key)
      if (at < 0) problems.push(`${path}.${key}: not a member of ${name}`)
      else {
        check(schemas[at], item, `${path}.${key}`, problems)
        const allowed = ENUMS[`${name}.${key}`]
        if (allowed && !Object.values(allowed).includes(item as string)) problems.push(`${path}.${key}: '${item}' is not one of ${name}.${key}'s values`)
      }
    }
  } else problems.push(`${path}: schema kind ${kind} not understood`)
}

/** Simple types: 0 string, 1 number, 2 boolean, 4–7 timestamps (epoch seconds in JSON); 64| a list of, 128| a map of. */
function checkSimple(code: number, value: unknown, path: string, problems: string[]): void {
  if (code & 64) return check([1, '', 'list', 0, code & ~64], value, path, problems)
  if (code & 128) return check([2, '', 'map', 0, 0, code & ~128], value, path, problems)
  const expected = code === 0 ? 'string' : code === 1 ? 'number' : code === 2 ? 'boolean' : code >= 4 && code <= 7 ? 'number' : undefined
  if (expected && typeof value !== expected) problems.push(`${path}: a ${expected} expected, got ${JSON.stringify(value)}`)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
