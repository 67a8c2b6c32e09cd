/**
 * Reading the hub's OpenAPI document for the docs page: operations grouped by tag, and schemas
 * flattened into rows (name, type, required, depth) with $refs resolved once per branch.
 */
import type { OpenAPIDocument, OpenAPIOperation, Schema } from '@/api/openapi'

export interface DocOperation {
  key: string
  method: string
  path: string
  op: OpenAPIOperation
}

export interface DocGroup {
  tag: string
  operations: DocOperation[]
}

const METHOD_ORDER = ['get', 'post', 'put', 'patch', 'delete']

export function groupOperations(doc: OpenAPIDocument, filter = ''): DocGroup[] {
  const needle = filter.trim().toLowerCase()
  const groups = new Map<string, DocOperation[]>()
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const text = `${method} ${path} ${op.summary ?? ''} ${op['x-permission'] ?? ''}`.toLowerCase()
      if (needle && !text.includes(needle)) continue
      const tag = op.tags?.[0] ?? 'Other'
      const list = groups.get(tag) ?? []
      list.push({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, op })
      groups.set(tag, list)
    }
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([tag, operations]) => ({
      tag,
      operations: operations.sort(
        (a, b) => a.path.localeCompare(b.path) || METHOD_ORDER.indexOf(a.method.toLowerCase()) - METHOD_ORDER.indexOf(b.method.toLowerCase()),
      ),
    }))
}

/** The scopes a route needs ([] for public routes). */
export function scopesOf(op: OpenAPIOperation): string[] {
  const set = new Set<string>()
  for (const req of op.security ?? []) for (const scopes of Object.values(req)) scopes.forEach((s) => set.add(s))
  return [...set]
}

export function isPublic(op: OpenAPIOperation): boolean {
  return (op.security ?? []).length === 0
}

export interface SchemaRow {
  name: string
  type: string
  required: boolean
  depth: number
}

function refName(schema: Schema): string | null {
  const ref = schema.$ref
  return typeof ref === 'string' ? ref.replace('#/components/schemas/', '') : null
}

function resolve(doc: OpenAPIDocument, schema: Schema): { schema: Schema; name: string | null } {
  const name = refName(schema)
  return name ? { schema: doc.components.schemas[name] ?? {}, name } : { schema, name: null }
}

/** A short type label: string, integer | null, array of KanbanCard, object… */
export function typeLabel(doc: OpenAPIDocument, schema: Schema | undefined): string {
  if (!schema || Object.keys(schema).length === 0) return 'any'
  const name = refName(schema)
  if (name) return name
  if (Array.isArray(schema.oneOf)) return (schema.oneOf as Schema[]).map((s) => typeLabel(doc, s)).join(' | ')
  const t = schema.type
  const types = Array.isArray(t) ? (t as string[]) : t ? [t as string] : []
  return types
    .map((ty) => (ty === 'array' ? `array of ${typeLabel(doc, schema.items as Schema | undefined)}` : ty))
    .join(' | ') || 'any'
}

function objectOf(doc: OpenAPIDocument, schema: Schema): Schema | null {
  let s = resolve(doc, schema).schema
  if (Array.isArray(s.oneOf)) s = resolve(doc, (s.oneOf as Schema[])[0] ?? {}).schema
  if (s.items && typeof s.items === 'object') s = resolve(doc, s.items as Schema).schema
  return s.properties ? s : null
}

/** The fields of a schema, nested objects indented, each component expanded once per branch. */
export function schemaRows(doc: OpenAPIDocument, schema: Schema | undefined, depth = 0, seen: string[] = []): SchemaRow[] {
  if (!schema || depth > 4) return []
  const name = refName(schema)
  if (name && seen.includes(name)) return []
  const obj = objectOf(doc, schema)
  if (!obj) return []
  const required = new Set((obj.required as string[] | undefined) ?? [])
  const rows: SchemaRow[] = []
  const props = obj.properties as Record<string, Schema>
  for (const key of Object.keys(props).sort()) {
    const prop = props[key] ?? {}
    rows.push({ name: key, type: typeLabel(doc, prop), required: required.has(key), depth })
    rows.push(...schemaRows(doc, prop, depth + 1, name ? [...seen, name] : seen))
  }
  return rows
}

/** The JSON schema of an operation's success answer, with its status and media type. */
export function successOf(op: OpenAPIOperation): { status: string; type: string; schema?: Schema } | null {
  const status = Object.keys(op.responses).find((s) => s.startsWith('2') || s === '101')
  if (!status) return null
  const content = op.responses[status]?.content ?? {}
  const type = Object.keys(content)[0] ?? ''
  return { status, type, schema: content[type]?.schema }
}
