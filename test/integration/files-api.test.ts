import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GlobalEvent } from '../../src/contract/global-events';
import { type TestServer, startTestServer } from '../helpers/server';
import { tempDir } from '../helpers/workspace';

async function workspace() {
  const s = await startTestServer();
  const root = s.workspaceDir;
  await mkdir(join(root, 'src', 'deep'), { recursive: true });
  await writeFile(join(root, 'src', 'a.ts'), 'export const a = 1;\n');
  await writeFile(join(root, 'src', 'deep', 'b.md'), '# B\n');
  await writeFile(join(root, 'notes.txt'), 'hello\n');
  await writeFile(join(root, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 1, 2, 3]));
  await writeFile(join(root, '.boxagnts', 'secrets.json'), '{"providers":{"x":"sk-secret"}}');
  const outside = await tempDir('boxagnts-outside-');
  await writeFile(join(outside, 'secret.txt'), 'OUTSIDE');
  await symlink(join(outside, 'secret.txt'), join(root, 'link-file'));
  await symlink(outside, join(root, 'link-dir'));
  return { s, root, outside };
}

const json = (s: TestServer, path: string, init: RequestInit = {}) => s.fetch(path, init);
const post = (s: TestServer, path: string, body: unknown) =>
  s.fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const q = encodeURIComponent;

async function errorOf(response: Response): Promise<{ status: number; code: string; message: string }> {
  const body: any = await response.json();
  return { status: response.status, code: body.error?.code, message: body.error?.message };
}

describe('file API: listing and reading', () => {
  it('lists folders, folders first, without .boxagnts or any symlink', async () => {
    const { s } = await workspace();
    const root: any = await (await json(s, '/api/files')).json();
    expect(root.entries.map((e: any) => `${e.type}:${e.path}`)).toEqual([
      'dir:src',
      'file:image.png',
      'file:notes.txt',
    ]);
    const src: any = await (await json(s, '/api/files?path=src')).json();
    expect(src.entries).toEqual([
      { name: 'deep', path: 'src/deep', type: 'dir', size: expect.any(Number), mtimeMs: expect.any(Number) },
      { name: 'a.ts', path: 'src/a.ts', type: 'file', size: 20, mtimeMs: expect.any(Number) },
    ]);
    expect(await errorOf(await json(s, '/api/files?path=missing'))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await errorOf(await json(s, '/api/files?path=notes.txt'))).toMatchObject({
      status: 400,
      code: 'not_a_folder',
    });
  });

  it('reads text with its version, says when a file is binary or too large', async () => {
    const { s, root } = await workspace();
    const response = await json(s, '/api/files/content?path=src/a.ts');
    const text: any = await response.json();
    expect(text).toMatchObject({
      path: 'src/a.ts',
      kind: 'text',
      content: 'export const a = 1;\n',
      size: 20,
      version: expect.any(String),
    });
    expect(response.headers.get('etag')).toBe(`"${text.version}"`);
    expect(await (await json(s, '/api/files/content?path=image.png')).json()).toMatchObject({
      kind: 'binary',
      mediaType: 'image/png',
    });
    await writeFile(join(root, 'big.log'), Buffer.alloc(6 * 1024 * 1024, 'x'));
    const big: any = await (await json(s, '/api/files/content?path=big.log')).json();
    expect(big).toMatchObject({ kind: 'too_large', size: 6 * 1024 * 1024, limit: 5 * 1024 * 1024 });
    expect(big.content).toBeUndefined();
    expect(await errorOf(await json(s, '/api/files/content?path=src'))).toMatchObject({
      status: 400,
      code: 'is_a_folder',
    });
  });
});

describe('file API: refusals', () => {
  const escapes = [
    '..',
    '../etc/passwd',
    'src/../../etc/passwd',
    '%2e%2e/etc/passwd',
    'src/%2e%2e/notes.txt',
    'src\\a.ts',
    '..\\..\\etc\\passwd',
    '/etc/passwd',
    '/notes.txt',
    'src//a.ts',
    './notes.txt',
  ];

  it('refuses .., %2e%2e, backslashes and absolute paths on every route, changing nothing', async () => {
    const { s, root } = await workspace();
    for (const raw of escapes) {
      // A raw `%2e%2e` reaches the server as `..` once the query is decoded; the rest are sent encoded.
      const path = raw.includes('%') ? raw : q(raw);
      for (const url of [
        `/api/files?path=${path}`,
        `/api/files/content?path=${path}`,
        `/api/files/download?path=${path}`,
      ]) {
        expect(await errorOf(await json(s, url)), url).toMatchObject({ status: 400, code: 'invalid_path' });
      }
      const put = await json(s, `/api/files/content?path=${path}`, {
        method: 'PUT',
        headers: { 'if-none-match': '*' },
        body: JSON.stringify({ content: 'x' }),
      });
      expect(put.status, raw).toBe(400);
      expect((await post(s, '/api/files/delete', { paths: [decodeURIComponent(path)] })).status).toBe(400);
      expect((await post(s, '/api/files/mkdir', { path: decodeURIComponent(path) })).status).toBe(400);
      expect((await post(s, '/api/files/move', { paths: ['notes.txt'], to: decodeURIComponent(path) })).status).toBe(
        400,
      );
    }
    expect(await readFile(join(root, 'notes.txt'), 'utf8')).toBe('hello\n');
    expect(await readdir(root)).toEqual(expect.arrayContaining(['notes.txt', 'src']));
    expect((await post(s, '/api/files/rename', { path: 'notes.txt', name: '../escaped.txt' })).status).toBe(400);
    expect((await post(s, '/api/files/rename', { path: 'notes.txt', name: 'a\\b' })).status).toBe(400);
    expect(await readFile(join(root, 'notes.txt'), 'utf8')).toBe('hello\n');
  });

  it('treats a symlink out of the workspace and .boxagnts as absent, and changes neither', async () => {
    const { s, root, outside } = await workspace();
    for (const path of ['link-file', 'link-dir/secret.txt', '.boxagnts/secrets.json', '.boxagnts']) {
      for (const url of [
        `/api/files/content?path=${q(path)}`,
        `/api/files/download?path=${q(path)}`,
        `/api/files?path=${q(path)}`,
      ]) {
        const response = await json(s, url);
        expect(response.status, url).toBe(404);
        expect(await response.text()).not.toMatch(/OUTSIDE|sk-secret/);
      }
      const put = await json(s, `/api/files/content?path=${q(path)}`, {
        method: 'PUT',
        headers: { 'if-none-match': '*' },
        body: JSON.stringify({ content: 'planted' }),
      });
      expect(put.status, path).toBe(404);
      expect((await post(s, '/api/files/delete', { paths: [path] })).status).toBe(404);
      expect((await post(s, '/api/files/rename', { path, name: 'taken' })).status).toBe(404);
      expect((await post(s, '/api/files/copy', { paths: [path], to: '' })).status).toBe(404);
    }
    expect((await post(s, '/api/files/move', { paths: ['notes.txt'], to: '.boxagnts' })).status).toBe(404);
    expect((await post(s, '/api/files/copy', { paths: ['notes.txt'], to: 'link-dir' })).status).toBe(404);
    expect((await post(s, '/api/files/rename', { path: 'notes.txt', name: '.boxagnts' })).status).toBe(404);
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('OUTSIDE');
    expect(await readdir(outside)).toEqual(['secret.txt']);
    expect(await readFile(join(root, '.boxagnts', 'secrets.json'), 'utf8')).toBe('{"providers":{"x":"sk-secret"}}');
    expect(await readFile(join(root, 'notes.txt'), 'utf8')).toBe('hello\n');
  });
});

describe('file API: saving', () => {
  it('saves with the version it loaded, refuses a stale one with 409 and writes nothing', async () => {
    const { s, root } = await workspace();
    const loaded: any = await (await json(s, '/api/files/content?path=notes.txt')).json();
    const save = (content: string, headers: Record<string, string>) =>
      json(s, '/api/files/content?path=notes.txt', { method: 'PUT', headers, body: JSON.stringify({ content }) });
    const saved = await save('first edit ✓\n', { 'if-match': `"${loaded.version}"` });
    expect(saved.status).toBe(200);
    const first: any = await saved.json();
    expect(first.version).not.toBe(loaded.version);
    expect(await readFile(join(root, 'notes.txt'), 'utf8')).toBe('first edit ✓\n');

    const stale = await save('from an old tab\n', { 'if-match': `"${loaded.version}"` });
    expect(await errorOf(stale)).toMatchObject({ status: 409, code: 'version_conflict' });
    expect(await readFile(join(root, 'notes.txt'), 'utf8')).toBe('first edit ✓\n');
    await writeFile(join(root, 'notes.txt'), 'changed outside\n');
    const conflict: any = await (await save('mine\n', { 'if-match': `"${first.version}"` })).json();
    expect(conflict.error).toMatchObject({ code: 'version_conflict', version: expect.any(String) });
    expect(await readFile(join(root, 'notes.txt'), 'utf8')).toBe('changed outside\n');
    expect(await errorOf(await save('no version\n', {}))).toMatchObject({ status: 428, code: 'version_required' });
    expect(await readFile(join(root, 'notes.txt'), 'utf8')).toBe('changed outside\n');

    const created = await json(s, '/api/files/content?path=src/new/file.txt', {
      method: 'PUT',
      headers: { 'if-none-match': '*' },
      body: JSON.stringify({ content: 'new' }),
    });
    expect(created.status).toBe(200);
    expect(await readFile(join(root, 'src', 'new', 'file.txt'), 'utf8')).toBe('new');
    const again = await json(s, '/api/files/content?path=src/new/file.txt', {
      method: 'PUT',
      headers: { 'if-none-match': '*' },
      body: JSON.stringify({ content: 'clobber' }),
    });
    expect(again.status).toBe(409);
    expect(await readFile(join(root, 'src', 'new', 'file.txt'), 'utf8')).toBe('new');
  });
});

function form(files: { name: string; content: string | Buffer }[]): FormData {
  const data = new FormData();
  for (const file of files) data.append('file', new Blob([file.content]), file.name);
  return data;
}

describe('file API: upload and download', () => {
  it('streams uploads into a folder, renaming on a clash, and downloads them back', async () => {
    const { s, root } = await workspace();
    const response = await json(s, '/api/files/upload?path=src', {
      method: 'POST',
      body: form([
        { name: 'a.ts', content: 'uploaded' },
        { name: 'données ✓.bin', content: Buffer.from([0, 1, 2, 255]) },
      ]),
    });
    expect(response.status).toBe(201);
    const { uploaded }: any = await response.json();
    expect(uploaded.map((u: any) => u.path).sort()).toEqual(['src/a (1).ts', 'src/données ✓.bin']);
    expect(await readFile(join(root, 'src', 'a.ts'), 'utf8')).toBe('export const a = 1;\n');
    expect(await readFile(join(root, 'src', 'a (1).ts'), 'utf8')).toBe('uploaded');
    const download = await json(s, `/api/files/download?path=${q('src/données ✓.bin')}`);
    expect(download.headers.get('content-disposition')).toBe(
      `attachment; filename="donn_es _.bin"; filename*=UTF-8''${q('données ✓.bin')}`,
    );
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
    const image = await json(s, '/api/files/download?path=image.png&inline=1');
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('content-security-policy')).toMatch(/sandbox/);
    const notImage = await json(s, '/api/files/download?path=notes.txt&inline=1');
    expect(notImage.headers.get('content-disposition')).toMatch(/^attachment/);
    expect((await readdir(join(root, 'src'))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(await readdir(join(root, '.boxagnts', 'uploads'))).toEqual([]);
  });

  it('refuses an oversized upload and keeps nothing of it', async () => {
    const { s, root } = await workspace();
    await s.server.context.workspace.settings.patch({ files: { maxUploadBytes: 4096 } });
    const big = await json(s, '/api/files/upload?path=src', {
      method: 'POST',
      body: form([
        { name: 'small.txt', content: 'fits' },
        { name: 'big.bin', content: Buffer.alloc(6000, 1) },
      ]),
    });
    expect(await errorOf(big)).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect((await readdir(join(root, 'src'))).sort()).toEqual(['a.ts', 'deep']);
    const declared = await json(s, '/api/files/upload?path=src', {
      method: 'POST',
      body: form([{ name: 'huge.bin', content: Buffer.alloc(200_000, 1) }]),
    });
    expect(declared.status).toBe(413);
    expect((await readdir(join(root, 'src'))).sort()).toEqual(['a.ts', 'deep']);
    expect(await readdir(join(root, '.boxagnts', 'uploads'))).toEqual([]);
    expect(
      (await json(s, '/api/files/upload?path=src', { method: 'POST', body: form([{ name: '..', content: 'x' }]) }))
        .status,
    ).toBe(400);
    expect(
      (
        await json(s, '/api/files/upload?path=link-dir', {
          method: 'POST',
          body: form([{ name: 'x.txt', content: 'x' }]),
        })
      ).status,
    ).toBe(404);
  });
});

describe('file API: folders, moves, copies and the trash', () => {
  it('makes folders, renames, moves and copies, refusing clashes and moves into themselves', async () => {
    const { s, root } = await workspace();
    expect((await post(s, '/api/files/mkdir', { path: 'docs' })).status).toBe(201);
    expect(await errorOf(await post(s, '/api/files/mkdir', { path: 'docs' }))).toMatchObject({
      status: 409,
      code: 'exists',
    });
    expect(await (await post(s, '/api/files/rename', { path: 'notes.txt', name: 'readme.txt' })).json()).toEqual({
      path: 'readme.txt',
    });
    expect(await errorOf(await post(s, '/api/files/rename', { path: 'readme.txt', name: 'src' }))).toMatchObject({
      status: 409,
    });
    expect(await (await post(s, '/api/files/move', { paths: ['readme.txt', 'src/deep'], to: 'docs' })).json()).toEqual({
      paths: ['docs/readme.txt', 'docs/deep'],
    });
    expect(await readFile(join(root, 'docs', 'deep', 'b.md'), 'utf8')).toBe('# B\n');
    expect(await errorOf(await post(s, '/api/files/move', { paths: ['docs'], to: 'docs/deep' }))).toMatchObject({
      status: 400,
      code: 'into_itself',
    });
    expect(
      await (await post(s, '/api/files/copy', { paths: ['docs/readme.txt', 'docs/readme.txt'], to: 'docs' })).json(),
    ).toEqual({ paths: ['docs/readme copy.txt', 'docs/readme copy 2.txt'] });
    expect(await (await post(s, '/api/files/copy', { paths: ['docs'], to: '' })).json()).toEqual({
      paths: ['docs copy'],
    });
    expect(await readFile(join(root, 'docs copy', 'deep', 'b.md'), 'utf8')).toBe('# B\n');
  });

  it('deletes to the trash, restores, refuses a restore over a new file, and empties the trash on request', async () => {
    const { s, root } = await workspace();
    const { trashed }: any = await (await post(s, '/api/files/delete', { paths: ['notes.txt', 'src'] })).json();
    expect(trashed.map((t: any) => t.path)).toEqual(['notes.txt', 'src']);
    expect(existsSync(join(root, 'notes.txt')) || existsSync(join(root, 'src'))).toBe(false);
    const { items }: any = await (await json(s, '/api/files/trash')).json();
    expect(items.map((i: any) => i.path).sort()).toEqual(['notes.txt', 'src']);
    const src = trashed.find((t: any) => t.path === 'src');
    expect(await (await post(s, '/api/files/restore', { id: src.id })).json()).toMatchObject({
      restored: { path: 'src', type: 'dir' },
    });
    expect(await readFile(join(root, 'src', 'deep', 'b.md'), 'utf8')).toBe('# B\n');
    await writeFile(join(root, 'notes.txt'), 'a new notes file');
    const notes = trashed.find((t: any) => t.path === 'notes.txt');
    expect(await errorOf(await post(s, '/api/files/restore', { id: notes.id }))).toMatchObject({
      status: 409,
      code: 'exists',
    });
    expect(await readFile(join(root, 'notes.txt'), 'utf8')).toBe('a new notes file');
    expect((await post(s, '/api/files/restore', { id: '../../etc' })).status).toBe(404);
    expect(await (await post(s, '/api/files/trash/empty', {})).json()).toEqual({ removed: 1 });
    expect(await (await json(s, '/api/files/trash')).json()).toEqual({ items: [] });
    expect(await errorOf(await post(s, '/api/files/delete', { paths: [''] }))).toMatchObject({ status: 400 });
  });
});

describe('file API: the trash size cap', () => {
  it('removes the oldest items past files.trashMaxBytes, never the ones just trashed', async () => {
    const { s, root } = await workspace();
    await s.server.context.workspace.settings.patch({ files: { trashMaxBytes: 3000 } });
    await writeFile(join(root, 'one.bin'), Buffer.alloc(1500));
    await writeFile(join(root, 'two.bin'), Buffer.alloc(1500));
    await writeFile(join(root, 'big.bin'), Buffer.alloc(5000));
    const trash = async () => ((await (await json(s, '/api/files/trash')).json()) as any).items.map((i: any) => i.path);
    // Items are aged by the millisecond they were trashed in: each delete here gets its own.
    const nextMillisecond = () => new Promise((resolve) => setTimeout(resolve, 2));
    const first: any = await (await post(s, '/api/files/delete', { paths: ['one.bin'] })).json();
    expect(first.trashed.map((t: any) => t.bytes)).toEqual([1500]);
    await nextMillisecond();
    await post(s, '/api/files/delete', { paths: ['two.bin'] });
    expect((await trash()).sort()).toEqual(['one.bin', 'two.bin']);
    await nextMillisecond();
    await post(s, '/api/files/delete', { paths: ['notes.txt'] });
    // 3006 bytes: the oldest item goes.
    expect((await trash()).sort()).toEqual(['notes.txt', 'two.bin']);
    // Larger than the cap alone: it stays, and everything older goes.
    await nextMillisecond();
    await post(s, '/api/files/delete', { paths: ['big.bin'] });
    expect(await trash()).toEqual(['big.bin']);
  });
});

describe('file API: live changes', () => {
  it('reports changes in a listed folder on the global stream, however they were made', async () => {
    const { s, root } = await workspace();
    const events: GlobalEvent[] = [];
    s.server.context.runtime.hub.global.subscribe((event) => events.push(event));
    await json(s, '/api/files?path=src');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await writeFile(join(root, 'src', 'from-outside.ts'), 'x');
    await expect
      .poll(() => events.filter((e) => e.type === 'file.changed').flatMap((e: any) => e.changes), { timeout: 5000 })
      .toContainEqual({ path: 'src/from-outside.ts', kind: 'add' });
    await writeFile(join(root, '.boxagnts', 'hidden-change.json'), '{}');
    await writeFile(join(root, 'src', 'a.ts'), 'changed');
    await expect
      .poll(() => events.filter((e) => e.type === 'file.changed').flatMap((e: any) => e.changes), { timeout: 5000 })
      .toContainEqual({ path: 'src/a.ts', kind: 'change' });
    expect(JSON.stringify(events)).not.toMatch(/hidden-change/);
  });
});
