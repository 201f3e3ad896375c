import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runEventInterpreter } from '../src/agent/interpret';
import { silentLogger } from '../src/log';
import { startServer } from '../src/server/serve';
import { SessionStore, newSessionId } from '../src/workspace/sessions';
import { type Bench, type Metric, median, round } from './lib';
import { benchWorkspace } from './processes';

const line = (value: unknown) => `${JSON.stringify(value)}\n`;
const time = new Date().toISOString();

function sessionFile(id: string, messages: number, textLength: number): string {
  let out = line({ type: 'session', version: 1, id, createdAt: time, title: 'New session' });
  let eventId = 0;
  for (let i = 0; i < messages; i++) {
    const text = `${i % 2 ? 'Answer' : 'Question'} ${i}: ${'lorem ipsum dolor sit amet '.repeat(Math.ceil(textLength / 27)).slice(0, textLength)}`;
    eventId += 1;
    out += line(
      i % 2 === 0
        ? { id: eventId, time, type: 'message.user', runId: 'run_b', messageId: `m${i}`, text }
        : {
            id: eventId,
            time,
            type: 'message.completed',
            runId: 'run_b',
            messageId: `m${i}`,
            model: 'p/m',
            text,
            toolCalls: [],
            finishReason: 'stop',
            modelMessage: { role: 'assistant', content: [{ type: 'text', text }] },
          },
    );
  }
  return out;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await fn();
  return [value, performance.now() - started];
}

async function requestTimes(url: string, path: string, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const res = await fetch(url + path);
    await res.arrayBuffer();
    times.push(performance.now() - started);
  }
  return median(times);
}

export const sessionsBench: Bench = {
  name: 'sessions',
  async run(): Promise<Metric[]> {
    const dir = await benchWorkspace();
    const sessionsDir = join(dir, '.boxagnts', 'sessions');
    await mkdir(sessionsDir, { recursive: true });
    try {
      const count = 10_000;
      const ids = Array.from({ length: count }, () => newSessionId());
      for (let i = 0; i < count; i += 500)
        await Promise.all(
          ids.slice(i, i + 500).map((id) => writeFile(join(sessionsDir, `${id}.jsonl`), sessionFile(id, 4, 200))),
        );
      const [rebuilt, rebuildMs] = await timed(() => SessionStore.open(sessionsDir, runEventInterpreter));
      await rebuilt.close();
      const [store, openMs] = await timed(() => SessionStore.open(sessionsDir, runEventInterpreter));
      const firstList = performance.now();
      store.list({ limit: 50 });
      const firstListMs = performance.now() - firstList;
      await store.close();

      const big = newSessionId();
      await writeFile(join(sessionsDir, `${big}.jsonl`), sessionFile(big, 5000, 400));
      const server = await startServer({ workspaceDir: dir, host: '127.0.0.1', port: 0, logger: silentLogger });
      try {
        const listMs = await requestTimes(server.url, '/api/sessions?limit=50', 20);
        const filterMs = await requestTimes(server.url, '/api/sessions?limit=50&q=question', 10);
        const openBigMs = await requestTimes(server.url, `/api/sessions/${big}`, 10);
        return [
          {
            name: `list ${count} sessions: GET /api/sessions (median)`,
            value: round(listMs, 2),
            unit: 'ms',
            target: '< 100 ms',
          },
          { name: `filter ${count} sessions by title (median)`, value: round(filterMs, 2), unit: 'ms' },
          {
            name: `open index of ${count} sessions at start-up`,
            value: round(openMs, 1),
            unit: `ms (+${round(firstListMs, 1)} ms first sort)`,
          },
          { name: `rebuild a lost index from ${count} files`, value: round(rebuildMs), unit: 'ms' },
          {
            name: 'open a session of 5,000 messages: GET (median)',
            value: round(openBigMs, 1),
            unit: 'ms',
            target: '< 200 ms',
          },
        ];
      } finally {
        await server.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
