import { rm } from 'node:fs/promises';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { streamText } from 'ai';
import { silentLogger } from '../src/log';
import { startServer } from '../src/server/serve';
import { connectSse } from '../test/helpers/sse';
import { type Bench, type Metric, median, post, round } from './lib';
import { benchWorkspace, spawnTs, startMockProcess } from './processes';

/** Time to first token through the runtime (POST → first delta on SSE) against calling the mock directly. */
async function firstTokenOverhead(): Promise<Metric[]> {
  const mock = await startMockProcess({ CHUNKS: '20', CHUNK_DELAY_MS: '0' });
  const dir = await benchWorkspace(mock.url);
  const server = await startServer({ workspaceDir: dir, host: '127.0.0.1', port: 0, logger: silentLogger });
  const model = createOpenAICompatible({ name: 'mock', baseURL: `${mock.url}/v1`, includeUsage: true }).chatModel(
    'mock-model',
  );
  const direct: number[] = [];
  const runtime: number[] = [];
  try {
    for (let i = 0; i < 25; i++) {
      const started = performance.now();
      const result = streamText({ model, prompt: 'hi', maxRetries: 0 });
      for await (const part of result.fullStream) if (part.type === 'text-delta') break;
      direct.push(performance.now() - started);

      const session = await post(server.url, '/api/sessions', {});
      const sse = await connectSse(`${server.url}/api/sessions/${session.id}/events`, { origin: server.url });
      const sent = performance.now();
      await post(server.url, `/api/sessions/${session.id}/messages`, { text: 'hi' });
      await sse.waitFor((d) => d.type === 'message.delta');
      runtime.push(performance.now() - sent);
      await sse.waitFor((d) => d.type === 'run.completed');
      sse.close();
    }
  } finally {
    await server.close();
    mock.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const d = median(direct.slice(5));
  const r = median(runtime.slice(5));
  return [
    { name: 'first token, mock called directly (median)', value: round(d, 2), unit: 'ms' },
    { name: 'first token through runtime + SSE (median)', value: round(r, 2), unit: 'ms' },
    { name: 'time to first token added by the runtime', value: round(r - d, 2), unit: 'ms' },
  ];
}

/** Deltas per second reaching one SSE subscriber when the model streams as fast as it can. */
async function deltaThroughput(): Promise<Metric[]> {
  const chunks = 5000;
  const mock = await startMockProcess({ CHUNKS: String(chunks), CHUNK_DELAY_MS: '0' });
  const dir = await benchWorkspace(mock.url);
  const server = await startServer({ workspaceDir: dir, host: '127.0.0.1', port: 0, logger: silentLogger });
  try {
    const session = await post(server.url, '/api/sessions', {});
    const sse = await connectSse(`${server.url}/api/sessions/${session.id}/events`, { origin: server.url });
    await post(server.url, `/api/sessions/${session.id}/messages`, { text: 'go' });
    const first = await sse.waitFor((d) => d.type === 'message.delta', 20_000);
    const firstAt = performance.now();
    void first;
    await sse.waitFor((d) => d.type === 'message.completed', 60_000);
    const seconds = (performance.now() - firstAt) / 1000;
    const deltas = sse.messages.filter((m) => m.data.type === 'message.delta').length;
    sse.close();
    return [
      {
        name: `SSE deltas per second (one session, ${deltas} deltas)`,
        value: Math.round(deltas / seconds),
        unit: '/s',
      },
    ];
  } finally {
    await server.close();
    mock.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Event-loop delay of the server process while 50 sessions stream at once. */
async function concurrentLag(): Promise<Metric[]> {
  const sessions = 50;
  const mock = await startMockProcess({ CHUNKS: '400', CHUNK_DELAY_MS: '5' });
  const dir = await benchWorkspace(mock.url);
  const proc = await spawnTs('lag-server-process.ts', { WORKSPACE: dir });
  const nextMessage = () => new Promise<any>((resolve) => proc.once('message', resolve));
  try {
    const { url } = await nextMessage();
    // One run first, as a server that has been up a while has done: the first run loads the model code.
    const warm = await post(url, '/api/sessions', {});
    const warmStream = await connectSse(`${url}/api/sessions/${warm.id}/events`, { origin: url });
    await post(url, `/api/sessions/${warm.id}/messages`, { text: 'warm up' });
    await warmStream.waitFor((d) => d.type === 'run.completed', 60_000);
    warmStream.close();
    const ids: string[] = [];
    for (let i = 0; i < sessions; i++) ids.push((await post(url, '/api/sessions', {})).id);
    const streams = await Promise.all(ids.map((id) => connectSse(`${url}/api/sessions/${id}/events`, { origin: url })));
    proc.send('reset');
    proc.send('enable');
    const started = performance.now();
    await Promise.all(ids.map((id) => post(url, `/api/sessions/${id}/messages`, { text: 'stream' })));
    await Promise.all(streams.map((s) => s.waitFor((d) => d.type === 'run.completed', 120_000)));
    const wall = performance.now() - started;
    proc.send('report');
    const lag = await nextMessage();
    const deltas = streams.reduce((n, s) => n + s.messages.filter((m) => m.data.type === 'message.delta').length, 0);
    for (const s of streams) s.close();
    return [
      { name: `event-loop lag p99, ${sessions} sessions streaming`, value: round(lag.p99, 2), unit: 'ms' },
      { name: 'event-loop lag p50 / max', value: round(lag.p50, 2), unit: `ms (max ${round(lag.max, 1)} ms)` },
      { name: `deltas delivered in ${round(wall / 1000, 1)} s`, value: deltas, unit: 'deltas' },
    ];
  } finally {
    proc.kill();
    mock.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export const chatBench: Bench = {
  name: 'chat',
  async run() {
    return [...(await firstTokenOverhead()), ...(await deltaThroughput()), ...(await concurrentLag())];
  },
};
