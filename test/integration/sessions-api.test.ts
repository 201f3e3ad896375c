import { getEventListeners } from 'node:events';
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startChat } from '../helpers/chat';
import { startTestServer } from '../helpers/server';

/**
 * Opens a stream with exactly these headers (node:http adds none of its own) and reads until its history has arrived
 * (the first event after `stream.open` for a session, a session event for the global stream) or the response ends.
 */
function openStream(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (/"type":"(run|session)\./.test(body)) {
          req.destroy();
          resolve({ status: res.statusCode!, body });
        }
      });
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('sessions API', () => {
  it('creates, renames, lists with a filter and deletes', async () => {
    const s = await startTestServer();
    const post = async (title?: string) =>
      (await (
        await s.fetch('/api/sessions', { method: 'POST', body: JSON.stringify(title ? { title } : {}) })
      ).json()) as any;
    const a = await post('Alpha');
    await post('Beta');
    expect(
      (await s.fetch(`/api/sessions/${a.id}`, { method: 'PATCH', body: JSON.stringify({ title: 'Gamma' }) })).status,
    ).toBe(200);
    const list: any = await (await s.fetch('/api/sessions?q=gam')).json();
    expect(list.sessions.map((x: any) => x.title)).toEqual(['Gamma']);
    expect(list.sessions[0]).not.toHaveProperty('bytes');
    expect(
      (await s.fetch(`/api/sessions/${a.id}`, { method: 'PATCH', body: JSON.stringify({ title: '   ' }) })).status,
    ).toBe(400);
    expect((await s.fetch('/api/sessions?limit=0')).status).toBe(400);
    expect((await s.fetch(`/api/sessions/${a.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await s.fetch(`/api/sessions/${a.id}`)).status).toBe(404);
    expect((await s.fetch('/api/sessions/..%2F..%2Fsettings')).status).toBe(404);
  });

  it('forks at a message, exports JSON and Markdown, imports, and clears', async () => {
    const chat = await startChat();
    chat.mock.enqueue({ text: 'first answer' }, { text: 'second answer' });
    const id = await chat.newSession();
    await chat.run(id, 'first question');
    await chat.run(id, 'second question');
    const { events } = await chat.session(id);
    const firstAnswer = events.find((e: any) => e.type === 'message.completed');

    const forkRes = await chat.server.fetch(`/api/sessions/${id}/fork`, {
      method: 'POST',
      body: JSON.stringify({ eventId: firstAnswer.id }),
    });
    expect(forkRes.status).toBe(201);
    const fork: any = await forkRes.json();
    expect(fork.parentId).toBe(id);
    const forked = await chat.session(fork.id);
    expect(forked.events.map((e: any) => e.text).filter(Boolean)).toEqual(['first question', 'first answer']);
    expect(
      (await chat.server.fetch(`/api/sessions/${id}/fork`, { method: 'POST', body: JSON.stringify({ eventId: 999 }) }))
        .status,
    ).toBe(400);

    const md = await chat.server.fetch(`/api/sessions/${id}/export?format=markdown`);
    expect(md.headers.get('content-disposition')).toMatch(/attachment; filename="ses_\w+\.md"/);
    expect(await md.text()).toContain('## User\n\nsecond question');
    const exported = await (await chat.server.fetch(`/api/sessions/${id}/export`)).json();
    const imported = await chat.server.fetch('/api/sessions/import', {
      method: 'POST',
      body: JSON.stringify(exported),
    });
    expect(imported.status).toBe(201);
    const copy = await chat.session(((await imported.json()) as any).id);
    expect(copy.events).toEqual(events);
    expect(
      (await chat.server.fetch('/api/sessions/import', { method: 'POST', body: '{"format":"nope"}' })).status,
    ).toBe(400);

    const cleared = await chat.server.fetch(`/api/sessions/${id}/clear`, { method: 'POST' });
    expect(((await cleared.json()) as any).messageCount).toBe(0);
    expect((await chat.session(id)).events).toEqual([]);
  });

  it('will not delete or clear a session while it runs', async () => {
    const chat = await startChat();
    chat.mock.enqueue({ text: ['slow'], firstChunkDelayMs: 2000 });
    const id = await chat.newSession();
    await chat.send(id, 'x');
    expect((await chat.server.fetch(`/api/sessions/${id}`, { method: 'DELETE' })).status).toBe(409);
    expect((await chat.server.fetch(`/api/sessions/${id}/clear`, { method: 'POST' })).status).toBe(409);
    await chat.server.fetch(`/api/sessions/${id}/cancel`, { method: 'POST' });
  });

  it('announces session changes and running state on the global stream', async () => {
    const chat = await startChat();
    const { connectSse } = await import('../helpers/sse');
    const global = await connectSse(`${chat.server.url}/api/events`, { origin: chat.server.url });
    chat.mock.enqueue({ text: 'hi' });
    const id = await chat.newSession();
    await chat.run(id, 'hello');
    await global.waitFor((d) => d.type === 'session.created' && d.session.id === id);
    await global.waitFor((d) => d.type === 'run.status' && d.sessionId === id && d.running === true);
    await global.waitFor((d) => d.type === 'run.status' && d.sessionId === id && d.running === false);
    await global.waitFor((d) => d.type === 'session.updated' && d.session.title === 'hello');
    expect(global.messages[0]!.data.type).toBe('stream.open');
    global.close();
  });

  it('lets go of an event stream when its client leaves', async () => {
    const s = await startTestServer();
    const { connectSse } = await import('../helpers/sse');
    const shutdown = s.server.context.shutdown;
    const before = getEventListeners(shutdown, 'abort').length;
    for (let i = 0; i < 12; i++) {
      const stream = await connectSse(`${s.url}/api/events`, { origin: s.url });
      expect(getEventListeners(shutdown, 'abort').length).toBe(before + 1);
      stream.close();
      await expect.poll(() => getEventListeners(shutdown, 'abort').length).toBe(before);
    }
  });

  it('requires the dashboard origin on every event stream, whatever the request accepts', async () => {
    const chat = await startChat();
    chat.mock.enqueue({ text: 'the secret answer' });
    const id = await chat.newSession();
    await chat.run(id, 'the secret question');
    const streams = [`/api/sessions/${id}/events`, '/api/events'];
    const refused: Record<string, string>[] = [
      { Origin: 'http://evil.example', Accept: 'text/event-stream' },
      { Origin: 'http://evil.example' },
      { Origin: 'http://evil.example', Accept: '*/*' },
      { Accept: 'text/event-stream' },
      {},
      { 'Sec-Fetch-Site': 'cross-site' },
    ];
    for (const path of streams) {
      for (const headers of refused) {
        const res = await openStream(chat.server.url + path, headers);
        expect({ path, headers, status: res.status }).toEqual({ path, headers, status: 403 });
        expect(res.body).not.toMatch(/secret/);
      }
      // A same-origin EventSource sends no Origin, only Sec-Fetch-Site; a script sends the Origin itself.
      const allowed: Record<string, string>[] = [
        { 'Sec-Fetch-Site': 'same-origin', Accept: 'text/event-stream' },
        { Origin: chat.server.url },
      ];
      for (const headers of allowed) {
        const res = await openStream(chat.server.url + path, headers);
        expect({ path, headers, status: res.status }).toEqual({ path, headers, status: 200 });
        expect(res.body).toMatch(/secret/);
      }
    }
  });
});
