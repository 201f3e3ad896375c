import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JsonFileError, lineOf, parseJsonText, validateJson } from '../../src/workspace/json-file';
import { applyMergePatch } from '../../src/workspace/merge-patch';

const schema = z.strictObject({
  a: z.strictObject({ b: z.number().default(1) }).prefault({}),
  list: z.array(z.string()).default([]),
});

function catchError(fn: () => unknown): JsonFileError {
  try {
    fn();
  } catch (error) {
    return error as JsonFileError;
  }
  throw new Error('expected an error');
}

describe('parseJsonText', () => {
  it('reports a syntax error with its line', () => {
    const error = catchError(() => parseJsonText('f.json', '{\n  "a": {\n    "b": 1\n  \n}'));
    expect(error).toBeInstanceOf(JsonFileError);
    expect(error.line).toBe(5);
    expect(error.message).toMatch(/^f\.json \(line 5\): invalid JSON/);
  });

  it('names a trailing comma and points at its line', () => {
    const error = catchError(() => parseJsonText('f.json', '{\n  "a": 1,\n}\n'));
    expect(error.line).toBe(2);
    expect(error.problem).toMatch(/trailing comma/);
  });

  it('refuses comments and empty files', () => {
    expect(catchError(() => parseJsonText('f.json', '// hi\n{}')).line).toBe(1);
    expect(catchError(() => parseJsonText('f.json', '  \n')).problem).toMatch(/empty/);
  });

  it('returns the value of valid JSON', () => {
    expect(parseJsonText('f.json', '{"x":[1,2]}')).toEqual({ x: [1, 2] });
  });
});

describe('validateJson', () => {
  it('fills defaults', () => {
    expect(validateJson('f.json', '{}', {}, schema)).toEqual({ a: { b: 1 }, list: [] });
  });

  it('names the field and line of a wrong value', () => {
    const text = '{\n  "a": {\n    "b": "two"\n  }\n}';
    const error = catchError(() => validateJson('f.json', text, JSON.parse(text), schema));
    expect(error.field).toBe('a.b');
    expect(error.line).toBe(3);
  });

  it('names an unknown field itself', () => {
    const text = '{\n  "a": {\n    "c": 1\n  }\n}';
    const error = catchError(() => validateJson('f.json', text, JSON.parse(text), schema));
    expect(error.field).toBe('a.c');
    expect(error.line).toBe(3);
    expect(error.problem).toMatch(/unknown field/);
  });

  it('writes array indexes in brackets', () => {
    const text = '{"list": ["x", 5]}';
    expect(catchError(() => validateJson('f.json', text, JSON.parse(text), schema)).field).toBe('list[1]');
  });
});

describe('lineOf', () => {
  it('counts newlines before the offset', () => {
    expect(lineOf('a\nb\nc', 0)).toBe(1);
    expect(lineOf('a\nb\nc', 4)).toBe(3);
  });
});

describe('applyMergePatch', () => {
  it('merges objects, replaces arrays and removes keys set to null', () => {
    const target = { a: { b: 1, c: 2 }, list: [1, 2], gone: true };
    expect(applyMergePatch(target, { a: { c: 3 }, list: [9], gone: null })).toEqual({ a: { b: 1, c: 3 }, list: [9] });
    expect(target).toEqual({ a: { b: 1, c: 2 }, list: [1, 2], gone: true });
  });

  it('replaces a non-object target', () => {
    expect(applyMergePatch(5, { a: 1 })).toEqual({ a: 1 });
    expect(applyMergePatch({ a: 1 }, 'x')).toBe('x');
  });
});
