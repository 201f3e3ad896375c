import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import {
  type MockModelServer,
  type MockToolCall,
  type MockTurn,
  startMockModelServer,
} from '../test/fixtures/mock-model/server';
import { type Bench, type Metric, median, round, timeEach } from './lib';
import { samplePeakMemory } from './memory';
import { benchWorkspace } from './processes';
import { CONFIG_FILE, CONFIG_LINE, CONFIG_SOURCE, HANDLER_PATTERN, makeMonorepo } from './monorepo';
import { type Ignore, findRipgrep, globFloor, grepFloor, readIgnore, ripgrep, shellFloor, walk } from './native-floor';

const exec = promisify(execFile);
/** The CLI under test; BENCH_CLI names another build's dist/cli.js, to measure two builds with one scenario. */
const CLI = process.env.BENCH_CLI ?? join(import.meta.dirname, '..', 'dist', 'cli.js');
const RUNS = 3;
const PROMPT = 'Find where the request timeout is set, double it, add a retry helper, and check the package sizes.';
const NEW_FILE = 'packages/core/src/retry.ts';
const NEW_SOURCE =
  "import { MAX_RETRIES } from './config';\n\nexport async function retry<T>(work: () => Promise<T>): Promise<T> {\n" +
  '  for (let attempt = 1; ; attempt++) {\n    try {\n      return await work();\n    } catch (error) {\n' +
  '      if (attempt >= MAX_RETRIES) throw error;\n    }\n  }\n}\n';
const EDITED_LINE = 'export const DEFAULT_TIMEOUT_MS = 10_000;';

/** What the floor of a step needs: the tree, its ignore rules and ripgrep when installed. */
interface FloorContext {
  root: string;
  ignore: Ignore;
  rg: string | undefined;
}

/** One model turn of the session: the tool calls it makes, the same work done natively, and the issue's target. */
interface Step {
  name: string;
  calls: MockToolCall[];
  floor(ctx: FloorContext): Promise<unknown>;
  target?: string;
  /** The target is the slowest call of the turn plus 20 %. */
  parallel?: boolean;
}

/** grep's floor: ripgrep when installed, else a scan in Node. */
function grepNative(ctx: FloorContext, pattern: string, dir: string): Promise<unknown> {
  return ctx.rg
    ? ripgrep(ctx.rg, ctx.root, pattern, dir)
    : grepFloor(join(ctx.root, dir), ctx.ignore, new RegExp(pattern));
}

const STEPS: Step[] = [
  {
    name: 'glob `**/*.ts` over the tree',
    calls: [{ name: 'glob', input: { pattern: '**/*.ts' } }],
    floor: (ctx) => globFloor(ctx.root, ctx.ignore, '.ts'),
    target: '≤ 60 ms',
  },
  {
    name: 'grep a regex in one package',
    calls: [{ name: 'grep', input: { pattern: HANDLER_PATTERN, path: 'packages/search' } }],
    floor: (ctx) => grepNative(ctx, HANDLER_PATTERN, 'packages/search'),
    target: '≤ 60 ms',
  },
  {
    name: 'read a file',
    calls: [{ name: 'read', input: { file_path: CONFIG_FILE } }],
    floor: (ctx) => readFile(join(ctx.root, CONFIG_FILE), 'utf8'),
  },
  {
    name: 'edit it',
    calls: [{ name: 'edit', input: { file_path: CONFIG_FILE, old_string: CONFIG_LINE, new_string: EDITED_LINE } }],
    async floor(ctx) {
      const path = join(ctx.root, CONFIG_FILE);
      await writeFile(path, (await readFile(path, 'utf8')).replace(CONFIG_LINE, EDITED_LINE));
    },
  },
  {
    name: 'write a new file',
    calls: [{ name: 'write', input: { file_path: NEW_FILE, content: NEW_SOURCE } }],
    floor: (ctx) => writeFile(join(ctx.root, NEW_FILE), NEW_SOURCE),
  },
  {
    name: 'first shell step (`find … | wc -l`)',
    calls: [{ name: 'bash', input: { command: "find packages -name '*.ts' | wc -l" } }],
    floor: (ctx) => shellFloor(ctx.root, "find packages -name '*.ts' | wc -l"),
    target: '≤ 60 ms',
  },
  {
    name: 'warm shell step',
    calls: [{ name: 'bash', input: { command: "find packages/core -name '*.ts' | wc -l" } }],
    floor: (ctx) => shellFloor(ctx.root, "find packages/core -name '*.ts' | wc -l"),
    target: '≤ 30 ms',
  },
  {
    name: 'parallel turn: glob, grep, read, read',
    calls: [
      { name: 'glob', input: { pattern: '**/*.ts', path: 'packages/auth' } },
      { name: 'grep', input: { pattern: HANDLER_PATTERN, path: 'packages/billing' } },
      { name: 'read', input: { file_path: 'packages/api/src/index.ts' } },
      { name: 'read', input: { file_path: 'packages/db/src/models/models3.ts' } },
    ],
    floor: (ctx) =>
      Promise.all([
        globFloor(join(ctx.root, 'packages/auth'), ctx.ignore, '.ts'),
        grepNative(ctx, HANDLER_PATTERN, 'packages/billing'),
        readFile(join(ctx.root, 'packages/api/src/index.ts'), 'utf8'),
        readFile(join(ctx.root, 'packages/db/src/models/models3.ts'), 'utf8'),
      ]),
    parallel: true,
  },
  {
    name: 'parallel turn: two shell calls',
    calls: [
      { name: 'bash', input: { command: "find packages/api -name '*.test.ts' | wc -l" } },
      { name: 'bash', input: { command: `wc -l ${CONFIG_FILE} ${NEW_FILE}` } },
    ],
    floor: (ctx) =>
      Promise.all([
        shellFloor(ctx.root, "find packages/api -name '*.test.ts' | wc -l"),
        shellFloor(ctx.root, `wc -l ${CONFIG_FILE} ${NEW_FILE}`),
      ]),
  },
  {
    name: 'grep the uses of the constant in its package',
    calls: [{ name: 'grep', input: { pattern: 'DEFAULT_TIMEOUT_MS', path: 'packages/core', output_mode: 'content' } }],
    floor: (ctx) => grepNative(ctx, 'DEFAULT_TIMEOUT_MS', 'packages/core'),
  },
  {
    name: 'read the edited file back',
    calls: [{ name: 'read', input: { file_path: CONFIG_FILE } }],
    floor: (ctx) => readFile(join(ctx.root, CONFIG_FILE), 'utf8'),
  },
];

/** A line of `run --output-format stream-json`; the bench reads each tool call's outcome and duration. */
const StreamLine = z.looseObject({ type: z.string() });
const ToolCompleted = z.looseObject({
  messageId: z.string(),
  name: z.string(),
  durationMs: z.number(),
  result: z.looseObject({ isError: z.boolean().optional(), content: z.unknown() }),
});

interface SessionRun {
  /** Process spawn to the first model request, ms. */
  startup: number;
  /** Model request of each step to the next one, ms; the last entry is the final answer to the process's exit. */
  turnarounds: number[];
  /** The slowest tool call of each step, ms (the loop's own measure). */
  slowestCall: number[];
  wall: number;
  peakSelf: number;
  peakTree: number;
  /** The body of the last model request, the largest of the session. */
  lastBody: unknown;
}

/** Puts the files the session changes back as they were, so every run does the same work. */
async function restore(root: string): Promise<void> {
  await writeFile(join(root, CONFIG_FILE), CONFIG_SOURCE);
  await unlink(join(root, NEW_FILE));
}

/** One headless `boxagnts run` of the scripted session, timed from the mock's side and sampled for memory. */
async function runSession(mock: MockModelServer, root: string): Promise<SessionRun> {
  mock.reset();
  const arrivals: number[] = [];
  // The turn is picked when the request has arrived: that moment is the request's timestamp.
  const stamped = (turn: MockTurn) => () => {
    arrivals.push(performance.now());
    return turn;
  };
  mock.enqueue(
    ...STEPS.map((step) => stamped({ toolCalls: step.calls, usage: { inputTokens: 2000, outputTokens: 40 } })),
    stamped({ text: 'Doubled the timeout, added retry(), and checked the counts.' }),
  );
  const started = performance.now();
  const proc = spawn(
    process.execPath,
    [CLI, 'run', PROMPT, '--workspace-dir', root, '--permission-mode', 'bypass', '--output-format', 'stream-json'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const memory = samplePeakMemory(proc.pid!);
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const killer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  const exited = performance.now();
  clearTimeout(killer);
  const peak = await memory.stop();
  if (code !== 0 || arrivals.length !== STEPS.length + 1)
    throw new Error(`the run exited ${code} after ${arrivals.length} model requests: ${stderr.slice(-2000)}`);

  // Calls grouped by the model message that made them, in order: one group per step.
  const byMessage = new Map<string, number[]>();
  for (const line of stdout.split('\n').filter(Boolean)) {
    const json: unknown = JSON.parse(line);
    if (StreamLine.parse(json).type !== 'tool.completed') continue;
    const event = ToolCompleted.parse(json);
    const group = byMessage.get(event.messageId) ?? [];
    group.push(event.durationMs);
    byMessage.set(event.messageId, group);
    if (event.result.isError)
      throw new Error(`${event.name} in step ${byMessage.size} failed: ${JSON.stringify(event.result.content)}`);
  }
  const groups = [...byMessage.values()];
  if (groups.length !== STEPS.length || groups.some((g, i) => g.length !== STEPS[i]!.calls.length))
    throw new Error(`unexpected tool calls: ${JSON.stringify(groups)}`);
  if (!(await readFile(join(root, CONFIG_FILE), 'utf8')).includes(EDITED_LINE))
    throw new Error(`the edit of ${CONFIG_FILE} did not land`);
  await restore(root);
  return {
    startup: arrivals[0]! - started,
    turnarounds: arrivals.map((at, i) => (arrivals[i + 1] ?? exited) - at),
    slowestCall: groups.map((g) => Math.max(...g)),
    wall: exited - started,
    peakSelf: peak.self,
    peakTree: peak.tree,
    lastBody: mock.requests.at(-1)!.body,
  };
}

/** Each step done natively, once, in order; returns each step's duration in ms. */
async function runFloor(ctx: FloorContext): Promise<number[]> {
  const times: number[] = [];
  for (const step of STEPS) {
    const started = performance.now();
    await step.floor(ctx);
    times.push(performance.now() - started);
  }
  await restore(ctx.root);
  return times;
}

/** Spawning Node until its first HTTP request arrives: the floor of start to first model request. */
async function startupFloor(): Promise<number[]> {
  let arrived = () => {};
  const server = createServer((req, res) => {
    arrived();
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const times: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const request = new Promise<void>((resolve) => (arrived = resolve));
      const started = performance.now();
      const proc = spawn(process.execPath, ['-e', 'fetch(process.argv[1], { method: "POST", body: "{}" })', url]);
      await request;
      times.push(performance.now() - started);
      await new Promise((resolve) => proc.once('exit', resolve));
    }
  } finally {
    server.close();
  }
  return times;
}

/**
 * One model round trip done natively: the session's largest request serialized and posted, the streamed tool call
 * read to its end. A step's floor is its operations plus this, as a minimal agent loop would pay.
 */
async function roundTripFloor(mock: MockModelServer, body: unknown): Promise<number[]> {
  mock.reset();
  return timeEach(10, async () => {
    mock.enqueue({ toolCalls: STEPS[2]!.calls });
    const res = await fetch(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await res.text();
  });
}

const mb = (bytes: number) => round(bytes / 2 ** 20);
const ms = (value: number) => round(value);

/** `value` against `floor`: the unit text of a row. */
function versus(floor: number, value: number, extra = ''): string {
  return `ms (floor ${ms(floor)} ms${extra}, ×${round(value / floor)})`;
}

/**
 * A headless `boxagnts run` of a scripted coding session over a generated 3,500-file monorepo, with the model
 * answering instantly, next to the same operations done natively in this process: per-step turnaround, start-up,
 * wall time and peak memory, each against the issue's target and the native floor.
 */
export const codingSessionBench: Bench = {
  name: 'coding-session',
  async run(): Promise<Metric[]> {
    const mock = await startMockModelServer();
    const root = await benchWorkspace(mock.url);
    try {
      const { tsFiles } = await makeMonorepo(root);
      const ctx: FloorContext = { root, ignore: await readIgnore(root), rg: await findRipgrep() };
      const visible = (await walk(root, ctx.ignore)).length;

      // The first run in a new workspace pays for what is cached per workspace; it is reported on its own.
      const cold = await runSession(mock, root);
      const runs: SessionRun[] = [];
      const floors: number[][] = [];
      for (let i = 0; i < RUNS; i++) {
        runs.push(await runSession(mock, root));
        floors.push(await runFloor(ctx));
      }
      const startFloor = median(await startupFloor());
      const roundTrip = median(await roundTripFloor(mock, runs.at(-1)!.lastBody));
      const version = median(await timeEach(5, () => exec(process.execPath, [CLI, '--version'])));
      const bareNode = median(await timeEach(5, () => exec(process.execPath, ['-e', ''])));

      const grepBy = ctx.rg ? 'rg' : 'Node scan';
      const stepMetrics = STEPS.map((step, i): Metric => {
        const value = median(runs.map((r) => r.turnarounds[i]!));
        const op = median(floors.map((f) => f[i]!));
        const slowest = median(runs.map((r) => r.slowestCall[i]!));
        const by = step.calls.some((c) => c.name === 'grep') ? ` ${grepBy}` : '';
        const calls = step.calls.length > 1 ? `; slowest call ${ms(slowest)} ms` : '';
        return {
          name: `${i + 1}. ${step.name}${i === 0 ? ` (${tsFiles} .ts of ${visible} files)` : ''}`,
          value: ms(value),
          unit: versus(op + roundTrip, value, ` = ${ms(op)}${by} + ${ms(roundTrip)} round trip${calls}`),
          ...(step.parallel
            ? { target: `≤ slowest call + 20 % (${ms(slowest * 1.2)} ms)` }
            : step.target
              ? { target: step.target }
              : {}),
        };
      });
      const startup = median(runs.map((r) => r.startup));
      const wall = median(runs.map((r) => r.wall));
      const wallFloor =
        startFloor + median(floors.map((f) => f.reduce((a, b) => a + b, 0))) + (STEPS.length + 1) * roundTrip;
      return [
        {
          name: 'start to first model request',
          value: ms(startup),
          unit: versus(startFloor, startup),
          target: '≤ 150 ms',
        },
        ...stepMetrics,
        {
          name: `${STEPS.length + 1}. final answer to exit`,
          value: ms(median(runs.map((r) => r.turnarounds.at(-1)!))),
          unit: 'ms',
        },
        { name: `wall time, ${STEPS.length + 1} model turns`, value: ms(wall), unit: versus(wallFloor, wall) },
        {
          name: 'peak memory of the run process (4 parallel calls)',
          value: mb(median(runs.map((r) => r.peakSelf))),
          unit: `MB PSS (with child processes ${mb(median(runs.map((r) => r.peakTree)))} MB)`,
          target: '≤ 140 MB',
        },
        {
          name: 'first run in a new workspace: wall time',
          value: ms(cold.wall),
          unit: `ms (start-up ${ms(cold.startup)} ms, peak ${mb(cold.peakSelf)} MB PSS, ${mb(cold.peakTree)} MB with children)`,
        },
        {
          name: '`boxagnts --version`',
          value: ms(version),
          unit: `ms (bare \`node -e ""\` ${ms(bareNode)} ms)`,
          target: '≤ 100 ms',
        },
      ];
    } finally {
      await mock.close();
      await rm(root, { recursive: true, force: true });
    }
  },
};
