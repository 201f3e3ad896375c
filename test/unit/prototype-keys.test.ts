import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonFileError, parseJsonText } from '../../src/workspace/json-file';
import { applyMergePatch } from '../../src/workspace/merge-patch';
import { PrototypeKeyError, prototypeKeyPath } from '../../src/workspace/prototype-keys';
import { GrantStore } from '../../src/workspace/grants';
import { SecretsStore } from '../../src/workspace/secrets';
import { InvalidSettingsError, SettingsStore } from '../../src/workspace/settings';
import { tempDir } from '../helpers/workspace';

// JSON.parse makes `__proto__` an own key, as a request body arrives; an object literal would set the prototype.
const json = (text: string) => JSON.parse(text) as unknown;

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('applyMergePatch', () => {
  it.each([
    ['{"__proto__": {"agent": {"maxTurns": 7}}}', ['__proto__']],
    ['{"agent": {"constructor": {"x": 1}}}', ['agent', 'constructor']],
    ['{"agent": {"retry": {"prototype": 1}}}', ['agent', 'retry', 'prototype']],
  ])('refuses %s, naming the key', (patch, path) => {
    const target = { agent: { maxTurns: 50, retry: {} } };
    const error = thrown(() => applyMergePatch(target, json(patch)));
    expect(error).toBeInstanceOf(PrototypeKeyError);
    expect((error as PrototypeKeyError).path).toEqual(path);
    expect((error as PrototypeKeyError).message).toBe(`"${path.at(-1)}" is not allowed as a key`);
    expect(target).toEqual({ agent: { maxTurns: 50, retry: {} } });
    expect(({} as { agent?: unknown }).agent).toBeUndefined();
  });

  it('still merges ordinary keys', () => {
    expect(applyMergePatch({ a: { b: 1, c: 2 } }, json('{"a": {"c": null, "d": 3}, "protos": 1}'))).toEqual({
      a: { b: 1, d: 3 },
      protos: 1,
    });
  });
});

describe('prototypeKeyPath', () => {
  it('finds a prototype key at any depth, in arrays too', () => {
    expect(prototypeKeyPath(json('{"events": [{"ok": 1}, {"input": {"__proto__": {}}}]}'))).toEqual([
      'events',
      1,
      'input',
      '__proto__',
    ]);
    expect(prototypeKeyPath(json('{"a": [1, "constructor", {"b": "prototype"}]}'))).toBeUndefined();
  });
});

describe('JSON files with prototype keys', () => {
  it('parseJsonText refuses one with its field and line', () => {
    const text = '{\n  "agent": {\n    "__proto__": { "maxTurns": 7 }\n  }\n}\n';
    const error = thrown(() => parseJsonText('settings.json', text));
    expect(error).toBeInstanceOf(JsonFileError);
    expect(error).toMatchObject({ field: 'agent.__proto__', line: 3, problem: '"__proto__" is not allowed as a key' });
  });

  it('a settings.json holding __proto__ is reported as invalid, never applied', async () => {
    const file = join(await tempDir(), 'settings.json');
    const text = '{ "__proto__": { "agent": { "maxTurns": 7 } } }\n';
    await writeFile(file, text);
    await expect(SettingsStore.open(file)).rejects.toMatchObject({
      name: 'JsonFileError',
      field: '__proto__',
      line: 1,
    });
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('so is a secrets.json or a permissions.json holding one', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'secrets.json'), '{ "providers": { "constructor": { "apiKey": "k" } } }');
    await expect(SecretsStore.open(join(dir, 'secrets.json'))).rejects.toMatchObject({
      name: 'JsonFileError',
      field: 'providers.constructor',
    });
    await writeFile(join(dir, 'permissions.json'), '{ "version": 1, "grants": [], "prototype": {} }');
    await expect(GrantStore.open(join(dir, 'permissions.json'))).rejects.toMatchObject({
      name: 'JsonFileError',
      field: 'prototype',
    });
  });
});

describe('SettingsStore.patch', () => {
  it('refuses a prototype key with the field, changing nothing in memory or on disk', async () => {
    const file = join(await tempDir(), 'settings.json');
    const store = await SettingsStore.open(file);
    const error = await store.patch(json('{"__proto__": {"agent": {"maxTurns": 7}}}')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidSettingsError);
    expect(error).toMatchObject({ field: '__proto__', message: '__proto__: "__proto__" is not allowed as a key' });
    await expect(store.patch(json('{"agent": {"constructor": {"maxTurns": 7}}}'))).rejects.toMatchObject({
      field: 'agent.constructor',
    });
    expect(store.get().agent.maxTurns).toBe(50);
    expect(await readFile(file, 'utf8')).toBe('{}\n');
  });
});
