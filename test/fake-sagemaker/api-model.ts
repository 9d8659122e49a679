/**
 * Checks a request against the API model the AWS SDK ships: the schemas of an SDK client package (each
 * operation's input structure, its members, their types, the required ones) and, for SageMaker, the enums it
 * exports. The fakes accept what they are given; this tells the requests AWS would refuse.
 */
import * as sdk from '@aws-sdk/client-sagemaker'

/** A schema as the SDK encodes it: a number for a simple type, an array for a structure (3), list (1) or map (2), a thunk, or `[schema, traits]`. */
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

/**
 * What is wrong with the input of `action` (e.g. `CreateModel`) of an SDK client package (SageMaker by default;
 * `await import('@aws-sdk/client-s3')` for S3), one line per problem; empty when it fits the model.
 */
export function requestProblems(action: string, body: unknown, client: object = sdk): string[] {
  const Command = (client as Record<string, new (input: object) => { schema: readonly unknown[] }>)[`${action}Command`]
  if (!Command) return [`${action}: not an operation of this client`]
  const problems: string[] = []
  check(new Command({}).schema[4] as Schema, body, action, problems)
  return problems
}

function check(schema: Schema, value: unknown, path: string, problems: string[]): void {
  let resolved = schema
  // A thunk, or a member with its traits (`[schema, traits]`, as S3's HTTP bindings are given).
  while (typeof resolved === 'function' || (Array.isArray(resolved) && resolved.length === 2)) resolved = typeof resolved === 'function' ? resolved() : (resolved[0] as Schema)
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
      if (item === undefined) continue
      const at = members.indexOf(key)
      if (at < 0) problems.push(`${path}.${key}: not a member of ${name}`)
      else {
        check(schemas[at], item, `${path}.${key}`, problems)
        const allowed = ENUMS[`${name}.${key}`]
        if (allowed && !Object.values(allowed).includes(item as string)) problems.push(`${path}.${key}: '${item as string}' is not one of ${name}.${key}'s values`)
      }
    }
  } else if (kind !== 0) problems.push(`${path}: schema kind ${kind} not understood`) // 0: a simple type with traits (S3's StreamingBlob)
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
