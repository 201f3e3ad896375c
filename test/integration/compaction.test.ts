import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StampedEvent } from '../../src/contract/events';
import { silentLogger } from '../../src/log';
import { type AgentRuntime, createRuntime } from '../../src/runtime/runtime';
import { openWorkspace } from '../../src/workspace/workspace';
import type { MockModelServer, MockTurn, RecordedRequest } from '../fixtures/mock-model/server';
import { mockProviderSettings, startMock } from '../helpers/chat';
import { tempDir } from '../helpers/workspace';

const runtimes: AgentRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.close()));
});

/** A small window, so a few reads of a large file pass the thresholds. */
async function harness(
  context: Record<string, unknown>,
  contextWindow = 12_000,
): Promise<{ runtime: AgentRuntime; mock: MockModelServer; root: string }> {
  const mock = await startMock();
  const root = await tempDir('boxagnts-compact-');
  // Six files of about 6,000 characters (1,500 tokens) each.
  for (let i = 0; i < 6; i++)
    await writeFile(
      join(root, `big${i}.txt`),
      `FILE-${i}-START\n${'lorem ipsum dolor sit amet, line\n'.repeat(190)}FILE-${i}-END\n`,
    );
  const workspace = await openWorkspace(root);
  await workspace.settings.patch(mockProviderSettings(mock));
  await workspace.settings.patch({
    providers: { mock: { models: { 'mock-model': { contextWindow, maxOutput: 1000 } } } },
    context,
  });
  const runtime = await createRuntime(workspace, { logger: silentLogger, watchExtensions: false });
  runtimes.push(runtime);
  return { runtime, mock, root };
}

async function run(runtime: AgentRuntime, text: string, sessionId?: string) {
  const session = sessionId ?? (await runtime.sessions.create()).id;
  const spec = await runtime.workspaceSpec({ text, permissionMode: 'bypass' }, { watched: false, unattended: 'deny' });
  const outcome = await (await runtime.runner.start(session, spec)).done;
  return { sessionId: session, outcome, events: (await runtime.sessions.read(session)).events };
}

const isSummaryRequest = (request: RecordedRequest) =>
  JSON.stringify(request.body.messages[0]).includes('You write the summary');
const compactions = (events: StampedEvent[]) =>
  events.filter((e): e is Extract<StampedEvent, { type: 'compaction.completed' }> => e.type === 'compaction.completed');
const read = (i: number): MockTurn => ({ toolCalls: [{ name: 'read', input: { file_path: `big${i}.txt` } }] });

describe('compaction', () => {
  it('masks old tool outputs past the threshold, and the session keeps every original output', async () => {
    const { runtime, mock } = await harness({ maskAt: 0.6, keepRecentTokens: 1000, compactAt: 100_000 });
    mock.enqueue(read(0), read(1), read(2), read(3), read(4), { text: 'All read.' });
    const { events, outcome } = await run(runtime, 'read the big files one by one');
    expect(outcome.status).toBe('finished');
    const last = JSON.stringify(mock.requests.at(-1)!.body.messages);
    expect(last).toMatch(/\[output of read big0\.txt, \d+ lines, elided — call it again if needed\]/);
    expect(last).not.toContain('FILE-0-START');
    // The newest outputs are whole.
    expect(last).toContain('FILE-4-START');
    const [mask] = compactions(events);
    expect(mask).toMatchObject({ kind: 'mask' });
    expect(mask!.tokensAfter).toBeLessThan(mask!.tokensBefore);
    expect(mask!.coveredEventIds.length).toBeGreaterThan(0);
    // Compaction changes what the model sees, never what is stored.
    const stored = events.filter((e) => e.type === 'tool.completed').map((e) => JSON.stringify(e));
    for (let i = 0; i < 5; i++) expect(stored.some((text) => text.includes(`FILE-${i}-START`))).toBe(true);
  });

  it('never sends a request longer than the window: one that compaction cannot bring under it stops the run, saying so', async () => {
    const { runtime, mock } = await harness({ maskAt: 1, keepRecentTokens: 1000 });
    // About 15,000 tokens in one message, over the 12,000-token window: too large even for a summary request.
    const { outcome } = await run(runtime, `PASTED-LOG ${'x'.repeat(60_000)}`);
    expect(outcome.status).toBe('error');
    expect(outcome.error?.code).toBe('context_overflow');
    expect(outcome.error?.message).toMatch(
      /needs about 1\d,\d{3} tokens, more than the 12,000-token context window of mock\/mock-model, so it was not sent/,
    );
    expect(mock.requests).toHaveLength(0);
  });

  it('does not summarise when the system prompt and tools fill most of a small window: a summary could not help', async () => {
    const { runtime, mock } = await harness({}, 4096);
    mock.enqueue({ text: 'Hello.' });
    const { outcome, events } = await run(runtime, 'hi');
    expect(outcome.status).toBe('finished');
    expect(mock.requests.filter(isSummaryRequest)).toEqual([]);
    expect(compactions(events)).toEqual([]);
  });

  it('summarises past compactAt; the next request holds the summary, every user instruction, the tasks and the file ledger', async () => {
    const { runtime, mock } = await harness({ maskAt: 1, keepRecentTokens: 1000, compactAt: 7000 });
    mock.enqueue({ text: 'Noted.' });
    const first = await run(runtime, 'INSTRUCTION-ONE: always use tabs');
    // Turn by turn in order (the conversation itself shrinks when it is compacted, so it cannot say which turn it is).
    let turn = 0;
    mock.setFallback((request) => {
      if (isSummaryRequest(request)) return { text: 'SUMMARY-TEXT: read big files, decided to keep tabs.' };
      const script: MockTurn[] = [
        { toolCalls: [{ name: 'todo_write', input: { todos: [{ content: 'TASK-ALPHA', status: 'in_progress' }] } }] },
        read(0),
        read(1),
        { toolCalls: [{ name: 'write', input: { file_path: 'notes.md', content: 'done\n' } }] },
        read(2),
        read(3),
      ];
      return script[turn++] ?? { text: 'Finished.' };
    });
    const { events, outcome } = await run(runtime, 'INSTRUCTION-TWO: then read the files', first.sessionId);
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe('finished');
    const summaries = compactions(events).filter((e) => e.kind === 'summary');
    expect(summaries.length).toBeGreaterThanOrEqual(1);
    const summary = summaries[0]!;
    expect(summary.tokensAfter).toBeLessThan(summary.tokensBefore);
    expect(summary.coveredEventIds.length).toBeGreaterThan(3);
    const after = mock.requests.filter((r) => !isSummaryRequest(r)).at(-1)!;
    const sent = JSON.stringify(after.body.messages);
    expect(sent).toContain('SUMMARY-TEXT');
    expect(sent).toContain('INSTRUCTION-ONE: always use tabs');
    expect(sent).toContain('INSTRUCTION-TWO: then read the files');
    expect(sent).toContain('TASK-ALPHA');
    expect(sent).toMatch(/big0\.txt: read/);
    expect(sent).toMatch(/notes\.md: written/);
    expect(sent).not.toContain('FILE-0-START');
    // A later run of the session starts from the compacted conversation, too.
    mock.setFallback({ text: 'ok' });
    await run(runtime, 'INSTRUCTION-THREE', first.sessionId);
    const next = JSON.stringify(mock.requests.at(-1)!.body.messages);
    expect(next).toContain('SUMMARY-TEXT');
    expect(next).not.toContain('FILE-0-START');
  });

  it('stops a run whose summaries do not shrink it, instead of spiralling', async () => {
    const { runtime, mock } = await harness({ maskAt: 1, keepRecentTokens: 1000, compactAt: 3000 });
    let summaryCalls = 0;
    mock.setFallback((request) => {
      if (isSummaryRequest(request)) {
        summaryCalls += 1;
        return { text: 'useless '.repeat(3000) };
      }
      const turn = request.body.messages.filter((m: { role: string }) => m.role === 'assistant').length;
      return read(turn % 6);
    });
    const { outcome } = await run(runtime, 'read forever');
    expect(outcome.status).toBe('error');
    expect(outcome.error?.code).toBe('context_overflow');
    expect(summaryCalls).toBe(3);
  });

  it('compacts on /compact, with its focus, and records it', async () => {
    const { runtime, mock } = await harness({ maskAt: 1, keepRecentTokens: 1000, compactAt: 100_000 });
    mock.enqueue(read(0), { text: 'Read it.' });
    const first = await run(runtime, 'read big0');
    mock.setFallback((request) => ({ text: isSummaryRequest(request) ? 'MANUAL-SUMMARY' : 'ok' }));
    const { outcome, events } = await run(runtime, '/compact the file contents', first.sessionId);
    expect(outcome.status).toBe('finished');
    const summaryRequest = mock.requests.find(isSummaryRequest)!;
    expect(JSON.stringify(summaryRequest.body.messages.at(-1))).toContain('Give most room to: the file contents');
    expect(compactions(events).at(-1)).toMatchObject({ kind: 'summary', manual: true, summary: 'MANUAL-SUMMARY' });
  });
});

describe('compaction quality', () => {
  it('keeps every fact the pinned state promises across two compactions of a 60-turn session', async () => {
    // A window past small-context mode: the full system prompt and tool set, as most sessions have.
    const { runtime, mock, root } = await harness({ maskAt: 1, keepRecentTokens: 1000, compactAt: 5000 }, 20_000);
    // Facts in tool outputs: only a summary could carry these.
    for (let i = 1; i <= 4; i++)
      await writeFile(join(root, `notes${i}.txt`), `FACT-T${i}: the service ${i} listens on port 80${i}0\n`);
    const userFacts = [
      'FACT-U1: indent with tabs, never spaces',
      'FACT-U2: target Node 20, not 22',
      'FACT-U3: do not touch the migrations folder',
      'FACT-U4: every commit message starts with a verb',
    ];
    const written = ['src/alpha.ts', 'src/beta.ts', 'docs/gamma.md', 'test/delta.test.ts'];
    let turn = 0;
    const turns = (): MockTurn => {
      const n = turn++;
      if (n % 20 === 19) return { text: `Part ${Math.floor(n / 20) + 1} done.` };
      if (n % 15 === 5) return { toolCalls: [{ name: 'read', input: { file_path: `notes${(n % 4) + 1}.txt` } }] };
      if (n % 15 === 7)
        return {
          toolCalls: [{ name: 'write', input: { file_path: written[Math.floor(n / 15) % 4]!, content: `// ${n}\n` } }],
        };
      return { toolCalls: [{ name: 'glob', input: { pattern: `*${n % 10}*` } }] };
    };
    mock.setFallback((request) =>
      isSummaryRequest(request) ? { text: 'SUMMARY: working through the parts.' } : turns(),
    );
    let sessionId: string | undefined;
    for (const fact of userFacts.slice(0, 3)) {
      const result = await run(runtime, fact, sessionId);
      sessionId = result.sessionId;
      expect(result.outcome.error).toBeUndefined();
    }
    const final = await run(runtime, userFacts[3]!, sessionId);
    const summaries = compactions(final.events).filter((e) => e.kind === 'summary');
    expect(summaries.length).toBeGreaterThanOrEqual(2);
    expect(turn).toBeGreaterThanOrEqual(60);

    const sent = JSON.stringify(mock.requests.filter((r) => !isSummaryRequest(r)).at(-1)!.body.messages);
    // Promised: every user instruction verbatim, and every file written in the ledger.
    for (const fact of userFacts) expect(sent).toContain(fact);
    for (const path of written) expect(sent).toContain(`${path}: written`);
    // Not promised: facts that lived only in tool outputs.
    const survived = [1, 2, 3, 4].filter((i) => sent.includes(`FACT-T${i}`)).length;
    console.log(`tool-output facts still in the request after ${summaries.length} compactions: ${survived} of 4`);
  });
});
