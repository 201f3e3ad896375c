import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { freePort } from '../helpers/ports';
import { createLogger } from '../../src/log';
import { Redactor } from '../../src/models/redaction';
import { mockProviderSettings, startMock } from '../helpers/chat';
import { startTestServer } from '../helpers/server';
import { connectSse } from '../helpers/sse';
import { tempDir } from '../helpers/workspace';

/** What every page of the dashboard loads first. */
const PAGE_APIS = [
  '/api/health',
  '/api/sessions',
  '/api/sessions?archived=true',
  '/api/models',
  '/api/providers',
  '/api/tools',
  '/api/mcp',
  '/api/skills',
  '/api/agents',
  '/api/agents/running',
  '/api/commands',
  '/api/sandbox',
  '/api/settings',
  '/api/permissions',
  '/api/interactions',
  '/api/usage',
  '/api/retention',
  '/api/files?path=',
  '/api/files/trash',
  '/api/agents-md',
];

describe('offline', () => {
  it('starts, chats with a local model and answers every page with the catalog unreachable, logging no warning', async () => {
    const lines: { level: number; msg: string }[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const mock = await startMock();
    const workspaceDir = await tempDir('boxagnts-offline-');
    await mkdir(join(workspaceDir, '.boxagnts'), { recursive: true });
    const settings = {
      ...mockProviderSettings(mock),
      catalog: { refreshUrl: `http://127.0.0.1:${await freePort()}/api.json` },
    };
    await writeFile(join(workspaceDir, '.boxagnts', 'settings.json'), JSON.stringify(settings));
    const s = await startTestServer({ workspaceDir, logger: createLogger(new Redactor(), { destination }) });

    for (const path of PAGE_APIS) expect([path, (await s.fetch(path)).status]).toEqual([path, 200]);
    const { id } = (await (await s.fetch('/api/sessions', { method: 'POST', body: '{}' })).json()) as { id: string };
    const stream = await connectSse(`${s.url}/api/sessions/${id}/events`, { origin: s.url });
    mock.enqueue({ text: 'Working offline.' });
    const sent = await s.fetch(`/api/sessions/${id}/messages`, { method: 'POST', body: '{"text":"hello"}' });
    expect(sent.status).toBe(202);
    const done = await stream.waitFor((d) => d.type === 'run.completed');
    stream.close();
    expect(done.data).toMatchObject({ status: 'finished' });
    // Warnings and errors are pino levels 40 and up: none, though the catalog could not be reached.
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
  });

  it('logs a catalog refresh that found no network at debug, and one the server answered wrongly at info', async () => {
    const broken = createServer((_req, res) => res.writeHead(500).end('down for maintenance'));
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    const brokenUrl = `http://127.0.0.1:${(broken.address() as AddressInfo).port}/api.json`;
    try {
      for (const [refreshUrl, level, cause] of [
        [`http://127.0.0.1:${await freePort()}/api.json`, 20, 'ECONNREFUSED'],
        [brokenUrl, 30, undefined],
      ] as const) {
        const records = await serverLog({ catalog: { refreshUrl } });
        const refresh = await vi.waitFor(() => {
          const found = records().find((r) => r.msg.startsWith('model catalog not refreshed'));
          if (!found) throw new Error('no catalog line yet');
          return found;
        });
        expect([refreshUrl, refresh.level, refresh.cause]).toEqual([refreshUrl, level, cause]);
      }
    } finally {
      broken.close();
    }
  });
});

/** A server over a fresh workspace with these settings, logging at debug; answers what it has logged so far. */
async function serverLog(settings: object): Promise<() => { level: number; msg: string; cause?: string }[]> {
  const lines: { level: number; msg: string; cause?: string }[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const workspaceDir = await tempDir('boxagnts-offline-');
  await mkdir(join(workspaceDir, '.boxagnts'), { recursive: true });
  await writeFile(join(workspaceDir, '.boxagnts', 'settings.json'), JSON.stringify(settings));
  await startTestServer({ workspaceDir, logger: createLogger(new Redactor(), { level: 'debug', destination }) });
  return () => lines;
}
