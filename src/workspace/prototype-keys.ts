/**
 * Keys that name JavaScript's object machinery rather than a field. Assigned in a merge, `__proto__` replaces the
 * target's prototype: its fields then show through every lookup, in memory only, since JSON.stringify writes own
 * fields. `constructor` and `prototype` name an object's class. No setting or stored record of ours has such a key,
 * so JSON carrying one is refused wherever it enters, naming where.
 */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type JsonPath = (string | number)[];

export function prototypeKeyProblem(key: string): string {
  return `"${key}" is not allowed as a key`;
}

/** A merge was handed a prototype key; `path` leads to it. */
export class PrototypeKeyError extends Error {
  override readonly name = 'PrototypeKeyError';
  constructor(readonly path: JsonPath) {
    super(prototypeKeyProblem(String(path.at(-1))));
  }
}

/** The path to the first prototype key anywhere in a parsed JSON value, or undefined when it has none. */
export function prototypeKeyPath(value: unknown, path: JsonPath = []): JsonPath | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, i) => [i, item])
    : Object.entries(value);
  for (const [key, child] of entries) {
    if (typeof key === 'string' && PROTOTYPE_KEYS.has(key)) return [...path, key];
    const found = prototypeKeyPath(child, [...path, key]);
    if (found) return found;
  }
  return undefined;
}
