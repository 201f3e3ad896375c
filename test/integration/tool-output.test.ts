import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_RESULT_CHARS } from '../../src/sandbox/protocol';
import { OUTPUT_CAP } from '../../src/tools/output-cap';
import { defineTool } from '../../src/tools/tool';
import { startChat } from '../helpers/chat';
import { callTool, text } from '../helpers/sandbox';
import { startTestServer } from '../helpers/server';

const MIB = 1024 * 1024;

/** About 50 MB of numbered lines, built by the model's code. */
const FIFTY_MB =
  'export function main() { const pad = "x".repeat(240); const out = []; for (let i = 1; i <= 200000; i++) out.push("line " + i + " " + pad); return out.join("\\n") }';
const line = (n: number) => `line ${n} ${'x'.repeat(240)}`;

/** Where the saved output of a call is on the host, and the offset its note gives. */
function savedOf(workspaceDir: string, shown: string) {
  const match = /read \{"file_path": "\/\.tool-output\/([\w-]+)\/([\w-]+)\.txt", "offset": (\d+)\}/.exec(shown);
  if (!match) throw new Error(`no note on where the output is saved in: ${shown.slice(-500)}`);
  const [, session, call, offset] = match;
  return {
    folder: join(workspaceDir, '.boxagnts', 'tool-output', session!),
    file: join(workspaceDir, '.boxagnts', 'tool-output', session!, `${call}.txt`),
    offset: Number(offset),
  };
}

/** The last line the capped text shows before its cut. */
function lastLineBeforeCut(shown: string): string {
  const head = shown.slice(0, shown.indexOf('\n… '));
  return head.slice(head.lastIndexOf('\n') + 1);
}

describe('tool output', () => {
  it(
    'keeps a 50 MB jsexec result out of the session: its event is small, says it was cut, and the whole is kept for reading on',
    { timeout: 120_000 },
    async () => {
      const chat = await startChat();
      await chat.server.server.context.workspace.settings.patch({ permissions: { mode: 'bypass' } });
      chat.mock.enqueue({ toolCalls: [{ name: 'jsexec', input: { code: FIFTY_MB } }] }, { text: 'done' });
      const id = await chat.newSession();
      // Building and cutting 50 MB takes the interpreter a while on a busy machine.
      const stream = await chat.events(id);
      const sent = await chat.send(id, 'make a lot of output');
      await stream.waitFor((d) => d.type === 'run.completed', 100_000);
      stream.close();
      const events = stream.messages.map((m) => m.data).filter((d) => d.runId === sent.body.runId);

      const completed = events.find((e) => e.type === 'tool.completed');
      expect(JSON.stringify(completed).length).toBeLessThan(100_000);
      const shown: string = completed.result.content;
      expect(shown.startsWith('main() returned a string:\nline 1 xxx')).toBe(true);
      expect(shown).toMatch(/characters cut/);
      expect(shown).toMatch(
        /line 200000 x+\n\n\[Output cut to 30,000 of [\d,]+ characters\. All of it is saved; read it in pages/,
      );
      // The model was given the same capped text.
      expect(JSON.stringify(chat.mock.requests[1]!.body.messages).length).toBeLessThan(100_000);

      // The session stays small on disk and over the API.
      const response = await chat.server.fetch(`/api/sessions/${id}`);
      expect(response.status).toBe(200);
      expect((await response.text()).length).toBeLessThan(150_000);
      expect(statSync(join(chat.server.workspaceDir, '.boxagnts', 'sessions', `${id}.jsonl`)).size).toBeLessThan(
        150_000,
      );

      // The saved copy holds the output up to the sandbox's own bound, in lines, and the offset is where the cut began.
      const saved = savedOf(chat.server.workspaceDir, shown);
      expect(saved.folder.endsWith(id)).toBe(true);
      const content = readFileSync(saved.file, 'utf8');
      expect(content.length).toBeGreaterThan(OUTPUT_CAP * 10);
      expect(content.length).toBeLessThanOrEqual(MAX_RESULT_CHARS);
      const lines = content.split('\n');
      expect(lines[1]).toBe(line(1));
      expect(lines.at(-1)).toBe(line(200_000));
      expect(lines[saved.offset - 1]!.startsWith(lastLineBeforeCut(shown))).toBe(true);
      expect(lines[saved.offset]).toBe(line(saved.offset));

      // The model reads the saved output in pages, where the note says, and cannot change it.
      const guestPath = `/.tool-output/${id}/${saved.file.split('/').pop()}`;
      const page = await callTool(chat.server.server.context.runtime, 'read', {
        file_path: guestPath,
        offset: saved.offset,
        limit: 2,
      });
      expect(page.isError).toBeFalsy();
      expect(text(page)).toContain(line(saved.offset));
      const write = await callTool(chat.server.server.context.runtime, 'write', {
        file_path: guestPath,
        content: 'changed',
      });
      expect(write.isError).toBe(true);
      expect(readFileSync(saved.file, 'utf8')).toBe(content);
      expect(
        text(await callTool(chat.server.server.context.runtime, 'read', { file_path: '/.boxagnts/sessions' })),
      ).toMatch(/not found/i);

      // They go with their session.
      expect((await chat.server.fetch(`/api/sessions/${id}`, { method: 'DELETE' })).status).toBe(200);
      expect(existsSync(saved.folder)).toBe(false);
    },
  );

  it('caps every kind of tool the same way: a native tool and the shell', async () => {
    const big = defineTool({
      name: 'big_report',
      description: 'Prints a long report.',
      permissionLevel: 'read',
      input: z.strictObject({}),
      execute: async () => ({ content: Array.from({ length: 20_000 }, (_, i) => `row ${i + 1}`).join('\n') }),
    });
    const s = await startTestServer({ extraTools: [big] });
    const report = text(await callTool(s.server.context.runtime, 'big_report', {}));
    expect(report.length).toBeLessThan(OUTPUT_CAP + 500);
    expect(report).toMatch(/^row 1\nrow 2\n[^]*characters cut[^]*row 20000\n\n\[Output cut/);
    expect(readFileSync(savedOf(s.workspaceDir, report).file, 'utf8').split('\n')).toHaveLength(20_000);

    const shell = await callTool(s.server.context.runtime, 'bash', { command: 'seq 1 40000' });
    const shown = text(shell);
    expect(shown.length).toBeLessThan(OUTPUT_CAP + 500);
    expect(shown).toMatch(/^1\n2\n[^]*characters cut[^]*\n40000\n\(exit code 0\)\n\n\[Output cut/);
    expect(shell.metadata).toMatchObject({
      exitCode: 0,
      outputCut: { characters: expect.any(Number), savedAs: expect.stringMatching(/^\/\.tool-output\//) },
    });
    const saved = savedOf(s.workspaceDir, shown);
    const lines = readFileSync(saved.file, 'utf8').split('\n');
    expect(lines.slice(0, 3)).toEqual(['1', '2', '3']);
    expect(lines.at(-2)).toBe('40000');
    expect(lines[saved.offset - 1]!.startsWith(lastLineBeforeCut(shown))).toBe(true);
  });

  it(
    'bounds what a sandboxed call hands back from its worker, whatever the guest returns',
    { timeout: 60_000 },
    async () => {
      const s = await startTestServer();
      const { result } = await s.server.context.runtime.sandbox.run('jsexec', {
        kind: 'jsexec',
        code: 'export function main() { return { a: "a".repeat(30_000_000), b: 1 } }',
      });
      expect(result.exitCode).toBe(0);
      expect(JSON.stringify(result.output).length).toBeLessThanOrEqual(MAX_RESULT_CHARS);
      expect(result.output).toMatchObject({ a: expect.stringMatching(/^a+\n… [\d,]+ characters cut …\na+$/), b: 1 });
      expect(MAX_RESULT_CHARS).toBeLessThan(10 * MIB);
    },
  );
});
