import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Zippable, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { SkillDetailSchema, SkillFileContentSchema, type SkillList, SkillListSchema } from '../../src/contract/skills';
import { type TestServer, startTestServer } from '../helpers/server';
import { tempDir } from '../helpers/workspace';

const SKILL = (name: string, description = `What ${name} does.`, body = `# ${name}\n\nDo the thing.\n`) =>
  `---\nname: ${name}\ndescription: ${description}\n---\n${body}`;

const send = (s: TestServer, method: string, path: string, body?: unknown) =>
  s.fetch(path, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });

async function ok<S extends z.ZodType>(response: Response, schema: S, status = 200): Promise<z.output<S>> {
  const body = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(status);
  return schema.parse(body);
}

async function errorOf(response: Response): Promise<{ status: number; code: string; message: string }> {
  const body: any = await response.json();
  return { status: response.status, code: body.error?.code, message: body.error?.message };
}

const list = async (s: TestServer): Promise<SkillList> => ok(await s.fetch('/api/skills'), SkillListSchema);
const named = (skills: SkillList, name: string) => skills.skills.find((skill) => skill.name === name);

async function writeSkill(dir: string, name: string, text = SKILL(name)) {
  await mkdir(join(dir, name), { recursive: true });
  await writeFile(join(dir, name, 'SKILL.md'), text);
}

const importZip = (s: TestServer, zip: Uint8Array, type = 'application/zip') =>
  s.fetch('/api/skills/import', { method: 'POST', headers: { 'content-type': type }, body: Buffer.from(zip) });

/** What is in the workspace's skills folder, and whether an import left anything behind in its staging folder. */
async function leftovers(s: TestServer) {
  const skills = join(s.workspaceDir, '.boxagnts', 'skills');
  const uploads = join(s.workspaceDir, '.boxagnts', 'uploads');
  return {
    skills: existsSync(skills) ? await readdir(skills) : [],
    staging: existsSync(uploads) ? await readdir(uploads) : [],
  };
}

describe('skills API: listing', () => {
  it('lists the built-in skills, the prompt block, invalid folders and shadowed skills', async () => {
    const s = await startTestServer();
    const wsSkills = join(s.workspaceDir, '.boxagnts', 'skills');
    await writeSkill(wsSkills, 'code-review', SKILL('code-review', 'Our own review.'));
    await writeSkill(wsSkills, 'broken', '---\nname: broken\n---\nNo description.\n');
    const skills = await list(s);
    expect(skills.skills.map((skill) => skill.name)).toEqual(
      expect.arrayContaining(['code-review', 'current-weather', 'weather-forecast', 'css-refactor-advisor']),
    );
    expect(named(skills, 'code-review')).toMatchObject({
      origin: 'workspace',
      path: '.boxagnts/skills/code-review',
      description: 'Our own review.',
      editable: true,
      enabled: true,
      loaded: true,
    });
    expect(named(skills, 'current-weather')).toMatchObject({
      origin: 'built-in',
      path: 'skills/current-weather',
      editable: false,
      allowedTools: ['web_fetch'],
      userInvocable: true,
    });
    expect(skills.shadowed).toEqual([{ name: 'code-review', path: 'skills/code-review', origin: 'built-in' }]);
    expect(skills.invalid).toEqual([
      { path: '.boxagnts/skills/broken', origin: 'workspace', problem: 'description is required' },
    ]);
    // No model is configured: the cap is the absolute one, and five short skills fit under it.
    expect(skills.promptBlock).toMatchObject({ limit: 8000, cut: false });
    expect(skills.promptBlock.characters).toBeGreaterThan(500);
    expect(skills.promptBlock.characters).toBeLessThan(8000);
  });

  it('loads the repository’s skills only once they are trusted', async () => {
    const s = await startTestServer();
    await writeSkill(join(s.workspaceDir, '.agents', 'skills'), 'repo-tool');
    await writeSkill(join(s.workspaceDir, '.claude', 'skills'), 'claude-tool');
    const before = await list(s);
    expect(before.projectTrusted).toBe(false);
    expect(named(before, 'repo-tool')).toMatchObject({
      origin: 'agents',
      loaded: false,
      enabled: true,
      editable: false,
    });
    expect(named(before, 'claude-tool')).toMatchObject({ origin: 'claude', loaded: false });

    expect(await (await send(s, 'PATCH', '/api/skills', { trusted: true })).json()).toEqual({ trusted: true });
    const after = await list(s);
    expect(after.projectTrusted).toBe(true);
    expect(named(after, 'repo-tool')?.loaded).toBe(true);
    expect(after.promptBlock.characters).toBeGreaterThan(before.promptBlock.characters);
    const saved = JSON.parse(await readFile(join(s.workspaceDir, '.boxagnts', 'settings.json'), 'utf8'));
    expect(saved.skills).toEqual({ trustProject: true });

    await send(s, 'PATCH', '/api/skills', { trusted: false });
    expect(named(await list(s), 'repo-tool')?.loaded).toBe(false);
    expect((await errorOf(await send(s, 'PATCH', '/api/skills', { trusted: 'yes' }))).status).toBe(400);
  });

  it('switches a skill off and on through the settings', async () => {
    const s = await startTestServer();
    const off = await send(s, 'PUT', '/api/skills/code-review/enabled', { enabled: false });
    expect(await off.json()).toEqual({ name: 'code-review', enabled: false });
    expect(named(await list(s), 'code-review')).toMatchObject({ enabled: false, loaded: false });
    expect(s.server.context.workspace.settings.get().skills.disabled).toEqual(['code-review']);
    await send(s, 'PUT', '/api/skills/code-review/enabled', { enabled: true });
    expect(named(await list(s), 'code-review')).toMatchObject({ enabled: true, loaded: true });
    expect(s.server.context.workspace.settings.get().skills.disabled).toEqual([]);
    expect(await errorOf(await send(s, 'PUT', '/api/skills/no-such/enabled', { enabled: false }))).toMatchObject({
      status: 404,
      code: 'skill_not_found',
    });
  });
});

describe('skills API: one skill and its files', () => {
  it('gives SKILL.md and the files of the folder, never through a link', async () => {
    const s = await startTestServer();
    const outside = await tempDir('boxagnts-outside-');
    await writeFile(join(outside, 'secret.txt'), 'OUTSIDE');
    const dir = join(s.workspaceDir, '.boxagnts', 'skills', 'with-files');
    await writeSkill(join(s.workspaceDir, '.boxagnts', 'skills'), 'with-files');
    await mkdir(join(dir, 'references'));
    await writeFile(join(dir, 'references', 'guide.md'), '# Guide\n');
    await writeFile(join(dir, 'logo.bin'), Buffer.from([1, 0, 2, 0]));
    await symlink(join(outside, 'secret.txt'), join(dir, 'secret.txt'));
    await symlink(outside, join(dir, 'elsewhere'));

    const detail = await ok(await s.fetch('/api/skills/with-files'), SkillDetailSchema);
    expect(detail.source).toBe(SKILL('with-files'));
    expect(detail.skill).toMatchObject({ name: 'with-files', origin: 'workspace', editable: true });
    expect(detail.files).toEqual([
      { path: 'SKILL.md', size: SKILL('with-files').length },
      { path: 'logo.bin', size: 4 },
      { path: 'references/guide.md', size: 8 },
    ]);
    expect(detail.truncated).toBe(false);

    const file = (path: string) => s.fetch(`/api/skills/with-files/files?path=${encodeURIComponent(path)}`);
    expect(await ok(await file('references/guide.md'), SkillFileContentSchema)).toEqual({
      path: 'references/guide.md',
      size: 8,
      binary: false,
      truncated: false,
      content: '# Guide\n',
    });
    expect(await ok(await file('logo.bin'), SkillFileContentSchema)).toMatchObject({ binary: true, content: '' });
    expect(await errorOf(await file('secret.txt'))).toMatchObject({ status: 404 });
    expect(await errorOf(await file('elsewhere/secret.txt'))).toMatchObject({ status: 404 });
    expect(await errorOf(await file('../../settings.json'))).toMatchObject({ status: 400, code: 'invalid_path' });
    expect(await errorOf(await file('/etc/passwd'))).toMatchObject({ status: 400, code: 'invalid_path' });
    expect(await errorOf(await file('references'))).toMatchObject({ status: 400, code: 'is_a_folder' });
    expect(await errorOf(await s.fetch('/api/skills/with-files/files'))).toMatchObject({ status: 400 });
  });

  it('reads the built-in skills, and answers 404 and 400 for unknown and invalid names', async () => {
    const s = await startTestServer();
    const detail = await ok(await s.fetch('/api/skills/code-review'), SkillDetailSchema);
    expect(detail.source).toContain('# Code review');
    expect(detail.skill).toMatchObject({ origin: 'built-in', editable: false });
    expect(detail.files.map((f) => f.path)).toContain('SKILL.md');
    expect(await errorOf(await s.fetch('/api/skills/no-such-skill'))).toMatchObject({
      status: 404,
      code: 'skill_not_found',
    });
    expect(await errorOf(await s.fetch('/api/skills/Bad_Name'))).toMatchObject({ status: 400 });
  });
});

describe('skills API: creating, editing, removing', () => {
  it('creates a skill from the template, refuses a taken name, saves only what parses', async () => {
    const s = await startTestServer();
    const created = await ok(
      await send(s, 'POST', '/api/skills', { name: 'release-notes', description: 'Writes release notes: short.' }),
      SkillDetailSchema,
      201,
    );
    const file = join(s.workspaceDir, '.boxagnts', 'skills', 'release-notes', 'SKILL.md');
    expect(created.source).toBe(await readFile(file, 'utf8'));
    expect(created.source).toMatch(/^---\nname: release-notes\ndescription: "?Writes release notes: short\."?\n/);
    expect(created.source).toMatch(/## Steps[\s\S]*## Output/);
    expect(created.skill).toMatchObject({ origin: 'workspace', editable: true, loaded: true, allowedTools: [] });

    expect(
      await errorOf(await send(s, 'POST', '/api/skills', { name: 'release-notes', description: 'Again.' })),
    ).toMatchObject({ status: 409, code: 'skill_exists' });
    expect((await errorOf(await send(s, 'POST', '/api/skills', { name: '../escape', description: 'x' }))).status).toBe(
      400,
    );
    expect((await errorOf(await send(s, 'POST', '/api/skills', { name: 'empty', description: ' ' }))).status).toBe(400);

    const good = SKILL('release-notes', 'Writes the notes.', '# Notes\n\nList the changes.\n').replace(
      'description:',
      'allowed-tools: bash(git log*)\ndescription:',
    );
    const saved = await ok(await send(s, 'PUT', '/api/skills/release-notes', { source: good }), SkillDetailSchema);
    expect(saved.skill).toMatchObject({ description: 'Writes the notes.', allowedTools: ['bash(git log*)'] });
    expect(await readFile(file, 'utf8')).toBe(good);

    for (const [bad, reason] of [
      [SKILL('other-name'), 'must match its folder'],
      ['---\nname: release-notes\n---\n', 'description is required'],
      ['no front matter', 'front matter'],
      ['---\nname: release-notes\ndescription: [unclosed\n---\n', 'invalid YAML'],
    ] as const) {
      const refused = await errorOf(await send(s, 'PUT', '/api/skills/release-notes', { source: bad }));
      expect(refused).toMatchObject({ status: 400, code: 'invalid_skill' });
      expect(refused.message).toContain(reason);
      expect(await readFile(file, 'utf8')).toBe(good);
    }
  });

  it('refuses to change or remove the built-in and the repository’s skills', async () => {
    const s = await startTestServer();
    await writeSkill(join(s.workspaceDir, '.agents', 'skills'), 'repo-tool');
    const source = SKILL('code-review', 'Mine now.');
    const refused = await errorOf(await send(s, 'PUT', '/api/skills/code-review', { source }));
    expect(refused).toMatchObject({ status: 403, code: 'skill_read_only' });
    expect(refused.message).toContain('skills/code-review');
    expect(await errorOf(await send(s, 'DELETE', '/api/skills/code-review'))).toMatchObject({ status: 403 });
    expect(await errorOf(await send(s, 'PUT', '/api/skills/repo-tool', { source: SKILL('repo-tool') }))).toMatchObject({
      status: 403,
    });
    expect(await errorOf(await send(s, 'DELETE', '/api/skills/repo-tool'))).toMatchObject({ status: 403 });
    expect(existsSync(join(s.workspaceDir, '.agents', 'skills', 'repo-tool', 'SKILL.md'))).toBe(true);
    expect(await readFile(join(s.workspaceDir, '.agents', 'skills', 'repo-tool', 'SKILL.md'), 'utf8')).toBe(
      SKILL('repo-tool'),
    );
  });

  it('removes a workspace skill’s folder, not what its links point to; the built-in one shows again', async () => {
    const s = await startTestServer();
    const outside = await tempDir('boxagnts-outside-');
    await writeFile(join(outside, 'keep.txt'), 'KEEP');
    const dir = join(s.workspaceDir, '.boxagnts', 'skills');
    await writeSkill(dir, 'code-review', SKILL('code-review', 'Ours.'));
    await symlink(outside, join(dir, 'code-review', 'linked'));
    expect(named(await list(s), 'code-review')?.origin).toBe('workspace');
    expect(await (await send(s, 'DELETE', '/api/skills/code-review')).json()).toEqual({ deleted: 'code-review' });
    expect(existsSync(join(dir, 'code-review'))).toBe(false);
    expect(await readFile(join(outside, 'keep.txt'), 'utf8')).toBe('KEEP');
    expect(named(await list(s), 'code-review')?.origin).toBe('built-in');
    expect(await errorOf(await send(s, 'DELETE', '/api/skills/code-review'))).toMatchObject({ status: 403 });
  });

  it('edits and removes the user’s own skills (~/.boxagnts/skills)', async () => {
    const s = await startTestServer();
    const userSkills = join(process.env.BOXAGNTS_USER_DIR!, 'skills');
    await writeSkill(userSkills, 'my-habit');
    try {
      expect(named(await list(s), 'my-habit')).toMatchObject({
        origin: 'user',
        path: '~/.boxagnts/skills/my-habit',
        editable: true,
      });
      const source = SKILL('my-habit', 'Changed.');
      await ok(await send(s, 'PUT', '/api/skills/my-habit', { source }), SkillDetailSchema);
      expect(await readFile(join(userSkills, 'my-habit', 'SKILL.md'), 'utf8')).toBe(source);
      await send(s, 'DELETE', '/api/skills/my-habit');
      expect(existsSync(join(userSkills, 'my-habit'))).toBe(false);
    } finally {
      await rm(userSkills, { recursive: true, force: true });
    }
  });
});

describe('skills API: import and export', () => {
  const enc = (text: string) => new TextEncoder().encode(text);

  it('imports a zip holding a skill folder, or SKILL.md at its top, named by its front matter', async () => {
    const s = await startTestServer();
    const zip = zipSync({
      'downloaded-folder/SKILL.md': enc(SKILL('pdf-tools', 'Works with PDFs.')),
      'downloaded-folder/scripts/split.py': enc('print("split")\n'),
      '__MACOSX/downloaded-folder/._SKILL.md': enc('resource fork'),
    });
    const imported = await ok(await importZip(s, zip), SkillDetailSchema, 201);
    expect(imported.skill).toMatchObject({ name: 'pdf-tools', origin: 'workspace' });
    expect(imported.files.map((f) => f.path)).toEqual(['SKILL.md', 'scripts/split.py']);
    const dir = join(s.workspaceDir, '.boxagnts', 'skills', 'pdf-tools');
    expect(await readFile(join(dir, 'scripts', 'split.py'), 'utf8')).toBe('print("split")\n');

    const flat = zipSync({ 'SKILL.md': enc(SKILL('flat-one')), 'references/a.md': enc('A') });
    const second = await ok(await importZip(s, flat, 'application/x-zip-compressed'), SkillDetailSchema, 201);
    expect(second.files.map((f) => f.path)).toEqual(['SKILL.md', 'references/a.md']);

    expect(await errorOf(await importZip(s, zip))).toMatchObject({ status: 409, code: 'skill_exists' });
    expect((await leftovers(s)).staging).toEqual([]);
  });

  it('refuses zip slip, links, invalid SKILL.md, other layouts and bombs, and keeps nothing of them', async () => {
    const s = await startTestServer();
    const good = enc(SKILL('safe-one'));
    const cases: [string, Zippable | Uint8Array, RegExp][] = [
      ['zip slip', { 'safe-one/SKILL.md': good, 'safe-one/../../escape.txt': enc('x') }, /"\.\." part/],
      ['zip slip at the top', { 'SKILL.md': good, '../x': enc('x') }, /"\.\." part/],
      ['absolute path', { 'SKILL.md': good, '/etc/x': enc('x') }, /absolute/],
      [
        'symlink',
        { 'SKILL.md': good, link: [enc('/etc/passwd'), { os: 3, attrs: (0o120777 << 16) >>> 0 }] },
        /symbolic link/,
      ],
      ['invalid SKILL.md', { 'SKILL.md': enc('---\nname: safe-one\n---\n') }, /description is required/],
      ['bad name', { 'SKILL.md': enc(SKILL('Bad_Name')) }, /lower-case letters/],
      ['no SKILL.md', { 'a/readme.md': enc('x') }, /one skill folder/],
      ['two folders', { 'a/SKILL.md': good, 'b/other.md': enc('x') }, /one skill folder/],
      [
        'too many files',
        Object.fromEntries([['SKILL.md', good], ...Array.from({ length: 501 }, (_, i) => [`f${i}.txt`, enc('x')])]),
        /more than 500 files/,
      ],
      ['too large unpacked', { 'SKILL.md': good, 'zeros.bin': new Uint8Array(33 * 1024 * 1024) }, /unpacks to more/],
      ['not a zip', enc('just text, no archive'), /not a \.zip/],
    ];
    for (const [what, entries, reason] of cases) {
      const zip = entries instanceof Uint8Array ? entries : zipSync(entries);
      const refused = await errorOf(await importZip(s, zip));
      expect(refused.status, what).toBe(400);
      expect(refused.message, what).toMatch(reason);
    }
    expect(await leftovers(s)).toEqual({ skills: [], staging: [] });
    expect(existsSync(join(s.workspaceDir, 'escape.txt'))).toBe(false);
    expect(existsSync(join(s.workspaceDir, '.boxagnts', 'escape.txt'))).toBe(false);
  });

  it('refuses an entry that unpacks to more than it declares (a lying bomb)', async () => {
    const s = await startTestServer();
    const zip = zipSync({ 'SKILL.md': new TextEncoder().encode(SKILL('liar')), 'big.bin': new Uint8Array(100_000) });
    // The central directory's uncompressed size of the last entry, said to be 10 bytes.
    const view = new DataView(zip.buffer);
    let at = zip.length - 22;
    at = view.getUint32(at + 16, true);
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    view.setUint32(at + 24, 10, true);
    const refused = await errorOf(await importZip(s, zip));
    expect(refused).toMatchObject({ status: 400, code: 'invalid_zip' });
    expect(refused.message).toMatch(/big\.bin does not unpack to the size/);
    expect(await leftovers(s)).toEqual({ skills: [], staging: [] });
  });

  it('refuses a zip over 10 MB and a body that is not a zip', async () => {
    const s = await startTestServer();
    const random = new Uint8Array(10 * 1024 * 1024 + 1024).map((_, i) => (i * 2654435761) >>> 24);
    const refused = await errorOf(await importZip(s, random));
    expect(refused).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(await errorOf(await importZip(s, zipSync({ 'SKILL.md': enc(SKILL('x-y')) }), 'text/plain'))).toMatchObject({
      status: 415,
    });
    expect(await leftovers(s)).toEqual({ skills: [], staging: [] });
  });

  it('exports a skill as a zip of its folder, which imports back as it was', async () => {
    const s = await startTestServer();
    const response = await s.fetch('/api/skills/code-review/export');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="code-review.zip"');
    const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
    expect(Object.keys(files)).toContain('code-review/SKILL.md');
    expect(new TextDecoder().decode(files['code-review/SKILL.md'])).toContain('# Code review');

    const outside = await tempDir('boxagnts-outside-');
    await writeFile(join(outside, 'secret.txt'), 'OUTSIDE');
    const dir = join(s.workspaceDir, '.boxagnts', 'skills');
    await writeSkill(dir, 'round-trip');
    await mkdir(join(dir, 'round-trip', 'assets'));
    await writeFile(join(dir, 'round-trip', 'assets', 'data.bin'), Buffer.from([0, 1, 2, 255]));
    await symlink(join(outside, 'secret.txt'), join(dir, 'round-trip', 'secret.txt'));
    const exported = new Uint8Array(await (await s.fetch('/api/skills/round-trip/export')).arrayBuffer());
    expect(Object.keys(unzipSync(exported)).sort()).toEqual(['round-trip/SKILL.md', 'round-trip/assets/data.bin']);
    await send(s, 'DELETE', '/api/skills/round-trip');
    await ok(await importZip(s, exported), SkillDetailSchema, 201);
    expect([...(await readFile(join(dir, 'round-trip', 'assets', 'data.bin')))]).toEqual([0, 1, 2, 255]);
    expect(await errorOf(await s.fetch('/api/skills/no-such/export'))).toMatchObject({ status: 404 });
  });
});
