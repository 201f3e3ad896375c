import { afterEach } from 'vitest';
import { type MockModelServer, startMockModelServer } from '../fixtures/mock-model/server';
import type { Tool } from '../../src/tools/tool';
import { type TestServer, startTestServer } from './server';
import { tempDir } from './workspace';
import { type SseConnection, connectSse } from './sse';

const mocks: MockModelServer[] = [];
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((m) => m.close()));
});

export async function startMock(options: Parameters<typeof startMockModelServer>[0] = {}): Promise<MockModelServer> {
  const mock = await startMockModelServer(options);
  mocks.push(mock);
  return mock;
}

import { type WireFormat, mockProviderSettings } from '../fixtures/mock-model/settings';

export { type WireFormat, mockProviderSettings };

export interface ChatHarness {
  server: TestServer;
  mock: MockModelServer;
  /** Creates a session and returns its id. */
  newSession(): Promise<string>;
  /** Posts a message and returns the HTTP response body. */
  send(sessionId: string, text: string, extra?: Record<string, unknown>): Promise<{ status: number; body: any }>;
  /** Opens the session's event stream. */
  events(sessionId: string, lastEventId?: number): Promise<SseConnection>;
  /** Sends a message and waits for its run to complete, returning every event of the stream. */
  run(sessionId: string, text: string, extra?: Record<string, unknown>): Promise<any[]>;
  /** The stored session. */
  session(sessionId: string): Promise<any>;
}

/** The real server over a temporary workspace whose default model is the mock. */
export async function startChat(
  options: {
    format?: WireFormat;
    mockOptions?: Parameters<typeof startMockModelServer>[0];
    apiKey?: string;
    agent?: Record<string, unknown>;
    /** Extra tools; a function gets the workspace folder. */
    tools?: (workspaceDir: string) => Tool[];
    workspaceDir?: string;
  } = {},
): Promise<ChatHarness> {
  const mock = await startMock(options.mockOptions);
  const workspaceDir = options.workspaceDir ?? (await tempDir('boxagnts-ws-'));
  const server = await startTestServer({
    workspaceDir,
    ...(options.tools ? { extraTools: options.tools(workspaceDir) } : {}),
  });
  await server.server.context.workspace.settings.patch(mockProviderSettings(mock, options.format, options.agent));
  // Hosted kinds refuse to run without a key; the mock accepts any unless it was started with one.
  const key = options.apiKey ?? (options.format === 'anthropic' ? 'test-key' : undefined);
  if (key) await server.server.context.workspace.secrets.setProviderKey('mock', key);
  const json = async (path: string, method = 'GET', body?: unknown) => {
    const res = await server.fetch(path, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } } : {}),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const harness: ChatHarness = {
    server,
    mock,
    newSession: async () => (await json('/api/sessions', 'POST', {})).body.id,
    send: (id, text, extra = {}) => json(`/api/sessions/${id}/messages`, 'POST', { text, ...extra }),
    events: (id, lastEventId) =>
      connectSse(`${server.url}/api/sessions/${id}/events`, {
        origin: server.url,
        ...(lastEventId !== undefined ? { lastEventId } : {}),
      }),
    async run(id, text, extra) {
      const stream = await harness.events(id, (await harness.session(id)).session.lastEventId);
      const sent = await harness.send(id, text, extra);
      if (sent.status !== 202) throw new Error(`send answered ${sent.status}: ${JSON.stringify(sent.body)}`);
      await stream.waitFor((d) => d.type === 'run.completed' && d.runId === sent.body.runId);
      stream.close();
      return stream.messages.map((m) => m.data).filter((d) => d.runId === sent.body.runId);
    },
    session: async (id) => (await json(`/api/sessions/${id}`)).body,
  };
  return harness;
}
