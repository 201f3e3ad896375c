import { parseAlmostJson } from './repair-json';

type Schema = Record<string, unknown>;

export type Coerced = { ok: true; input: Record<string, unknown>; repairs: string[] } | { ok: false; reason: string };

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Past this depth (top-level properties are 0) values are left to the tool's own validation. */
const MAX_DEPTH = 1;
const NUMERIC = /^\s*-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/**
 * Fixes the arguments of a call written as text where the fix is certain, against the tool's JSON Schema: arguments
 * sent as a JSON string, "5" for a number, "true" for a boolean, 5 for a string, one value for a list, a JSON string
 * for a list or object, null for an optional property (dropped), a missing property that has a default, `filePath`
 * for `file_path`. What cannot be fixed (a missing required property, a word for a number) fails with a reason the
 * model can act on; everything else (limits, enums, unknown properties) is left to the tool's own validation.
 */
export function coerceArguments(tool: string, args: unknown, schema: Schema): Coerced {
  const repairs: string[] = [];
  let input = args ?? {};
  if (typeof input === 'string') {
    if (input.trim() === '') input = {};
    else {
      const parsed = parseAlmostJson(input);
      if (!parsed.ok || !isRecord(parsed.value))
        return { ok: false, reason: `the arguments of ${tool} must be a JSON object, not a string that holds none` };
      repairs.push('read the arguments from a JSON string', ...parsed.repairs);
      input = parsed.value;
    }
  }
  if (!isRecord(input))
    return {
      ok: false,
      reason: `the arguments of ${tool} must be a JSON object of parameters, not ${describe(input)}`,
    };
  const problems: string[] = [];
  const out = coerceObject(input, schema, { tool, repairs, problems, prefix: '', depth: 0 });
  return problems.length ? { ok: false, reason: problems.join('; ') } : { ok: true, input: out, repairs };
}

interface Walk {
  tool: string;
  repairs: string[];
  problems: string[];
  /** The path of the object being walked, as the messages name it ("todos[0]."). */
  prefix: string;
  depth: number;
}

function coerceObject(value: Record<string, unknown>, schema: Schema, walk: Walk): Record<string, unknown> {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.filter((k) => typeof k === 'string') : [];
  const out = renameKeys(value, properties, walk);
  for (const [key, property] of Object.entries(properties)) {
    if (!Object.hasOwn(out, key) || !isRecord(property)) continue;
    if (out[key] === null && !required.includes(key) && !typesOf(property).includes('null')) {
      delete out[key];
      walk.repairs.push(`dropped \`${walk.prefix}${key}\`, which was null`);
    } else out[key] = coerceValue(out[key], property, `${walk.prefix}${key}`, walk);
  }
  const missing: string[] = [];
  for (const key of required) {
    if (Object.hasOwn(out, key)) continue;
    const property = properties[key];
    if (isRecord(property) && Object.hasOwn(property, 'default')) {
      out[key] = property.default;
      walk.repairs.push(`used the default ${JSON.stringify(property.default)} for \`${walk.prefix}${key}\``);
    } else missing.push(`\`${walk.prefix}${key}\``);
  }
  if (missing.length) {
    const unknown = Object.keys(out).filter((key) => !Object.hasOwn(properties, key));
    const hint = unknown.length
      ? ` (it takes no ${list(
          unknown.map((key) => `\`${walk.prefix}${key}\``),
          'or',
        )})`
      : '';
    walk.problems.push(
      `${list(missing, 'and')} ${missing.length === 1 ? 'is' : 'are'} required by ${walk.tool}${hint}`,
    );
  }
  return out;
}

const list = (items: string[], word: string) =>
  items.length === 1 ? items[0]! : `${items.slice(0, -1).join(', ')} ${word} ${items.at(-1)!}`;

/** `filePath` or `file-path` for the `file_path` the schema names (and was not given): the same key, written apart. */
function renameKeys(value: Record<string, unknown>, properties: Schema, walk: Walk): Record<string, unknown> {
  const plain = (key: string) => key.replace(/[-_\s]/g, '').toLowerCase();
  // fromEntries defines each key, so a `__proto__` key written by the model stays a plain key.
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => {
      if (Object.hasOwn(properties, key)) return [key, v];
      const meant = Object.keys(properties).find((p) => plain(p) === plain(key) && !Object.hasOwn(value, p));
      if (!meant) return [key, v];
      walk.repairs.push(`renamed \`${walk.prefix}${key}\` to \`${walk.prefix}${meant}\``);
      return [meant, v];
    }),
  );
}

/** `value` as `schema` wants it, if it was wrong in a way that can be fixed; `path` names it ("todos[0].status"). */
function coerceValue(value: unknown, schema: Schema, path: string, walk: Walk): unknown {
  const types = typesOf(schema);
  if (types.length === 0) return value;
  if (types.some((type) => matches(value, type))) return descend(value, schema, path, walk);
  const fixed = convert(value, types);
  if (fixed !== undefined) {
    walk.repairs.push(`${fixed.note} for \`${path}\``);
    return descend(fixed.value, schema, path, walk);
  }
  walk.problems.push(`\`${path}\` of ${walk.tool} must be ${typeNames(types)}, not ${describe(value)}`);
  return value;
}

/** One certain conversion of `value` to one of `types`, with a note saying what was done. */
function convert(value: unknown, types: string[]): { value: unknown; note: string } | undefined {
  const wants = (type: string) => types.includes(type);
  if (typeof value === 'string') {
    const text = value.trim();
    if ((wants('number') || wants('integer')) && NUMERIC.test(text)) {
      const number = Number(text);
      if (wants('number') || Number.isInteger(number))
        return { value: number, note: `turned ${JSON.stringify(value)} into the number ${number}` };
    }
    if (wants('boolean') && /^(?:true|false)$/i.test(text)) {
      const bool = text.toLowerCase() === 'true';
      return { value: bool, note: `turned ${JSON.stringify(value)} into ${bool}` };
    }
    if ((wants('array') && text.startsWith('[')) || (wants('object') && text.startsWith('{'))) {
      const parsed = parseAlmostJson(text);
      if (parsed.ok && (Array.isArray(parsed.value) ? wants('array') : isRecord(parsed.value)))
        return { value: parsed.value, note: 'read the JSON in the string' };
    }
  }
  if ((typeof value === 'number' || typeof value === 'boolean') && wants('string'))
    return { value: String(value), note: `turned ${String(value)} into the string "${String(value)}"` };
  if (wants('array') && value !== null && value !== undefined && !Array.isArray(value))
    return { value: [value], note: 'put the single value in a list' };
  return undefined;
}

/** Coerces the properties of an object, or the items of a list, one level down from the top. */
function descend(value: unknown, schema: Schema, path: string, walk: Walk): unknown {
  if (walk.depth >= MAX_DEPTH) return value;
  const inner = { ...walk, depth: walk.depth + 1 };
  if (isRecord(value) && isRecord(schema.properties))
    return coerceObject(value, schema, { ...inner, prefix: `${path}.` });
  const items = schema.items;
  if (Array.isArray(value) && isRecord(items))
    return value.map((item, i) => {
      const at = `${path}[${i}]`;
      return isRecord(item) && isRecord(items.properties)
        ? coerceObject(item, items, { ...inner, prefix: `${at}.` })
        : coerceValue(item, items, at, inner);
    });
  return value;
}

/** The JSON types a schema allows: its `type`, or those of its anyOf/oneOf branches; empty when it says none. */
function typesOf(schema: Schema): string[] {
  const type = schema.type;
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.filter((t) => typeof t === 'string');
  const branches = [schema.anyOf, schema.oneOf].flatMap((b) => (Array.isArray(b) ? b : []));
  const types = branches.flatMap((branch) => (isRecord(branch) ? typesOf(branch) : []));
  // A branch that says no type allows anything, so no type can be enforced.
  return branches.length > 0 && types.length >= branches.length ? types : [];
}

function matches(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isRecord(value);
    case 'null':
      return value === null;
    default:
      return true;
  }
}

const ARTICLES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  null: 'null',
};

const typeNames = (types: string[]) => [...new Set(types.map((t) => ARTICLES[t] ?? t))].join(' or ');

/** A value as a message names it: `the string "abc"`, `the number 2.5`, `a list`. */
function describe(value: unknown): string {
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  return Array.isArray(value) ? 'a list' : 'an object';
}
