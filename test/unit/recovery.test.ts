import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conversationFrom } from '../../src/agent/conversation';
import type { RunEvent, StampedEvent } from '../../src/contract/events';
import { runEventInterpreter } from '../../src/agent/interpret';
import { PartialTextLog } from '../../src/agent/partial-text';
import { closeInterruptedRuns, closingEvents } from '../../src/agent/recovery';
import { silentLogger } from '../../src/log';
import { Redactor } from '../../src/models/redaction';
import { SessionStore } from '../../src/workspace/sessions';
import { tempDir } from '../helpers/workspace';

/** Above Linux's largest pid (2^22), so no process has it. */
const GONE = 2 ** 22 + 12345;

const started = (runId: string) => ({ type: 'run.started', runId, model: 'mock/m', maxTurns: 50 });
const user = (runId: string, text: string) => ({ type: 'message.user', runId, messageId: `msg_u_${text}`, text });
const completed = (
  runId: string,
  messageId: string,
  text: string,
  toolCalls: { callId: string; name: string; input: unknown }[] = [],
) => ({
  type: 'message.completed',
  runId,
  messageId,
  model: 'mock/m',
  text,
  toolCalls,
  finishReason: toolCalls.length ? 'tool-calls' : 'stop',
  modelMessage: {
    role: 'assistant',
    content: [
      { type: 'text', text },
      ...toolCalls.map((c) => ({ type: 'tool-call', toolCallId: c.callId, toolName: c.name, input: c.input })),
    ],
  },
});
const runDone = (runId: string) => ({ type: 'run.completed', runId, status: 'finished', turns: 1 });
const stamp = (events: object[]) =>
  events.map((e, i) => ({ ...e, id: i + 1, time: '2026-01-01T00:00:00.000Z' }) as StampedEvent);
const delta = (runId: string, messageId: string, text: string, kind: 'text' | 'reasoning' = 'text'): RunEvent => ({
  type: 'message.delta',
  runId,
  messageId,
  kind,
  text,
});

describe('closingEvents', () => {
  it('closes nothing when every run is closed', () => {
    expect(closingEvents([], undefined)).toEqual([]);
    expect(
      closingEvents(
        stamp([started('run_1'), user('run_1', 'hi'), completed('run_1', 'msg_1', 'Hello.'), runDone('run_1')]),
        undefined,
      ),
    ).toEqual([]);
  });

  it('closes the open run as interrupted, with the text its message had streamed', () => {
    const events = stamp([
      started('run_1'),
      user('run_1', 'hi'),
      completed('run_1', 'msg_1', 'Done.'),
      runDone('run_1'),
      started('run_2'),
      user('run_2', 'two steps'),
      completed('run_2', 'msg_2', 'One. ', [{ callId: 'c1', name: 'sleep', input: {} }]),
    ]);
    const closing = closingEvents(events, { runId: 'run_2', messageId: 'msg_3', text: 'Two is half' });
    expect(closing).toEqual([
      {
        type: 'message.completed',
        runId: 'run_2',
        messageId: 'msg_3',
        model: 'mock/m',
        text: 'Two is half',
        toolCalls: [],
        finishReason: 'interrupted',
        interrupted: true,
        modelMessage: { role: 'assistant', content: [{ type: 'text', text: 'Two is half' }] },
      },
      { type: 'run.completed', runId: 'run_2', status: 'interrupted', turns: 2 },
    ]);

    // The conversation replayed next stays valid: the unfinished call is answered, then the partial reply.
    const replay = conversationFrom([...events, ...stamp(closing), ...stamp([user('run_3', 'go on')])] as never);
    expect(replay.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'tool', 'assistant', 'user']);
  });

  it('keeps no partial text that is not the open run’s unfinished message', () => {
    const events = stamp([started('run_1'), user('run_1', 'hi'), completed('run_1', 'msg_1', 'Stored.')]);
    const closeOnly = [{ type: 'run.completed', runId: 'run_1', status: 'interrupted', turns: 1 }];
    // Stored already: the process died between storing the message and removing its partial copy.
    expect(closingEvents(events, { runId: 'run_1', messageId: 'msg_1', text: 'Stored.' })).toEqual(closeOnly);
    expect(closingEvents(events, { runId: 'run_0', messageId: 'msg_9', text: 'an older run' })).toEqual(closeOnly);
    expect(closingEvents(events, { runId: 'run_1', messageId: 'msg_2', text: '' })).toEqual(closeOnly);
  });
});

describe('PartialTextLog', () => {
  it('keeps the streamed text of the message in flight, starts over on a retry and lets go once it is stored', async () => {
    const dir = await tempDir();
    const log = new PartialTextLog(dir);
    log.note('ses_a', delta('run_1', 'msg_1', 'Half '));
    log.note('ses_a', delta('run_1', 'msg_1', 'thinking', 'reasoning'));
    log.note('ses_a', delta('run_1', 'msg_1', 'a sentence'));
    expect(await log.read('ses_a')).toEqual({ runId: 'run_1', messageId: 'msg_1', text: 'Half a sentence' });

    log.note('ses_a', {
      type: 'model.retry',
      runId: 'run_1',
      messageId: 'msg_1',
      attempt: 1,
      delayMs: 5,
      reason: 'overloaded',
    });
    expect(await log.read('ses_a')).toBeUndefined();
    log.note('ses_a', delta('run_1', 'msg_1', 'Again'));
    expect(await log.read('ses_a')).toEqual({ runId: 'run_1', messageId: 'msg_1', text: 'Again' });

    log.note('ses_a', completed('run_1', 'msg_1', 'Again') as RunEvent);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('closeInterruptedRuns', () => {
  async function sessionWithOpenRun(store: SessionStore, log: PartialTextLog, holder: number, partial: string) {
    const { id } = await store.create();
    await store.append(id, [started(`run_${holder}`), user(`run_${holder}`, 'write a poem')]);
    log.note(id, delta(`run_${holder}`, 'msg_1', partial));
    await writeFile(join(store.dir, `${id}.lock`), JSON.stringify({ pid: holder, since: new Date().toISOString() }));
    return id;
  }

  it('closes the runs of dead processes from their locks, and leaves the runs of live ones alone', async () => {
    const dir = await tempDir();
    const store = await SessionStore.open(dir, runEventInterpreter);
    const log = new PartialTextLog(dir);
    const dead = await sessionWithOpenRun(store, log, GONE, 'Roses are');
    // The test runner's parent stands for another live process (a headless run) in the same workspace.
    const live = await sessionWithOpenRun(store, log, process.ppid, 'Violets');

    await closeInterruptedRuns(store, log, new Redactor(), silentLogger);

    const closed = (await store.read(dead)).events;
    expect(closed.map((e) => e.type)).toEqual(['run.started', 'message.user', 'message.completed', 'run.completed']);
    expect(closed[2]).toMatchObject({ text: 'Roses are', interrupted: true });
    expect(closed[3]).toMatchObject({ status: 'interrupted', turns: 1 });
    expect((await store.read(live)).events.map((e) => e.type)).toEqual(['run.started', 'message.user']);
    expect((await readdir(dir)).filter((n) => !n.endsWith('.jsonl') && n !== 'index.json').sort()).toEqual([
      `${live}.lock`,
      `${live}.partial`,
    ]);

    // Closing is done once: a second start finds nothing more to close.
    await closeInterruptedRuns(store, log, new Redactor(), silentLogger);
    expect((await store.read(dead)).events).toHaveLength(4);
  });
});
