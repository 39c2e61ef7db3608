/*
 * Turns a JSON Schema of the OpenAPI document into rows of a property table (name, type, required,
 * description, constraints), nested objects as dotted names, so the reference page reads as a list
 * of fields rather than as raw JSON Schema. Pure, so it is tested apart from the page.
 */

export type JsonSchema = { [key: string]: unknown };

/** A constraint, rendered by the page in the reader's language (key of the apiDocs catalog's `constraint`). */
export interface Constraint {
  kind: 'min' | 'max' | 'exclusiveMin' | 'exclusiveMax' | 'minLength' | 'maxLength' | 'minItems' | 'maxItems' | 'pattern' | 'default' | 'format';
  value: string;
}

export interface SchemaRow {
  /** Dotted path; `[]` marks the items of an array: 'nic.adapterType', 'systems[].name'. */
  name: string;
  /** depth of nesting, for indentation. */
  depth: number;
  type: string;
  required: boolean;
  description?: string;
  constraints: Constraint[];
}

const MAX_DEPTH = 4;

/** Follows `#/components/schemas/...` refs (one level at a time, guarded against cycles by the caller). */
export function resolveRef(schema: JsonSchema, components: Record<string, JsonSchema>): JsonSchema {
  let s = schema;
  for (let i = 0; i < 10 && typeof s.$ref === 'string'; i++) {
    const name = (s.$ref as string).split('/').pop() ?? '';
    const target = components[name];
    if (!target) break;
    const { $ref: _ref, ...rest } = s;
    s = { ...target, ...rest };
  }
  return s;
}

const json = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** A short type name: 'string', 'integer', 'string[]', '"a" | "b"', 'object', 'string | null'. */
export function typeName(schema: JsonSchema, components: Record<string, JsonSchema>, seen = new Set<string>()): string {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.split('/').pop() ?? '';
    if (seen.has(name)) return name;
    return typeName(resolveRef(schema, components), components, new Set([...seen, name]));
  }
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(union)) return [...new Set(union.map((s) => typeName(s, components, seen)))].join(' | ');
  if (Array.isArray(schema.allOf)) return (schema.allOf as JsonSchema[]).map((s) => typeName(s, components, seen)).join(' & ');
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === 'string' ? [schema.type] : [];
  if (types.includes('array')) {
    const items = schema.items as JsonSchema | undefined;
    const inner = items ? typeName(items, components, seen) : 'any';
    const arr = inner.includes(' ') ? `(${inner})[]` : `${inner}[]`;
    return [arr, ...types.filter((t) => t !== 'array')].join(' | ');
  }
  return types.length ? types.join(' | ') : 'any';
}

function constraintsOf(s: JsonSchema): Constraint[] {
  const out: Constraint[] = [];
  const add = (kind: Constraint['kind'], v: unknown) => {
    if (v !== undefined) out.push({ kind, value: json(v) });
  };
  // zod writes the JavaScript safe-integer limits for every int(); they say nothing to a reader.
  const meaningful = (v: unknown) => (typeof v === 'number' && Math.abs(v) >= Number.MAX_SAFE_INTEGER ? undefined : v);
  add('min', meaningful(s.minimum));
  add('max', meaningful(s.maximum));
  add('exclusiveMin', s.exclusiveMinimum);
  add('exclusiveMax', s.exclusiveMaximum);
  add('minLength', s.minLength);
  add('maxLength', s.maxLength);
  add('minItems', s.minItems);
  add('maxItems', s.maxItems);
  add('pattern', s.pattern);
  add('format', s.format);
  add('default', s.default);
  return out;
}

/** The object schema(s) behind `s`: its own properties, or those of each branch of a union. */
function objectParts(s: JsonSchema, components: Record<string, JsonSchema>): JsonSchema[] {
  const r = resolveRef(s, components);
  if (r.properties) return [r];
  const branches = (r.anyOf ?? r.oneOf ?? r.allOf) as JsonSchema[] | undefined;
  return Array.isArray(branches) ? branches.flatMap((b) => objectParts(b, components)) : [];
}

/** Rows for every property of an object schema (and of nested objects and arrays of objects). */
export function schemaRows(schema: JsonSchema, components: Record<string, JsonSchema>): SchemaRow[] {
  const rows: SchemaRow[] = [];
  const walk = (s: JsonSchema, prefix: string, depth: number, seen: Set<string>) => {
    if (depth > MAX_DEPTH) return;
    for (const part of objectParts(s, components)) {
      const required = new Set((part.required as string[] | undefined) ?? []);
      for (const [name, raw] of Object.entries((part.properties ?? {}) as Record<string, JsonSchema>)) {
        const ref = typeof raw.$ref === 'string' ? raw.$ref : undefined;
        if (ref && seen.has(ref)) {
          rows.push({ name: `${prefix}${name}`, depth, type: typeName(raw, components), required: required.has(name), constraints: [] });
          continue;
        }
        const p = resolveRef(raw, components);
        const full = `${prefix}${name}`;
        if (rows.some((r) => r.name === full)) continue; // the same field in two branches of a union
        rows.push({
          name: full, depth, type: typeName(raw, components), required: required.has(name),
          ...(typeof p.description === 'string' ? { description: p.description } : {}),
          constraints: constraintsOf(p),
        });
        const next = ref ? new Set([...seen, ref]) : seen;
        walk(p, `${full}.`, depth + 1, next);
        const items = p.items as JsonSchema | undefined;
        if (items) walk(items, `${full}[].`, depth + 1, next);
      }
    }
  };
  walk(schema, '', 0, new Set());
  return rows;
}
