import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ChatHarness, startChat } from '../helpers/chat';
import { runCli } from '../helpers/server';
import { tempDir } from '../helpers/workspace';

/** Ways of running rm that a rule matched against the start of the line let through; each removes its own file. */
const BYPASSES = [
  '  rm f01',
  'true && rm f02',
  'echo f03 | xargs rm',
  'x=rm; $x f04',
  'find . -name f05 -delete',
  'find . -name f06 -exec rm {} \\;',
  'bash -c "rm f07"',
  'eval rm f08',
  'echo $(rm f09)',
  '(rm f10)',
  '{ rm f11; }',
  'f() { rm f12; }; f',
  '/bin/rm f13',
  'env rm f14',
  'timeout 5 rm f15',
  '"r""m" f16',
];
const FILES = BYPASSES.map((_, i) => `f${String(i + 1).padStart(2, '0')}`);

const bash = (command: string) => ({ name: 'bash', input: { command } });

async function chatWithRules(mode: string, rules: string[]): Promise<ChatHarness> {
  const chat = await startChat();
  await chat.server.server.context.workspace.settings.patch({ permissions: { mode, rules } });
  return chat;
}

/** This machine is shared and slow under load: waits are generous, and no test depends on timing. */
const WAIT_MS = 60_000;
const TEST_MS = 180_000;

/** Sends a message and returns the events of its run, once the run has completed. */
async function runToEnd(chat: ChatHarness, id: string, text: string) {
  const stream = await chat.events(id, (await chat.session(id)).session.lastEventId);
  const sent = await chat.send(id, text);
  expect(sent.status).toBe(202);
  await stream.waitFor((d) => d.type === 'run.completed' && d.runId === sent.body.runId, WAIT_MS);
  stream.close();
  return stream.messages.map((m) => m.data).filter((d) => d.runId === sent.body.runId);
}

async function answer(chat: ChatHarness, id: string, body: unknown) {
  const res = await chat.server.fetch(`/api/interactions/${id}`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

describe('rules on shell commands match every command of the line', () => {
  it(
    'denies every way of writing rm with "deny bash(rm *)", even in bypass mode, and still runs a harmless line',
    async () => {
      const chat = await chatWithRules('bypass', ['deny bash(rm *)']);
      const dir = chat.server.workspaceDir;
      for (const file of FILES) await writeFile(join(dir, file), file);
      chat.mock.enqueue({ toolCalls: [...BYPASSES.map(bash), bash('ls')] }, { text: 'done' });
      const id = await chat.newSession();
      const events = await runToEnd(chat, id, 'remove them');

      const lines = new Map(
        events.filter((e) => e.type === 'tool.started').map((e) => [e.callId, e.input.command as string]),
      );
      const results = new Map(
        events.filter((e) => e.type === 'tool.completed').map((e) => [lines.get(e.callId)!, e.result]),
      );
      expect(results.size).toBe(BYPASSES.length + 1);
      for (const line of BYPASSES)
        expect(results.get(line).content, line).toMatch(
          /^Permission denied: denied by the rule "deny bash\(rm \*\)" for "(\/bin\/)?rm [^"]+"\./,
        );
      const listing = results.get('ls');
      expect(listing.isError).toBeUndefined();
      for (const file of FILES) expect(listing.content).toContain(file);
      expect((await readdir(dir)).filter((f) => /^f\d\d$/.test(f)).sort()).toEqual(FILES);
    },
    TEST_MS,
  );

  it(
    'asks about a command whose program is only known when it runs, and offers no standing grant for it',
    async () => {
      const chat = await chatWithRules('bypass', ['deny bash(rm *)']);
      chat.mock.enqueue({ toolCalls: [bash('$x y')] }, { text: 'done' });
      const id = await chat.newSession();
      const stream = await chat.events(id, (await chat.session(id)).session.lastEventId);
      await chat.send(id, 'run it');
      const asked = (await stream.waitFor((d) => d.type === 'approval.requested', WAIT_MS)).data;
      expect(asked).toMatchObject({
        name: 'bash',
        subject: '$x y',
        reason: 'what "$x y" runs is only known when it runs, and the rule "deny bash(rm *)" may cover it',
        grantPatterns: [],
        ungrantable: ['$x y'],
      });
      await answer(chat, asked.approvalId, { kind: 'approval', outcome: 'deny' });
      await stream.waitFor((d) => d.type === 'run.completed', WAIT_MS);
      stream.close();
    },
    TEST_MS,
  );

  it(
    'records one grant per command of an approved line, and keeps asking about commands it does not cover',
    async () => {
      const chat = await chatWithRules('default', []);
      await writeFile(join(chat.server.workspaceDir, 'notes.txt'), 'kept\n');
      chat.mock.enqueue({ toolCalls: [bash('ls && cat notes.txt')] }, { text: 'done' });
      const id = await chat.newSession();
      const stream = await chat.events(id, (await chat.session(id)).session.lastEventId);
      await chat.send(id, 'look');
      const asked = (await stream.waitFor((d) => d.type === 'approval.requested', WAIT_MS)).data;
      expect(asked).toMatchObject({
        subject: 'ls && cat notes.txt',
        grantPatterns: ['ls', 'cat notes.txt'],
        ungrantable: [],
      });
      await answer(chat, asked.approvalId, { kind: 'approval', outcome: 'session' });
      const resolved = (await stream.waitFor((d) => d.type === 'approval.resolved', WAIT_MS)).data;
      expect(resolved.grants.map((g: { rule: string }) => g.rule)).toEqual([
        'allow bash(ls)',
        'allow bash(cat notes.txt)',
      ]);
      await stream.waitFor((d) => d.type === 'run.completed', WAIT_MS);
      stream.close();
      const state: any = await (await chat.server.fetch(`/api/sessions/${id}/state`)).json();
      expect(state.grants.map((g: { rule: string }) => g.rule)).toEqual([
        'allow bash(ls)',
        'allow bash(cat notes.txt)',
      ]);

      chat.mock.enqueue({ toolCalls: [bash('cat notes.txt; ls')] }, { text: 'again' });
      expect((await runToEnd(chat, id, 'look again')).some((e) => e.type === 'approval.requested')).toBe(false);

      chat.mock.enqueue({ toolCalls: [bash('ls && rm notes.txt')] }, { text: 'tried' });
      const next = await chat.events(id, (await chat.session(id)).session.lastEventId);
      await chat.send(id, 'remove it');
      const again = (await next.waitFor((d) => d.type === 'approval.requested', WAIT_MS)).data;
      expect(again.reason).toBe('the default mode asks for execute tools for "rm notes.txt"');
      await answer(chat, again.approvalId, { kind: 'approval', outcome: 'workspace', patterns: ['rm *.tmp'] });
      await next.waitFor((d) => d.type === 'run.completed', WAIT_MS);
      next.close();
      const stored = JSON.parse(
        await readFile(join(chat.server.workspaceDir, '.boxagnts', 'permissions.json'), 'utf8'),
      );
      expect(stored.grants.map((g: { rule: string }) => g.rule)).toEqual(['allow bash(rm *.tmp)']);
    },
    TEST_MS,
  );
});

describe('boxagnts tool bash with rules', () => {
  async function workspace(rules: string[]) {
    const dir = await tempDir();
    await mkdir(join(dir, '.boxagnts'));
    await writeFile(join(dir, '.boxagnts', 'settings.json'), JSON.stringify({ permissions: { rules } }));
    await writeFile(join(dir, 'hello.txt'), 'hello\n');
    return dir;
  }

  it(
    'does not let an allow rule for one command leak across && to the next',
    async () => {
      const dir = await workspace(['allow bash(ls*)']);
      const listed = await runCli(['tool', 'bash', '{"command":"ls"}', '--workspace-dir', dir], { timeoutMs: WAIT_MS });
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain('hello.txt');

      const chained = await runCli(['tool', 'bash', '{"command":"ls && rm hello.txt"}', '--workspace-dir', dir], {
        timeoutMs: WAIT_MS,
      });
      expect(chained.code).toBe(1);
      expect(chained.stdout).toMatch(/needs approval \(the default mode asks for execute tools for "rm hello.txt"\)/);
      expect(chained.stdout).toContain('rules such as "allow bash(ls)", "allow bash(rm hello.txt)"');
      expect(await readFile(join(dir, 'hello.txt'), 'utf8')).toBe('hello\n');
    },
    TEST_MS,
  );

  it(
    'denies rm hidden behind a wrapper',
    async () => {
      const dir = await workspace(['allow bash', 'deny bash(rm *)']);
      const result = await runCli(['tool', 'bash', '{"command":"timeout 5 rm hello.txt"}', '--workspace-dir', dir], {
        timeoutMs: WAIT_MS,
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/Permission denied: denied by the rule "deny bash\(rm \*\)" for "rm hello.txt"/);
      expect(await readFile(join(dir, 'hello.txt'), 'utf8')).toBe('hello\n');
    },
    TEST_MS,
  );
});
