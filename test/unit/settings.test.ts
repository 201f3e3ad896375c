import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUEL_DEFAULTS } from '../../src/contract/fuel';
import { JsonFileError } from '../../src/workspace/json-file';
import { SecretsStore } from '../../src/workspace/secrets';
import { InvalidSettingsError, SettingsStore } from '../../src/workspace/settings';
import { tempDir } from '../helpers/workspace';

describe('SettingsStore', () => {
  it('creates an empty file and fills defaults in memory', async () => {
    const file = join(await tempDir(), 'settings.json');
    const store = await SettingsStore.open(file);
    expect(store.get().ui.theme).toBe('system');
    expect(store.get().server.allowedHosts).toEqual([]);
    expect(await readFile(file, 'utf8')).toBe('{}\n');
  });

  it('writes only what was patched, keeping hand edits made meanwhile', async () => {
    const file = join(await tempDir(), 'settings.json');
    const store = await SettingsStore.open(file);
    await writeFile(file, '{ "server": { "allowedHosts": ["box.example.com"] } }');
    const seen: string[] = [];
    store.onChange((s) => seen.push(s.ui.theme));
    const next = await store.patch({ ui: { theme: 'dark' } });
    expect(next.ui.theme).toBe('dark');
    expect(next.server.allowedHosts).toEqual(['box.example.com']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      server: { allowedHosts: ['box.example.com'] },
      ui: { theme: 'dark' },
    });
    expect(seen).toEqual(['dark']);
  });

  it('null in a patch returns a field to its default', async () => {
    const file = join(await tempDir(), 'settings.json');
    const store = await SettingsStore.open(file);
    await store.patch({ ui: { theme: 'light' } });
    expect((await store.patch({ ui: { theme: null } })).ui.theme).toBe('system');
  });

  it('lifts a budget with "unlimited" (a patch cannot set null), and reads a hand-written null the same way', async () => {
    const file = join(await tempDir(), 'settings.json');
    const store = await SettingsStore.open(file);
    expect(store.get().sandbox.maxWriteBytes).toBe(100 * 1024 * 1024);
    expect((await store.patch({ sandbox: { maxWriteBytes: 'unlimited', fuel: 'unlimited' } })).sandbox).toMatchObject({
      maxWriteBytes: null,
      fuel: null,
    });
    expect((await store.patch({ sandbox: { fuel: null } })).sandbox.fuel).toBe(FUEL_DEFAULTS.fuel);
    await writeFile(file, JSON.stringify({ sandbox: { wasmFuel: null } }));
    expect((await SettingsStore.open(file)).get().sandbox.wasmFuel).toBe(null);
  });

  it('refuses an invalid patch, naming the field, and changes nothing', async () => {
    const file = join(await tempDir(), 'settings.json');
    const store = await SettingsStore.open(file);
    await store.patch({ ui: { theme: 'dark' } });
    const before = await readFile(file, 'utf8');
    const error = await store.patch({ ui: { theme: 'neon' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidSettingsError);
    expect((error as InvalidSettingsError).field).toBe('ui.theme');
    await expect(store.patch({ server: { allowedHosts: ['http://x/'] } })).rejects.toMatchObject({
      field: 'server.allowedHosts[0]',
    });
    await expect(store.patch({ nope: 1 })).rejects.toMatchObject({ field: 'nope' });
    await expect(store.patch([1])).rejects.toBeInstanceOf(InvalidSettingsError);
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(store.get().ui.theme).toBe('dark');
  });

  it('refuses what only the sandbox and the permission policy can read, naming the field', async () => {
    const store = await SettingsStore.open(join(await tempDir(), 'settings.json'));
    const refusals: [unknown, string, RegExp][] = [
      [
        { sandbox: { allowedOutboundHosts: ['https://api.example.com', 'ftp://x'] } },
        'sandbox.allowedOutboundHosts[1]',
        /scheme/,
      ],
      [{ sandbox: { blockNetworks: ['10.0.0.0/99'] } }, 'sandbox.blockNetworks[0]', /10\.0\.0\.0\/99/],
      [
        { sandbox: { tools: { web_fetch: { allowedOutboundHosts: ['not a host'] } } } },
        'sandbox.tools.web_fetch.allowedOutboundHosts[0]',
        /not a host/,
      ],
      [{ sandbox: { mounts: [{ host: 'relative/dir', guest: '/data' }] } }, 'sandbox.mounts[0].host', /absolute path/],
      [
        { sandbox: { mounts: [{ host: '/tmp', guest: '/.tool-output/x' }] } },
        'sandbox.mounts[0].guest',
        /\.tool-output/,
      ],
      [{ sandbox: { mounts: [{ host: '/tmp', guest: '/.boxagnts' }] } }, 'sandbox.mounts[0].guest', /\.boxagnts/],
      [{ permissions: { rules: ['allow read', 'permit everything'] } }, 'permissions.rules[1]', /is not a rule/],
    ];
    for (const [patch, field, problem] of refusals) {
      const error = await store.patch(patch).catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(InvalidSettingsError);
      expect(error, field).toMatchObject({ field });
      expect((error as InvalidSettingsError).problem, field).toMatch(problem);
    }
    const ok = await store.patch({
      sandbox: { allowedOutboundHosts: ['https://*.example.com'], mounts: [{ host: '/tmp', guest: '/data' }] },
      permissions: { rules: ['deny bash(rm *)'] },
    });
    expect(ok.sandbox.mounts).toEqual([{ host: '/tmp', guest: '/data', readOnly: false }]);
    expect(ok.permissions.rules).toEqual(['deny bash(rm *)']);
  });

  it('will not open or patch over a broken file, and leaves it byte for byte', async () => {
    const dir = await tempDir();
    const file = join(dir, 'settings.json');
    const broken = '{\n  "ui": { "theme": "dark", }\n}\n';
    await writeFile(file, broken);
    await expect(SettingsStore.open(file)).rejects.toBeInstanceOf(JsonFileError);
    expect(await readFile(file, 'utf8')).toBe(broken);

    await writeFile(file, '{}');
    const store = await SettingsStore.open(file);
    await writeFile(file, broken);
    await expect(store.patch({ ui: { theme: 'light' } })).rejects.toBeInstanceOf(JsonFileError);
    expect(await readFile(file, 'utf8')).toBe(broken);
  });

  it('applies concurrent patches one after another and leaves no temp files', async () => {
    const dir = await tempDir();
    const file = join(dir, 'settings.json');
    const store = await SettingsStore.open(file);
    await Promise.all(
      ['a.example.com', 'b.example.com', 'c.example.com'].map((h, i) =>
        store.patch(i === 2 ? { server: { allowedHosts: [h] } } : { ui: { theme: i === 0 ? 'light' : 'dark' } }),
      ),
    );
    expect(store.get().ui.theme).toBe('dark');
    expect(store.get().server.allowedHosts).toEqual(['c.example.com']);
    expect(await readdir(dir)).toEqual(['settings.json']);
  });
});

describe('SecretsStore', () => {
  it('creates secrets.json private to the user and tightens a loose mode', async () => {
    const dir = await tempDir();
    const file = join(dir, 'secrets.json');
    const store = await SecretsStore.open(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await store.setProviderKey('openai', 'sk-test');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(store.providerKey('openai')).toBe('sk-test');

    await writeFile(file, '{"providers":{"x":{"apiKey":"k"}}}', { mode: 0o644 });
    const reopened = await SecretsStore.open(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(reopened.hasProviderKey('x')).toBe(true);
    await reopened.setProviderKey('x', undefined);
    expect(reopened.hasProviderKey('x')).toBe(false);
  });

  it('reports an invalid file without echoing its contents', async () => {
    const file = join(await tempDir(), 'secrets.json');
    await writeFile(file, '{"providers":{"x":{"apiKey":"sk-very-secret","extra":1}}}');
    const error = (await SecretsStore.open(file).catch((e: unknown) => e)) as JsonFileError;
    expect(error).toBeInstanceOf(JsonFileError);
    expect(error.message).not.toContain('sk-very-secret');
  });
});
