/**
 * The subset of JSON Schema (draft 2020-12) that modeltest's published schemas use: `type` (with
 * `integer` and lists of types), `const`, `enum`, `required`, `properties`, `additionalProperties`
 * as a schema, `items`, and `$ref` to `#` or `#/$defs/<name>` of the same document.
 */
export interface JsonSchema {
  type?: JsonType | JsonType[]
  const?: unknown
  enum?: unknown[]
  required?: string[]
  properties?: Record<string, JsonSchema>
  additionalProperties?: JsonSchema
  items?: JsonSchema
  $ref?: string
  $defs?: Record<string, JsonSchema>
}

type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null'

/**
 * The first place where `value` breaks `schema`, worded for a person: `missing tests[0].checks`,
 * `tests[0].state is 'done', expected one of 'passed', 'failed', 'skipped'`; undefined when it follows it.
 * `root` is the document `$ref`s point into.
 */
export function schemaProblem(value: unknown, schema: JsonSchema, root: JsonSchema = schema, path = ''): string | undefined {
  if (schema.$ref !== undefined) return schemaProblem(value, resolveRef(schema.$ref, root), root, path)
  const name = path || 'the top level'
  if (schema.const !== undefined && value !== schema.const) return `${name} is ${show(value)}, expected ${show(schema.const)}`
  if (schema.enum && !schema.enum.includes(value)) return `${name} is ${show(value)}, expected one of ${schema.enum.map(show).join(', ')}`
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type]
    if (!types.some((type) => hasType(value, type))) return `${name} is ${article(typeName(value))}, expected ${types.map(article).join(' or ')}`
  }
  if (Array.isArray(value)) {
    if (!schema.items) return undefined
    for (let i = 0; i < value.length; i++) {
      const problem = schemaProblem(value[i], schema.items, root, `${path}[${i}]`)
      if (problem) return problem
    }
    return undefined
  }
  if (value === null || typeof value !== 'object') return undefined
  const record = value as Record<string, unknown>
  const at = (key: string) => (path ? `${path}.${key}` : key)
  for (const key of schema.required ?? []) if (!(key in record)) return `missing ${at(key)}`
  for (const [key, item] of Object.entries(record)) {
    const inner = schema.properties?.[key] ?? schema.additionalProperties
    const problem = inner && schemaProblem(item, inner, root, at(key))
    if (problem) return problem
  }
  return undefined
}

function resolveRef(ref: string, root: JsonSchema): JsonSchema {
  if (ref === '#') return root
  const target = /^#\/\$defs\/([^/]+)$/.exec(ref)
  const resolved = target && root.$defs?.[target[1]]
  // A schema of modeltest's own: a bad reference is a bug, not a user's mistake.
  if (!resolved) throw new Error(`JSON Schema: cannot resolve $ref '${ref}'`)
  return resolved
}

function hasType(value: unknown, type: JsonType): boolean {
  if (type === 'integer') return Number.isInteger(value)
  return typeName(value) === type || (type === 'number' && typeof value === 'number')
}

function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

function article(type: string): string {
  return type === 'null' ? 'null' : `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`
}

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`
  if (value === null || typeof value !== 'object') return String(value)
  return Array.isArray(value) ? 'an array' : 'an object'
}
