import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEventInterpreter } from '../src/agent/interpret';
import { SessionSearch } from '../src/workspace/session-search';
import { SessionStore, newSessionId } from '../src/workspace/sessions';
import { type Bench, type Metric, median, percentile, round, timeEach } from './lib';

const SESSIONS = 10_000;
const WORDS = ['build', 'deploy', 'refactor', 'parser', 'cache', 'timeout', 'retry', 'schema', 'index', 'router'];

/** One session file as the store writes it: a header, then a few user and agent messages. */
function sessionFile(id: string, i: number): string {
  const time = '2026-12-01T00:00:00.000Z';
  const lines: unknown[] = [{ type: 'session', version: 1, id, createdAt: time, title: `Session ${i}` }];
  let eventId = 0;
  for (let turn = 0; turn < 4; turn++) {
    const word = WORDS[(i + turn) % WORDS.length]!;
    lines.push({
      id: ++eventId,
      time,
      type: 'message.user',
      runId: 'r',
      messageId: `u${turn}`,
      text: `Please ${word} module ${i}-${turn} and tell me what changed.`,
    });
    lines.push({
      id: ++eventId,
      time,
      type: 'message.completed',
      runId: 'r',
      messageId: `m${turn}`,
      model: 'mock/mock-model',
      text: `I looked at the ${word} code of module ${i}-${turn}: ${'the details are in the files. '.repeat(8)}`,
      toolCalls: [],
      finishReason: 'stop',
      modelMessage: { role: 'assistant', content: 'text' },
    });
  }
  return `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
}

/** Search across sessions: building the index of 10,000 sessions from their files, and a search over it. */
export const searchBench: Bench = {
  name: 'search',
  async run(): Promise<Metric[]> {
    const root = await mkdtemp(join(tmpdir(), 'boxagnts-bench-search-'));
    const dir = join(root, 'sessions');
    await mkdir(dir);
    try {
      for (let i = 0; i < SESSIONS; i += 500)
        await Promise.all(
          Array.from({ length: Math.min(500, SESSIONS - i) }, (_, k) => {
            const id = newSessionId();
            return writeFile(join(dir, `${id}.jsonl`), sessionFile(id, i + k));
          }),
        );
      const store = await SessionStore.open(dir, runEventInterpreter);
      const search = new SessionSearch(join(root, 'session-search.json'), [store]);
      const built = performance.now();
      await search.refresh();
      const buildMs = performance.now() - built;
      const reopened = new SessionSearch(join(root, 'session-search.json'), [store]);
      const loaded = performance.now();
      await reopened.refresh();
      const loadMs = performance.now() - loaded;
      let hits = 0;
      const times = await timeEach(20, async () => {
        hits = (await reopened.search('module 4242-1')).size;
      });
      await store.close();
      return [
        {
          name: `search the messages of ${SESSIONS} sessions (p50)`,
          value: round(median(times.slice(3)), 1),
          unit: `ms (p95 ${round(percentile(times.slice(3), 95), 1)} ms, ${hits} hit)`,
          target: '< 200 ms',
        },
        {
          name: `build the index from ${SESSIONS} session files`,
          value: round(buildMs),
          unit: 'ms (once, when missing)',
        },
        { name: 'reopen a saved index and check it against the sessions', value: round(loadMs), unit: 'ms' },
      ];
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  },
};
