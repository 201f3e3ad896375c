import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { silentLogger } from '../src/log';
import { createRuntime } from '../src/runtime/runtime';
import { openWorkspace } from '../src/workspace/workspace';
import { everything } from '../test/helpers/mcp-servers';
import { type Bench, type Metric, median, percentile, round, timeEach } from './lib';
import { benchWorkspace } from './processes';

const CALLS = 200;

/**
 * Time to open a runtime (what the server's start-up waits for before it listens) over a workspace with these MCP
 * servers, median of 5; the servers start once it is open.
 */
async function openTime(servers: Record<string, unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const dir = await benchWorkspace();
    const workspace = await openWorkspace(dir);
    await workspace.settings.patch({ mcp: { servers } });
    const started = performance.now();
    const runtime = await createRuntime(workspace, { logger: silentLogger, watchExtensions: false });
    times.push(performance.now() - started);
    // As the server does once it listens; then the processes are let go before the next round.
    runtime.mcp.start();
    await runtime.mcp.settled();
    await runtime.close();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await rm(dir, { recursive: true, force: true });
  }
  return median(times);
}

/**
 * MCP: start-up with three stdio servers configured (they connect in the background, so it should not change), and
 * a tool call's round trip through the runtime's pipeline against the SDK alone.
 */
export const mcpBench: Bench = {
  name: 'mcp',
  async run(): Promise<Metric[]> {
    const none = await openTime({});
    const three = await openTime({ a: everything, b: everything, c: everything });

    const dir = await benchWorkspace();
    const workspace = await openWorkspace(dir);
    await workspace.settings.patch({ mcp: { servers: { everything } } });
    const runtime = await createRuntime(workspace, { logger: silentLogger, watchExtensions: false });
    const sdk = new Client({ name: 'bench', version: '1' });
    try {
      const readyStarted = performance.now();
      await runtime.mcp.settled();
      const readyMs = performance.now() - readyStarted;
      const call = () =>
        runtime.callTool(
          { callId: 'bench', name: 'mcp__everything__echo', input: { message: 'hi' } },
          { mode: 'bypass', signal: new AbortController().signal },
        );
      await timeEach(20, call);
      const viaRuntime = await timeEach(CALLS, call);

      await sdk.connect(new StdioClientTransport({ ...everything, stderr: 'ignore' }));
      const direct = () => sdk.callTool({ name: 'echo', arguments: { message: 'hi' } });
      await timeEach(20, direct);
      const viaSdk = await timeEach(CALLS, direct);

      return [
        {
          name: 'runtime open, no MCP server',
          value: round(none),
          unit: 'ms',
        },
        {
          name: 'runtime open, three stdio MCP servers configured',
          value: round(three),
          unit: `ms (they connect in the background; one is ready ${round(readyMs)} ms after open)`,
          target: 'unchanged from none',
        },
        {
          name: 'callTool round trip through the runtime (echo, p50)',
          value: round(median(viaRuntime), 2),
          unit: `ms (p95 ${round(percentile(viaRuntime, 95), 2)} ms)`,
        },
        {
          name: 'callTool round trip, SDK alone (echo, p50)',
          value: round(median(viaSdk), 2),
          unit: `ms (p95 ${round(percentile(viaSdk, 95), 2)} ms)`,
        },
      ];
    } finally {
      await sdk.close();
      await runtime.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
