import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { addWorktree, finishWorktree } from '../../src/agent/orchestration/worktree';
import { newSessionId } from '../../src/workspace/sessions';
import { startChat } from '../helpers/chat';
import { tempDir } from '../helpers/workspace';

const git = promisify(execFile);
const DAY = 24 * 60 * 60 * 1000;

/** A session file as a run `daysAgo` days ago left it: a header and one user message. */
async function oldSession(
  workspaceDir: string,
  title: string,
  daysAgo: number,
  spawnedBy?: { sessionId: string },
): Promise<string> {
  const id = newSessionId();
  const time = new Date(Date.now() - daysAgo * DAY).toISOString();
  const header = {
    type: 'session',
    version: 1,
    id,
    createdAt: time,
    title,
    ...(spawnedBy ? { spawnedBy: { ...spawnedBy, runId: 'run_1', callId: 'call_1', agentType: 'general' } } : {}),
  };
  const message = { id: 1, time, type: 'message.user', runId: 'run_1', messageId: 'msg_1', text: `about ${title}` };
  const dir = join(workspaceDir, '.boxagnts', 'sessions');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${id}.jsonl`), `${JSON.stringify(header)}\n${JSON.stringify(message)}\n`);
  return id;
}

/** A git repository with one commit, as the workspace of a run that keeps worktrees. */
async function repository(): Promise<string> {
  const root = await tempDir('boxagnts-retention-');
  await git('git', ['init', '-q', '-b', 'main'], { cwd: root });
  await writeFile(join(root, '.gitignore'), '.boxagnts/\n');
  await git('git', ['add', '.'], { cwd: root });
  await git('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'init'], { cwd: root });
  return root;
}

describe('retention', () => {
  it('archives what the rule names with its child runs, never a pinned session, and deletes only once allowed', async () => {
    const root = await repository();
    const old = await oldSession(root, 'Old work', 3);
    const child = await oldSession(root, 'Old child', 3, { sessionId: old });
    const pinned = await oldSession(root, 'Pinned work', 3);
    const worktree = await addWorktree(root, join(root, '.boxagnts', 'worktrees'), child);
    await writeFile(join(worktree.path, 'feature.txt'), 'kept\n');
    await finishWorktree(root, worktree, 'child work');

    const chat = await startChat({ workspaceDir: root });
    const { runtime } = chat.server.server.context;
    const json = async (path: string, init?: RequestInit) => {
      const res = await chat.server.fetch(path, init);
      return { status: res.status, body: (await res.json()) as any };
    };
    const recent = await chat.newSession();
    chat.mock.enqueue({ text: 'noted' });
    await chat.run(recent, 'a recent question');
    expect((await json(`/api/sessions/${pinned}/pin`, { method: 'PUT', body: '{"pinned":true}' })).body.pinned).toBe(
      true,
    );

    // No rule: nothing moves, however old.
    expect(await runtime.retention.sweep(Date.now() + 30 * DAY)).toEqual({ archived: [], deleted: [], errors: [] });

    // Setting a rule applies it at once; a sweep asked for meanwhile waits for that one.
    await chat.server.server.context.workspace.settings.patch({
      sessions: { retention: { archiveAfterDays: 1, deleteArchivedAfterDays: 1 } },
    });
    await runtime.retention.sweep();
    expect(existsSync(join(root, '.boxagnts', 'sessions', 'archive', `${old}.jsonl`))).toBe(true);
    expect(existsSync(join(root, '.boxagnts', 'sessions', `${old}.jsonl`))).toBe(false);
    const active = (await json('/api/sessions')).body.sessions.map((s: any) => s.id);
    expect(active.sort()).toEqual([recent, pinned].sort());
    const archived = (await json('/api/sessions?archived=true')).body.sessions;
    expect(archived.map((s: any) => [s.id, s.archived]).sort()).toEqual(
      [
        [old, true],
        [child, true],
      ].sort(),
    );
    // Archived sessions stay searchable and readable, and refuse changes until restored.
    expect(
      (await json('/api/sessions?archived=true&q=about%20old%20work')).body.sessions.map((s: any) => s.id),
    ).toEqual([old]);
    expect((await json(`/api/sessions/${old}`)).body.session.archived).toBe(true);
    expect((await json(`/api/sessions/${old}/state`)).status).toBe(200);
    const refused = await json(`/api/sessions/${old}/messages`, { method: 'POST', body: '{"text":"more"}' });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'session_archived']);

    // Two days on, the recent session is old too; the pinned one never is. Deletion waits for the user.
    const later = Date.now() + 2 * DAY;
    const before = await runtime.retention.view(later);
    expect(before.archive.map((i) => i.id)).toEqual([recent]);
    expect(before.delete.map((i) => i.id).sort()).toEqual([old, child].sort());
    expect(before.delete.find((i) => i.id === child)?.worktree).toBe(`.boxagnts/worktrees/${child}`);
    expect((await json('/api/retention')).body).toMatchObject({ archive: [], delete: [], deletesAllowed: false });
    expect(before.deletesAllowed).toBe(false);
    expect(await runtime.retention.sweep(later)).toEqual({ archived: [recent], deleted: [], errors: [] });
    expect(existsSync(join(root, '.boxagnts', 'sessions', 'archive', `${old}.jsonl`))).toBe(true);

    // Allowing a rule the user did not see is refused; allowing the one shown deletes exactly its preview.
    expect(
      (await json('/api/retention/allow-deletes', { method: 'POST', body: '{"deleteArchivedAfterDays":7}' })).status,
    ).toBe(409);
    expect(
      (await json('/api/retention/allow-deletes', { method: 'POST', body: '{"deleteArchivedAfterDays":1}' })).body
        .deletesAllowed,
    ).toBe(true);
    const swept = await runtime.retention.sweep(later);
    expect(swept.deleted.sort()).toEqual([old, child].sort());
    expect(swept.archived).toEqual([]);
    const left = await readdir(join(root, '.boxagnts', 'sessions', 'archive'));
    expect(left.filter((n) => n.endsWith('.jsonl'))).toEqual([`${recent}.jsonl`]);
    // The child's worktree folder went with its session; its branch, holding the child's commit, stays.
    expect(existsSync(worktree.path)).toBe(false);
    expect((await git('git', ['branch', '--list', worktree.branch], { cwd: root })).stdout).toContain(worktree.branch);

    // The recently archived session is restored and takes a message again.
    expect((await json(`/api/sessions/${recent}/restore`, { method: 'POST' })).body.restored).toEqual([recent]);
    chat.mock.enqueue({ text: 'back again' });
    const events = await chat.run(recent, 'still here?');
    expect(events.some((e) => e.type === 'message.completed' && e.text === 'back again')).toBe(true);
    expect((await json(`/api/sessions/${pinned}`)).body.session).toMatchObject({ pinned: true, archived: false });

    // A changed number of days needs a new allowance.
    await chat.server.server.context.workspace.settings.patch({
      sessions: { retention: { deleteArchivedAfterDays: 2 } },
    });
    expect((await runtime.retention.view()).deletesAllowed).toBe(false);
  });

  it('archives and restores by hand, refusing while a run holds the session', async () => {
    const chat = await startChat();
    const id = await chat.newSession();
    const post = async (path: string) => {
      const res = await chat.server.fetch(path, { method: 'POST' });
      return { status: res.status, body: (await res.json()) as any };
    };
    expect((await post(`/api/sessions/${id}/restore`)).body.error.code).toBe('not_archived');
    const release = await chat.server.server.context.runtime.sessions.lock(id);
    const locked = await post(`/api/sessions/${id}/archive`);
    expect([locked.status, locked.body.error.code]).toEqual([409, 'run_in_progress']);
    await release();
    expect((await post(`/api/sessions/${id}/archive`)).body.archived).toEqual([id]);
    expect((await post(`/api/sessions/${id}/archive`)).body.error.code).toBe('session_archived');
    const exported = await chat.server.fetch(`/api/sessions/${id}/export?format=markdown`);
    expect(exported.status).toBe(200);
    expect((await post(`/api/sessions/${id}/restore`)).body.restored).toEqual([id]);
    expect((await chat.session(id)).session.archived).toBe(false);
  });
});
