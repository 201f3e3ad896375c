import { type JsonPath, PROTOTYPE_KEYS, PrototypeKeyError } from './prototype-keys';

export type JsonObject = { [key: string]: unknown };

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * JSON Merge Patch (RFC 7386): objects merge key by key, `null` removes a key, anything else replaces.
 * Returns a new value; neither input is changed. A prototype key in the patch throws PrototypeKeyError.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  return merge(target, patch, []);
}

/** A merge patch that is an object always gives an object (RFC 7386 §2). */
export function mergePatchObject(target: unknown, patch: JsonObject): JsonObject {
  return mergeObject(target, patch, []);
}

function merge(target: unknown, patch: unknown, path: JsonPath): unknown {
  return isPlainObject(patch) ? mergeObject(target, patch, path) : patch;
}

function mergeObject(target: unknown, patch: JsonObject, path: JsonPath): JsonObject {
  const result: JsonObject = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (PROTOTYPE_KEYS.has(key)) throw new PrototypeKeyError([...path, key]);
    if (value === null) delete result[key];
    else result[key] = merge(result[key], value, [...path, key]);
  }
  return result;
}
