import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type MemoryStatus, MemoryStatusSchema } from '../../src/contract/workspace';
import { startChat } from '../helpers/chat';
import { connectSse } from '../helpers/sse';

const CLIENTS = 200;
const SESSIONS = 200;
const AT_ONCE = 20;

/** What must fall back to its idle value once work ends (memory itself is measured by `npm run bench -- soak`). */
const COUNTS = ['runs', 'liveSessions', 'listeners', 'streams', 'watchedFolders', 'workers'] as const;
const counts = (status: MemoryStatus) => Object.fromEntries(COUNTS.map((name) => [name, status[name]]));

/**
 * Counts, not bytes, so it cannot flake: after 200 event streams opened and closed and 200 sessions that each ran
 * tools, the server holds what it held before any of it.
 */
describe('what the server holds returns to its idle values', () => {
  it('after 200 event streams and 200 sessions with tool calls', { timeout: 300_000 }, async () => {
    const chat = await startChat();
    const { server, mock } = chat;
    await server.server.context.workspace.settings.patch({
      permissions: { mode: 'bypass' },
      sandbox: { workerIdleMs: 1000 },
    });
    await mkdir(join(server.workspaceDir, 'src'));
    await writeFile(join(server.workspaceDir, 'src', 'a.ts'), 'export function aHandler() {}\n');
    mock.setFallback((request) => {
      const answered = request.body?.messages?.some((m: { role?: string }) => m.role === 'tool');
      if (answered) return { text: 'Done.' };
      return {
        toolCalls: [
          { name: 'bash', input: { command: 'ls src && echo ok' } },
          { name: 'grep', input: { pattern: 'Handler', path: '/src' } },
          { name: 'read', input: { file_path: '/src/a.ts' } },
        ],
      };
    });
    const memory = async () => MemoryStatusSchema.parse(await (await server.fetch('/api/memory')).json());
    const idle = await memory();
    expect(counts(idle)).toMatchObject({ runs: 0, liveSessions: 0, streams: 0, workers: 0 });

    // Event streams: half on the global events, half on sessions' own.
    const watched = await Promise.all(Array.from({ length: 4 }, () => chat.newSession()));
    const streams = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) =>
        connectSse(
          i % 2 === 0
            ? `${server.url}/api/events`
            : `${server.url}/api/sessions/${watched[(i >> 1) % watched.length]}/events`,
          {
            origin: server.url,
          },
        ),
      ),
    );
    await Promise.all(streams.map((s) => s.waitFor((d) => d.type === 'stream.open')));
    // The stream's first event may leave before its source is attached: the counts are waited for.
    await expect.poll(async () => (await memory()).streams).toBe(CLIENTS);
    const open = await memory();
    expect(open.liveSessions).toBe(watched.length);
    expect(open.listeners).toBeGreaterThanOrEqual(idle.listeners + CLIENTS);
    for (const stream of streams) stream.close();
    await expect.poll(async () => counts(await memory()), { timeout: 30_000 }).toEqual(counts(idle));

    // Sessions, each running three tools, AT_ONCE at a time, each watched while it runs as the dashboard does.
    let next = 0;
    let finished = 0;
    await Promise.all(
      Array.from({ length: AT_ONCE }, async () => {
        while (next < SESSIONS) {
          next += 1;
          const events = await chat.run(await chat.newSession(), 'List, find, read.');
          if (events.some((e) => e.type === 'run.completed' && e.status === 'finished')) finished += 1;
        }
      }),
    );
    expect(finished).toBe(SESSIONS);
    const toolResults = mock.requests.filter((r) =>
      r.body?.messages?.some((m: { role?: string }) => m.role === 'tool'),
    );
    expect(toolResults.length).toBe(SESSIONS);
    // Workers end a second after their last call once no run is under way.
    await expect.poll(async () => counts(await memory()), { timeout: 60_000 }).toEqual(counts(idle));
  });
});
