import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conversationFrom } from '../../src/agent/conversation';
import { runEventInterpreter } from '../../src/agent/interpret';
import {
  ForkPointError,
  ImportError,
  exportJson,
  exportMarkdown,
  forkEvents,
  parseImport,
} from '../../src/agent/transfer';
import { SessionLockedError, SessionNotFoundError, SessionStore } from '../../src/workspace/sessions';
import { tempDir } from '../helpers/workspace';

const user = (text: string) => ({ type: 'message.user' as const, runId: 'run_1', messageId: `msg_${text}`, text });
const assistant = (text: string, toolCalls: { callId: string; name: string; input: unknown }[] = []) => ({
  type: 'message.completed' as const,
  runId: 'run_1',
  messageId: `msg_a_${text}`,
  model: 'p/m',
  text,
  toolCalls,
  finishReason: toolCalls.length ? 'tool-calls' : 'stop',
  modelMessage: {
    role: 'assistant' as const,
    content: [
      { type: 'text', text },
      ...toolCalls.map((c) => ({ type: 'tool-call', toolCallId: c.callId, toolName: c.name, input: c.input })),
    ],
  },
});
const toolDone = (callId: string, content: string) => ({
  type: 'tool.completed' as const,
  runId: 'run_1',
  messageId: 'm',
  callId,
  name: 'sleep',
  result: { content },
  durationMs: 1,
});

async function openStore(dir?: string) {
  const folder = dir ?? (await tempDir());
  return { dir: folder, store: await SessionStore.open(folder, runEventInterpreter) };
}

describe('SessionStore', () => {
  it('appends events with increasing ids and titles a session from its first message', async () => {
    const { store } = await openStore();
    const s = await store.create();
    expect(s.title).toBe('New session');
    const stamped = await store.append(s.id, [user('How do I list files?'), assistant('Use ls.')]);
    expect(stamped.map((e) => e.id)).toEqual([1, 2]);
    expect(store.get(s.id)).toMatchObject({
      title: 'How do I list files?',
      titleSource: 'auto',
      messageCount: 2,
      lastEventId: 2,
    });
    const delta = store.stampEphemeral(s.id, { type: 'message.delta', text: 'x' });
    expect(delta.id).toBe(3);
    const [next] = await store.append(s.id, [user('again')]);
    expect(next!.id).toBe(4);
    await store.rename(s.id, '  My   session ');
    expect(store.get(s.id)).toMatchObject({ title: 'My session', titleSource: 'user' });
    const loaded = await store.read(s.id);
    expect(loaded.events.map((e) => e.type)).toEqual([
      'message.user',
      'message.completed',
      'message.user',
      'session.renamed',
    ]);
    expect(loaded.summary.title).toBe('My session');
    expect(loaded.warnings).toEqual([]);
  });

  it('titles a session from the command the user typed when it ran a skill, not from its expansion', async () => {
    const { store } = await openStore();
    const s = await store.create();
    await store.append(s.id, [
      {
        ...user('The user ran the skill /code-review with: src/a.ts. Follow its instructions.'),
        command: '/code-review src/a.ts',
      },
    ]);
    expect(store.get(s.id)).toMatchObject({ title: '/code-review src/a.ts', titleSource: 'auto' });
  });

  it("takes the model's title over the first message, never over the user's, and keeps it when read again", async () => {
    const { dir, store } = await openStore();
    const s = await store.create();
    await store.append(s.id, [user('please explain the borrow checker'), assistant('Sure.')]);
    await store.append(s.id, [{ type: 'session.titled', title: ' Borrow   checker ' }]);
    expect(store.get(s.id)).toMatchObject({ title: 'Borrow checker', titleSource: 'auto', messageCount: 2 });

    const named = await store.create();
    await store.append(named.id, [user('first words')]);
    await store.rename(named.id, 'Mine');
    await store.append(named.id, [{ type: 'session.titled', title: 'A model title' }]);
    expect(store.get(named.id)).toMatchObject({ title: 'Mine', titleSource: 'user' });

    await store.close();
    await rm(join(dir, 'index.json'));
    const { store: reopened } = await openStore(dir);
    expect(reopened.get(s.id)).toMatchObject({ title: 'Borrow checker', titleSource: 'auto' });
    expect(reopened.get(named.id)).toMatchObject({ title: 'Mine', titleSource: 'user' });
  });

  it('moves a session to another folder with its pin, and both folders list it right after they are opened again', async () => {
    const { dir, store } = await openStore();
    const archiveDir = join(dir, 'archive');
    await mkdir(archiveDir);
    const archive = await SessionStore.open(archiveDir, runEventInterpreter, { archived: true });
    const a = await store.create({ title: 'alpha' });
    expect((await store.pin(a.id, true)).pinned).toBe(true);
    const at = new Date('2026-01-02T03:04:05Z');
    const moved = await archive.transfer(a.id, archive).catch((error: unknown) => error);
    expect(moved).toBeInstanceOf(SessionNotFoundError);
    expect(await store.transfer(a.id, archive, at)).toMatchObject({ id: a.id, archived: true, pinned: true });
    expect(store.get(a.id)).toBeUndefined();
    expect(archive.get(a.id)?.mtimeMs).toBe(at.getTime());
    await Promise.all([store.close(), archive.close()]);
    const [again, archivedAgain] = await Promise.all([
      SessionStore.open(dir, runEventInterpreter),
      SessionStore.open(archiveDir, runEventInterpreter, { archived: true }),
    ]);
    expect(again.all()).toEqual([]);
    expect(archivedAgain.get(a.id)).toMatchObject({ title: 'alpha', archived: true, pinned: true });
    await archivedAgain.transfer(a.id, again);
    expect(again.get(a.id)).toMatchObject({ archived: false, pinned: true });
    await Promise.all([again.close(), archivedAgain.close()]);
  });

  it('lists newest first, pages with a cursor and filters by title', async () => {
    const { store } = await openStore();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const s = await store.create({ title: i % 2 ? `odd ${i}` : `even ${i}` });
      ids.push(s.id);
      await new Promise((r) => setTimeout(r, 2));
    }
    const first = store.list({ limit: 2 });
    expect(first.sessions.map((s) => s.id)).toEqual([ids[4], ids[3]]);
    expect(first.total).toBe(5);
    const second = store.list({ limit: 2, cursor: first.nextCursor! });
    expect(second.sessions.map((s) => s.id)).toEqual([ids[2], ids[1]]);
    const last = store.list({ limit: 2, cursor: second.nextCursor! });
    expect(last.sessions.map((s) => s.id)).toEqual([ids[0]]);
    expect(last.nextCursor).toBeNull();
    expect(store.list({ query: 'ODD' }).sessions.map((s) => s.title)).toEqual(['odd 3', 'odd 1']);
    await store.append(ids[0]!, [user('bump')]);
    expect(store.list({ limit: 1 }).sessions[0]!.id).toBe(ids[0]);
  });

  it('skips and reports a torn last line, and keeps appending after it', async () => {
    const { dir, store } = await openStore();
    const s = await store.create();
    await store.append(s.id, [user('one'), assistant('two')]);
    await store.close();
    const file = join(dir, `${s.id}.jsonl`);
    await appendFile(file, '{"id":3,"type":"message.compl');

    const { store: reopened } = await openStore(dir);
    const loaded = await reopened.read(s.id);
    expect(loaded.events.map((e) => e.id)).toEqual([1, 2]);
    expect(loaded.warnings).toEqual(['line 4 was cut off (an interrupted write) and was skipped']);
    const [next] = await reopened.append(s.id, [user('three')]);
    expect(next!.id).toBe(3);
    const again = await reopened.read(s.id);
    expect(again.events.map((e) => e.id)).toEqual([1, 2, 3]);
    expect(again.warnings).toEqual(['line 4 is not valid JSON and was skipped']);
  });

  it('skips an event of a type from a newer version, keeping it in the file, and reports a known one that does not fit its schema', async () => {
    const { dir, store } = await openStore();
    const s = await store.create();
    await store.append(s.id, [user('one')]);
    await store.close();
    const file = join(dir, `${s.id}.jsonl`);
    const newer = { id: 2, time: 't', type: 'memory.recalled', runId: 'run_1', note: 'a later version' };
    const damaged = {
      id: 3,
      time: 't',
      type: 'tool.completed',
      runId: 'run_1',
      messageId: 'm',
      callId: 'c1',
      name: 'read',
      durationMs: 1,
    };
    await appendFile(file, `${JSON.stringify(newer)}\n${JSON.stringify(damaged)}\n`);

    const { store: reopened } = await openStore(dir);
    const loaded = await reopened.read(s.id);
    expect(loaded.events.map((e) => e.id)).toEqual([1]);
    expect(loaded.warnings).toEqual([
      expect.stringMatching(/^line 4 is a damaged tool\.completed event \(result: .+\) and was skipped$/),
    ]);
    // Numbering continues past both, and the newer event stays in the file for the version that knows it.
    const [next] = await reopened.append(s.id, [user('two')]);
    expect(next!.id).toBe(4);
    expect((await reopened.read(s.id)).events.map((e) => e.id)).toEqual([1, 4]);
    expect(await readFile(file, 'utf8')).toContain(JSON.stringify(newer));
  });

  it('rebuilds a missing or stale index from the files', async () => {
    const { dir, store } = await openStore();
    const a = await store.create({ title: 'alpha' });
    const b = await store.create();
    await store.append(b.id, [user('beta question')]);
    await store.close();
    await rm(join(dir, 'index.json'));
    const { store: rebuilt } = await openStore(dir);
    expect(
      rebuilt
        .list()
        .sessions.map((s) => s.title)
        .sort(),
    ).toEqual(['alpha', 'beta question']);
    await rebuilt.close();

    // Another process appends after the index was written clean: the next open notices the size change.
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
    index.clean = false;
    await writeFile(join(dir, 'index.json'), JSON.stringify(index));
    await appendFile(
      join(dir, `${a.id}.jsonl`),
      `${JSON.stringify({ id: 1, time: new Date().toISOString(), ...user('late') })}\n`,
    );
    const { store: verified } = await openStore(dir);
    expect(verified.get(a.id)).toMatchObject({ messageCount: 1, lastEventId: 1 });
  });

  it('keeps a known event as written, with the fields a newer version added at any depth', async () => {
    const { dir, store } = await openStore();
    const s = await store.create();
    await store.close();
    const written = {
      id: 1,
      time: 't',
      ...toolDone('c1', 'done'),
      result: { content: 'done', cacheHint: 'warm' },
      attempt: 2,
    };
    await appendFile(join(dir, `${s.id}.jsonl`), `${JSON.stringify(written)}\n`);

    const { store: reopened } = await openStore(dir);
    const loaded = await reopened.read(s.id);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.events).toEqual([written]);
  });

  it('leaves out an index entry that does not fit and scans its file again', async () => {
    const { dir, store } = await openStore();
    const a = await store.create({ title: 'alpha' });
    await store.append(a.id, [user('one')]);
    await store.close();
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
    expect(index.clean).toBe(true);
    // A hand edit (or an older version) left a count that is not a number: trusted, it would show as "lots".
    index.sessions[0].messageCount = 'lots';
    await writeFile(join(dir, 'index.json'), JSON.stringify(index));

    const { store: reopened } = await openStore(dir);
    expect(reopened.get(a.id)).toMatchObject({ title: 'alpha', messageCount: 1, lastEventId: 1 });
  });

  it('continues numbering after another process appended', async () => {
    const { dir, store } = await openStore();
    const s = await store.create();
    await store.append(s.id, [user('mine')]);
    await appendFile(
      join(dir, `${s.id}.jsonl`),
      `${JSON.stringify({ id: 2, time: new Date().toISOString(), ...user('theirs') })}\n`,
    );
    const [next] = await store.append(s.id, [user('mine again')]);
    expect(next!.id).toBe(3);
  });

  it('clears a session but keeps its numbering, and deletes it for good', async () => {
    const { dir, store } = await openStore();
    const s = await store.create();
    await store.append(s.id, [user('a'), assistant('b')]);
    const cleared = await store.clear(s.id);
    expect(cleared).toMatchObject({ messageCount: 0, title: 'New session' });
    expect((await store.read(s.id)).events).toEqual([]);
    const [next] = await store.append(s.id, [user('c')]);
    expect(next!.id).toBe(3);
    await store.delete(s.id);
    expect(store.get(s.id)).toBeUndefined();
    await expect(store.read(s.id)).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(readFile(join(dir, `${s.id}.jsonl`))).rejects.toThrow();
  });

  it('refuses ids that are not session ids before touching the disk', async () => {
    const { store } = await openStore();
    for (const id of ['../settings', 'ses_x', '..%2f..%2fsecrets', '']) {
      await expect(store.read(id)).rejects.toBeInstanceOf(SessionNotFoundError);
    }
  });

  it('lets one run hold a session and takes over a lock left by a dead process', async () => {
    const { dir, store } = await openStore();
    const s = await store.create();
    const release = await store.lock(s.id);
    await expect(store.lock(s.id)).rejects.toBeInstanceOf(SessionLockedError);
    await release();
    await writeFile(join(dir, `${s.id}.lock`), JSON.stringify({ pid: 2 ** 22 + 12345 }));
    const again = await store.lock(s.id);
    await again();
  });
});

describe('conversation, fork, export and import', () => {
  const events = [
    { id: 1, time: 't', ...user('hello') },
    {
      id: 2,
      time: 't',
      ...assistant('calling', [
        { callId: 'c1', name: 'sleep', input: { ms: 1 } },
        { callId: 'c2', name: 'sleep', input: { ms: 2 } },
      ]),
    },
    {
      id: 3,
      time: 't',
      type: 'usage' as const,
      runId: 'run_1',
      provider: 'p',
      model: 'm',
      inputTokens: 1,
      outputTokens: 1,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0,
    },
    { id: 4, time: 't', ...toolDone('c1', 'slept') },
    { id: 5, time: 't', ...assistant('done') },
    { id: 6, time: 't', ...user('more') },
  ];

  it('answers every tool call, even one that never finished', () => {
    const messages = conversationFrom(events);
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user']);
    const tool = messages[2] as { content: { toolCallId: string; output: { type: string; value: string } }[] };
    expect(tool.content.map((p) => [p.toolCallId, p.output.type])).toEqual([
      ['c1', 'text'],
      ['c2', 'error-text'],
    ]);
    expect(tool.content[1]!.output.value).toMatch(/did not finish/);
  });

  it('forks at a message with its tool results and without usage', () => {
    expect(forkEvents(events, 2).map((e) => e.id)).toEqual([1, 2, 4]);
    expect(forkEvents(events, 6).map((e) => e.id)).toEqual([1, 2, 4, 5, 6]);
    expect(() => forkEvents(events, 3)).toThrow(ForkPointError);
    expect(() => forkEvents(events, 99)).toThrow(ForkPointError);
  });

  it('exports JSON that imports back, and readable Markdown', () => {
    const session = {
      header: { type: 'session' as const, version: 1 as const, id: 'ses_0000000000000000', createdAt: 't', title: 'T' },
      summary: {
        id: 'ses_0000000000000000',
        title: 'Title',
        titleSource: 'user' as const,
        createdAt: 't',
        updatedAt: 't',
        messageCount: 3,
        lastEventId: 6,
        pinned: false,
        archived: false,
        bytes: 0,
        mtimeMs: 0,
      },
      events,
      warnings: [],
    };
    const exported = JSON.parse(JSON.stringify(exportJson(session)));
    const imported = parseImport(exported);
    expect(imported.title).toBe('Title');
    expect(imported.events).toHaveLength(events.length);
    const md = exportMarkdown(session);
    expect(md).toContain('# Title');
    expect(md).toContain('## User\n\nhello');
    expect(md).toContain('**Tool call `sleep`**');
    expect(md).toContain('slept');

    expect(() => parseImport({ format: 'other' })).toThrow(ImportError);
    expect(() => parseImport({ ...exported, events: [events[1], events[0]] })).toThrow(/does not increase/);
    expect(() => parseImport({ ...exported, events: [{ id: 1, time: 't', type: 'rm -rf' }] })).toThrow(
      /not a valid session event/,
    );
  });
});
