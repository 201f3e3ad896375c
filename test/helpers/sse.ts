import { type IncomingMessage, request } from 'node:http';

export interface SseMessage {
  id?: string;
  data: any;
}

export interface SseConnection {
  readonly messages: SseMessage[];
  /** Resolves with the first message (already received or not) that matches. */
  waitFor(match: (data: any) => boolean, timeoutMs?: number): Promise<SseMessage>;
  close(): void;
}

/**
 * A minimal SSE client over node:http (Node 20 has no EventSource), sending the Origin a dashboard would. Closing it
 * destroys the socket, as a browser closing a tab does.
 */
export async function connectSse(
  url: string,
  options: { origin: string; lastEventId?: number; headers?: Record<string, string> } = { origin: '' },
): Promise<SseConnection> {
  const headers: Record<string, string> = {
    Accept: 'text/event-stream',
    Origin: options.origin,
    ...options.headers,
  };
  if (options.lastEventId !== undefined) headers['Last-Event-ID'] = String(options.lastEventId);
  const messages: SseMessage[] = [];
  const waiters = new Set<() => void>();
  const req = request(url, { headers });
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
    req.end();
  });
  if (res.statusCode !== 200) {
    let body = '';
    for await (const chunk of res) body += String(chunk);
    throw new Error(`SSE ${url} answered ${res.statusCode}: ${body}`);
  }
  res.setEncoding('utf8');
  let buffer = '';
  res.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('id:')) id = line.slice(3).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length === 0) continue;
      messages.push({ ...(id !== undefined ? { id } : {}), data: JSON.parse(data.join('\n')) });
      for (const wake of waiters) wake();
    }
  });
  res.on('error', () => undefined);
  return {
    messages,
    waitFor(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find((m) => match(m.data));
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no SSE message matched within ${timeoutMs} ms; got: ${messages.map((m) => m.data.type).join(', ')}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => req.destroy(),
  };
}
