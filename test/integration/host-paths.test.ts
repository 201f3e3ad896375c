import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log';
import { createRuntime } from '../../src/runtime/runtime';
import { openWorkspace } from '../../src/workspace/workspace';
import { mockProviderSettings, startMock } from '../helpers/chat';
import { callTool, text } from '../helpers/sandbox';
import { startTestServer } from '../helpers/server';
import { tempDir } from '../helpers/workspace';

/** Models trained on other agents send the workspace's absolute host path; inside the tools the workspace is `/`. */
describe('paths as models send them', () => {
  it("maps the workspace's own absolute host path to the guest path in every tool that takes a path", async () => {
    const s = await startTestServer();
    const root = s.workspaceDir;
    const runtime = s.server.context.runtime;
    await mkdir(join(root, 'src'));
    await writeFile(join(root, 'src', 'a.ts'), 'export const a = 1;\n');

    const read = await callTool(runtime, 'read', { file_path: `${root}/src/a.ts` });
    expect(read.isError).toBeFalsy();
    expect(text(read)).toContain('export const a = 1;');
    expect(read.metadata).toMatchObject({ path: '/src/a.ts' });

    const edit = await callTool(runtime, 'edit', { file_path: `${root}/src/a.ts`, old_string: '1', new_string: '2' });
    expect(edit.isError).toBeFalsy();
    expect(await readFile(join(root, 'src', 'a.ts'), 'utf8')).toBe('export const a = 2;\n');

    const write = await callTool(runtime, 'write', { file_path: `${root}/src/b.ts`, content: 'b' });
    expect(write.isError).toBeFalsy();
    expect(await readFile(join(root, 'src', 'b.ts'), 'utf8')).toBe('b');

    const glob = text(await callTool(runtime, 'glob', { pattern: '*.ts', path: `${root}/src` }));
    expect(glob).toContain('/src/a.ts');
    expect(glob).toContain('/src/b.ts');
    expect(text(await callTool(runtime, 'glob', { pattern: `${root}/src/*.ts` }))).toContain('/src/b.ts');

    const grep = text(await callTool(runtime, 'grep', { pattern: 'const a', path: root }));
    expect(grep).toContain('/src/a.ts');
    // No host path comes back: results name guest paths only.
    expect(read.content + glob + grep).not.toContain(root);
  });

  it('explains that the workspace is / for any other absolute path, and keeps .. after the mapping confined', async () => {
    const s = await startTestServer();
    const root = s.workspaceDir;
    const runtime = s.server.context.runtime;
    const outside = await tempDir('boxagnts-outside-');
    await writeFile(join(outside, 'secret.txt'), 'TOP-SECRET-OUTSIDE');
    const sibling = `${basename(root)}-sibling.txt`;
    await writeFile(join(dirname(root), sibling), 'SIBLING-SECRET');
    await symlink(outside, join(root, 'link-dir'));

    const passwd = await callTool(runtime, 'read', { file_path: '/etc/passwd' });
    expect(passwd.isError).toBe(true);
    expect(text(passwd)).toMatch(
      /^File not found: \/etc\/passwd\. Inside the tools the workspace is \/, and it has no \/etc folder/,
    );
    const folder = await callTool(runtime, 'glob', { pattern: '*', path: outside });
    expect(folder.isError).toBe(true);
    expect(text(folder)).toContain('Inside the tools the workspace is /');
    expect(text(await callTool(runtime, 'grep', { pattern: 'x', path: '/usr/lib' }))).toContain(
      'Inside the tools the workspace is /',
    );

    for (const file_path of [`${root}/../${sibling}`, `${root}/src/../../${sibling}`, `${root}/link-dir/secret.txt`]) {
      const result = await callTool(runtime, 'read', { file_path });
      expect(result.isError, file_path).toBe(true);
      expect(JSON.stringify(result), file_path).not.toMatch(/SIBLING-SECRET|TOP-SECRET-OUTSIDE/);
    }
    // A workspace path through a link is mapped by its names and then refused like any link: never followed.
    expect(text(await callTool(runtime, 'read', { file_path: `${root}/link-dir/secret.txt` }))).not.toContain(outside);
  });

  it("maps a child run's own working folder, not the workspace's", async () => {
    const mock = await startMock();
    const root = await tempDir();
    await writeFile(join(root, 'workspace-only.txt'), 'in the workspace');
    const other = await tempDir('boxagnts-child-');
    await writeFile(join(other, 'notes.md'), 'the child folder\n');
    const workspace = await openWorkspace(root);
    await workspace.settings.patch(mockProviderSettings(mock));
    const runtime = await createRuntime(workspace, { logger: silentLogger, watchExtensions: false });
    try {
      const session = await runtime.sessions.create();
      const base = await runtime.workspaceSpec({ text: 'look around' }, { watched: false, unattended: 'deny' });
      mock.enqueue(
        {
          toolCalls: [
            { name: 'read', input: { file_path: `${other}/notes.md` } },
            { name: 'read', input: { file_path: `${root}/workspace-only.txt` } },
          ],
        },
        { text: 'Seen.' },
      );
      const spec = { ...base, tools: { ...base.tools, allow: ['read'] }, scope: { workDir: other } };
      expect((await (await runtime.runner.start(session.id, spec)).done).status).toBe('finished');
      const { events } = await runtime.sessions.read(session.id);
      const results = events
        .filter((e) => e.type === 'tool.completed')
        .map((e) => (e as unknown as { result: { content: string; isError?: boolean } }).result);
      // Parallel calls may complete in either order.
      const child = results.find((r) => r.content.includes('the child folder'));
      expect(child?.isError).toBeFalsy();
      const workspaceFile = results.find((r) => r !== child)!;
      expect(workspaceFile).toMatchObject({ isError: true, content: expect.stringContaining('File not found') });
      expect(workspaceFile.content).not.toContain('in the workspace');
    } finally {
      await runtime.close();
    }
  });
});
