import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mockProviderSettings, startMock } from '../helpers/chat';
import { runCli, spawnServer } from '../helpers/server';
import { connectSse } from '../helpers/sse';
import { tempDir } from '../helpers/workspace';

async function workspaceFor(mock: Awaited<ReturnType<typeof startMock>>) {
  const dir = await tempDir();
  await mkdir(join(dir, '.boxagnts'));
  await writeFile(join(dir, '.boxagnts', 'settings.json'), JSON.stringify(mockProviderSettings(mock)));
  return dir;
}

const post = (url: string, path: string, body: unknown) =>
  fetch(url + path, {
    method: 'POST',
    headers: { Origin: url, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

describe('a crash during a run', () => {
  it(
    'kill -9 mid-run loses at most the message in flight; the next start loads the session and reports a torn line',
    { timeout: 60_000 },
    async () => {
      const mock = await startMock();
      const dir = await workspaceFor(mock);
      const first = await spawnServer(['--port', '0', '--workspace-dir', dir]);
      const { body: session } = await post(first.url, '/api/sessions', {});
      mock.enqueue({ text: 'Step one done. ', toolCalls: [{ name: 'sleep', input: { ms: 60_000 } }] });
      const stream = await connectSse(`${first.url}/api/sessions/${session.id}/events`, { origin: first.url });
      await post(first.url, `/api/sessions/${session.id}/messages`, { text: 'do two steps' });
      await stream.waitFor((d) => d.type === 'tool.started');
      stream.close();
      first.proc.kill('SIGKILL');
      await new Promise((resolve) => first.proc.once('exit', resolve));

      // A write cut off by the crash, as the disk would leave it.
      const file = join(dir, '.boxagnts', 'sessions', `${session.id}.jsonl`);
      await appendFile(file, '{"id":99,"type":"tool.compl');
      await leaveTempFiles(dir, first.proc.pid!);

      const second = await spawnServer(['--port', '0', '--workspace-dir', dir]);
      const loaded: any = await (await fetch(`${second.url}/api/sessions/${session.id}`)).json();
      expect(loaded.session.running).toBe(false);
      expect(loaded.events.map((e: any) => e.type)).toEqual([
        'run.started',
        'message.user',
        'usage',
        'message.completed',
        'tool.started',
        'run.completed',
      ]);
      expect(loaded.events.find((e: any) => e.type === 'message.completed').text).toBe('Step one done. ');
      expect(loaded.events.at(-1)).toMatchObject({ runId: loaded.events[0].runId, status: 'interrupted', turns: 1 });
      // The torn line is no longer the last: the run's closing was appended after it.
      expect(loaded.warnings).toEqual(['line 7 is not valid JSON and was skipped']);
      const list: any = await (await fetch(`${second.url}/api/sessions`)).json();
      expect(list.sessions[0]).toMatchObject({ id: session.id, title: 'do two steps', running: false });

      // The session goes on: the unfinished tool call is answered as interrupted, and the run lock was recovered.
      mock.enqueue({ text: 'Resumed.' });
      const resumed = await connectSse(`${second.url}/api/sessions/${session.id}/events`, {
        origin: second.url,
        lastEventId: loaded.session.lastEventId,
      });
      expect((await post(second.url, `/api/sessions/${session.id}/messages`, { text: 'go on' })).status).toBe(202);
      await resumed.waitFor((d) => d.type === 'run.completed');
      resumed.close();
      expect(JSON.stringify(mock.requests.at(-1)!.body.messages)).toMatch(/did not finish: the run stopped/);
      expect(await second.stop()).toBe(0);
      // Checked once the server has stopped, so none of its own writes is in flight.
      expect(await leftovers(dir)).toEqual([]);
    },
  );

  it(
    'kill -9 while a reply streams keeps the text streamed so far, and closes the run as interrupted',
    { timeout: 60_000 },
    async () => {
      const mock = await startMock();
      const dir = await workspaceFor(mock);
      const first = await spawnServer(['--port', '0', '--workspace-dir', dir]);
      const { body: session } = await post(first.url, '/api/sessions', {});
      // The first chunk names the role; three words follow, then the model goes quiet.
      mock.enqueue(
        { text: 'Step one done. ', toolCalls: [{ name: 'sleep', input: { ms: 1 } }] },
        { text: ['Half ', 'of ', 'a ', 'long ', 'answer.'], stallAfterChunks: 4 },
      );
      const stream = await connectSse(`${first.url}/api/sessions/${session.id}/events`, { origin: first.url });
      await post(first.url, `/api/sessions/${session.id}/messages`, { text: 'answer at length' });
      await stream.waitFor((d) => d.type === 'message.delta' && d.text === 'a ');
      stream.close();
      const partial = join(dir, '.boxagnts', 'sessions', `${session.id}.partial`);
      await expect.poll(() => readFile(partial, 'utf8').catch(() => ''), { timeout: 10_000 }).toMatch(/\nHalf of a $/);
      first.proc.kill('SIGKILL');
      await new Promise((resolve) => first.proc.once('exit', resolve));
      await leaveTempFiles(dir, first.proc.pid!);

      const second = await spawnServer(['--port', '0', '--workspace-dir', dir]);
      const loaded: any = await (await fetch(`${second.url}/api/sessions/${session.id}`)).json();
      expect(loaded.session.running).toBe(false);
      expect(loaded.events.map((e: any) => e.type)).toEqual([
        'run.started',
        'message.user',
        'usage',
        'message.completed',
        'tool.started',
        'tool.completed',
        'message.completed',
        'run.completed',
      ]);
      const runId = loaded.events[0].runId;
      expect(loaded.events.at(-2)).toMatchObject({
        runId,
        text: 'Half of a ',
        interrupted: true,
        finishReason: 'interrupted',
      });
      expect(loaded.events.at(-1)).toMatchObject({ runId, status: 'interrupted', turns: 2 });
      expect(loaded.warnings).toEqual([]);

      // The next run replays the kept text as the assistant's reply, before the new message.
      mock.enqueue({ text: 'Going on.' });
      const resumed = await connectSse(`${second.url}/api/sessions/${session.id}/events`, {
        origin: second.url,
        lastEventId: loaded.session.lastEventId,
      });
      expect((await post(second.url, `/api/sessions/${session.id}/messages`, { text: 'go on' })).status).toBe(202);
      await resumed.waitFor((d) => d.type === 'run.completed');
      resumed.close();
      const replayed = mock.requests.at(-1)!.body.messages as { role: string; content: unknown }[];
      expect(replayed.slice(-2)).toEqual([
        { role: 'assistant', content: 'Half of a ' },
        { role: 'user', content: 'go on' },
      ]);
      expect(await second.stop()).toBe(0);
      expect(await leftovers(dir)).toEqual([]);
    },
  );
});

/** Temp files of whole-file writes as a crash leaves them: one of the killed process, and older ones named without a pid. */
async function leaveTempFiles(dir: string, deadPid: number) {
  const data = join(dir, '.boxagnts');
  await writeFile(join(data, `.secrets.json.${randomBytes(6).toString('hex')}.tmp`), '');
  await writeFile(join(data, `.settings.json.${deadPid}.${randomBytes(6).toString('hex')}.tmp`), '{');
  await writeFile(
    join(data, 'sessions', `.index.json.${deadPid}.${randomBytes(6).toString('hex')}.tmp`),
    '{"version":1',
  );
}

/** Temp files, run locks and partial messages left anywhere in `.boxagnts/` once a server is up. */
async function leftovers(dir: string): Promise<string[]> {
  const names = await readdir(join(dir, '.boxagnts'), { recursive: true });
  return names.filter((name) => /\.(tmp|lock|partial)$/.test(name));
}

describe('a crash during a job run', () => {
  it(
    'kill -9 while a job runs: after the restart its run is interrupted, its session closed, and the job runs again',
    { timeout: 60_000 },
    async () => {
      const mock = await startMock();
      const dir = await workspaceFor(mock);
      const put = (url: string, path: string, body: unknown) =>
        fetch(url + path, {
          method: 'PUT',
          headers: { Origin: url, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
      const first = await spawnServer(['--port', '0', '--workspace-dir', dir]);
      expect(
        (await put(first.url, '/api/jobs/nap', { schedule: { kind: 'every', minutes: 600 }, prompt: 'nap' })).status,
      ).toBe(200);
      mock.enqueue({ toolCalls: [{ name: 'sleep', input: { ms: 60_000 } }] });
      expect((await post(first.url, '/api/jobs/nap/run', {})).status).toBe(202);
      await expect.poll(() => mock.requests.length, { timeout: 20_000 }).toBe(1);
      first.proc.kill('SIGKILL');
      await new Promise((resolve) => first.proc.once('exit', resolve));

      const second = await spawnServer(['--port', '0', '--workspace-dir', dir]);
      const runs = async () => ((await (await fetch(`${second.url}/api/jobs/nap/runs`)).json()) as any).runs;
      expect((await runs()).map((r: any) => r.status)).toEqual(['interrupted']);
      const [session] = ((await (await fetch(`${second.url}/api/sessions?job=nap`)).json()) as any).sessions;
      const loaded: any = await (await fetch(`${second.url}/api/sessions/${session.id}`)).json();
      expect(loaded.events.at(-1)).toMatchObject({ type: 'run.completed', status: 'interrupted' });
      mock.enqueue({ text: 'rested' });
      expect((await post(second.url, '/api/jobs/nap/run', {})).status).toBe(202);
      await expect.poll(async () => (await runs())[0]?.status, { timeout: 20_000 }).toBe('finished');
    },
  );
});

describe('boxagnts cron', () => {
  it('adds, lists, runs and removes a job from the command line', async () => {
    const mock = await startMock();
    const dir = await workspaceFor(mock);
    const bad = await runCli([
      'cron',
      'add',
      'daily',
      '--schedule',
      'sometimes',
      '--prompt',
      'p',
      '--workspace-dir',
      dir,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--schedule/);
    const added = await runCli([
      'cron',
      'add',
      'daily',
      '--schedule',
      '0 9 * * *',
      '--prompt',
      'summarise',
      '--allow',
      'bash(npm test*)',
      '--max-turns',
      '5',
      '--workspace-dir',
      dir,
    ]);
    expect([added.code, added.stderr]).toEqual([0, '']);
    const listed = JSON.parse((await runCli(['cron', 'list', '--json', '--workspace-dir', dir])).stdout);
    expect(listed.jobs[0]).toMatchObject({
      name: 'daily',
      schedule: { kind: 'cron', expr: '0 9 * * *' },
      permissions: { rules: ['allow bash(npm test*)'] },
      limits: { maxTurns: 5 },
    });
    mock.enqueue({ text: 'summary' });
    const ran = await runCli(['cron', 'run', 'daily', '--workspace-dir', dir]);
    expect(ran.code).toBe(0);
    const result = JSON.parse(ran.stdout);
    expect(result).toMatchObject({ status: 'finished', sessionId: expect.stringMatching(/^ses_/) });
    const history = await readFile(join(dir, '.boxagnts', 'automation', 'runs', 'daily.jsonl'), 'utf8');
    expect(JSON.parse(history.trim())).toMatchObject({
      trigger: 'manual',
      status: 'finished',
      sessionId: result.sessionId,
    });
    expect((await runCli(['cron', 'rm', 'daily', '--workspace-dir', dir])).code).toBe(0);
    expect((await runCli(['cron', 'run', 'daily', '--workspace-dir', dir])).code).toBe(1);
  });
});

describe('boxagnts run (headless)', () => {
  it('streams events as JSON lines with stream-json and writes the session', async () => {
    const mock = await startMock();
    const dir = await workspaceFor(mock);
    mock.enqueue({ text: 'Sleeping. ', toolCalls: [{ name: 'sleep', input: { ms: 5 } }] }, { text: ['All ', 'done.'] });
    const result = await runCli(['run', 'take a nap', '--workspace-dir', dir, '--output-format', 'stream-json']);
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const kinds = lines.map((l) => l.type).filter((t) => t !== 'message.delta' && t !== 'context.measured');
    expect(kinds).toEqual([
      'run.started',
      'message.user',
      'usage',
      'message.completed',
      'tool.started',
      'tool.completed',
      'usage',
      'message.completed',
      'run.completed',
      'result',
    ]);
    expect(lines.some((l) => l.type === 'message.delta')).toBe(true);
    const final = lines.at(-1);
    expect(final).toMatchObject({
      type: 'result',
      status: 'finished',
      turns: 2,
      text: 'All done.',
      usage: { inputTokens: 20, outputTokens: 10 },
    });
    const files = await readdir(join(dir, '.boxagnts', 'sessions'));
    expect(files).toContain(`${final.sessionId}.jsonl`);
    const stored = await readFile(join(dir, '.boxagnts', 'sessions', `${final.sessionId}.jsonl`), 'utf8');
    expect(stored).toContain('"All done."');

    // --session continues it, and text output prints the answer.
    mock.enqueue({ text: 'Second answer.' });
    const again = await runCli(['run', 'and again', '--workspace-dir', dir, '--session', final.sessionId]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('Second answer.\n');
    expect(JSON.stringify(mock.requests.at(-1)!.body.messages)).toContain('take a nap');
  });

  it('says on stderr which calls were refused for want of an approval, and exits 5 though the model finished', async () => {
    const mock = await startMock();
    const dir = await workspaceFor(mock);
    const write = { toolCalls: [{ name: 'write', input: { file_path: 'notes.md', content: 'hello' } }] };
    mock.enqueue(write, { text: 'I could not write it.' });
    const refused = await runCli(['run', 'write notes.md', '--workspace-dir', dir]);
    expect(refused.code).toBe(5);
    expect(refused.stdout).toBe('I could not write it.\n');
    const lines = refused.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^boxagnts: write call refused: Not run: this call needs approval/);
    expect(lines[0]).toContain('a rule such as "allow write(notes.md)" in .boxagnts/settings.json');
    expect(lines[1]).toMatch(/^boxagnts: the run finished, but a call that needed approval was not run \(session ses_/);
    await expect(readFile(join(dir, 'notes.md'), 'utf8')).rejects.toThrow(/ENOENT/);

    // The same call in a mode that allows it runs, and the run exits 0 with nothing on stderr.
    mock.enqueue(write, { text: 'Written.' });
    const allowed = await runCli(['run', 'write notes.md', '--workspace-dir', dir, '--permission-mode', 'acceptEdits']);
    expect([allowed.code, allowed.stderr]).toEqual([0, '']);
    expect(await readFile(join(dir, 'notes.md'), 'utf8')).toBe('hello');

    // A refusal in a run that then ends otherwise keeps that ending's status (here the turn limit, 3).
    mock.enqueue({ toolCalls: [{ name: 'write', input: { file_path: 'other.md', content: 'x' } }] });
    const limited = await runCli(['run', 'write other.md', '--workspace-dir', dir, '--max-turns', '1']);
    expect(limited.code).toBe(3);
    expect(limited.stderr).toMatch(/^boxagnts: write call refused: /);
  });

  it('prints one JSON result with --output-format json and reports failures with exit status 1', async () => {
    const mock = await startMock();
    const dir = await workspaceFor(mock);
    mock.enqueue({ error: { status: 401, message: 'bad key' } });
    const failed = await runCli(['run', 'hi', '--workspace-dir', dir, '--output-format', 'json']);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ status: 'error', error: { code: 'auth' } });
    expect(failed.stderr).toMatch(/rejected the API key \(401\): bad key/);

    const noModel = await runCli(['run', 'hi', '--workspace-dir', await tempDir(), '--model', 'ghost/model']);
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toMatch(/No provider "ghost" is configured/);
    const badFlag = await runCli(['run', 'hi', '--output-format', 'xml']);
    expect(badFlag.code).toBe(2);
    const badMode = await runCli(['run', 'hi', '--permission-mode', 'yolo']);
    expect(badMode.code).toBe(2);
    expect(badMode.stderr).toMatch(/--permission-mode must be one of default, acceptEdits, plan, bypass/);
    const badSession = await runCli(['run', 'hi', '--workspace-dir', dir, '--session', 'ses_0000000000000000']);
    expect(badSession.code).toBe(1);
    expect(badSession.stderr).toMatch(/no session ses_0000000000000000/);
  });

  it('runs managed (the manager agent type) with --managed, and any agent type with --agent', async () => {
    const mock = await startMock();
    const dir = await workspaceFor(mock);
    mock.enqueue({ text: 'Planned.' }, { text: 'Explored.' });
    const managed = await runCli(['run', 'plan it', '--workspace-dir', dir, '--managed']);
    expect(managed.code).toBe(0);
    const tools = (i: number) =>
      (mock.requests[i]!.body.tools as { function: { name: string } }[]).map((t) => t.function.name);
    expect(tools(0)).toEqual(expect.arrayContaining(['agent', 'agent_wait', 'read']));
    expect(tools(0)).not.toContain('write');
    const explore = await runCli(['run', 'look', '--workspace-dir', dir, '--agent', 'explore']);
    expect(explore.code).toBe(0);
    expect(tools(1).sort()).toEqual(['bash', 'glob', 'grep', 'read']);
    const unknown = await runCli(['run', 'hi', '--workspace-dir', dir, '--agent', 'nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no agent type "nobody" \(agent types: general, explore, plan, manager\)/);
  });

  it('stops at --max-turns with exit status 3', async () => {
    const mock = await startMock();
    const dir = await workspaceFor(mock);
    mock.setFallback({ toolCalls: [{ name: 'sleep', input: { ms: 1 } }] });
    const result = await runCli([
      'run',
      'loop forever',
      '--workspace-dir',
      dir,
      '--max-turns',
      '2',
      '--output-format',
      'json',
    ]);
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'max_turns', turns: 2 });
  });
});

describe('boxagnts run with budgets', () => {
  it('ends on --max-cost-usd and --max-wall-ms with status budget, exit 4, the limit named; --max-turns keeps exit 3', async () => {
    const mock = await startMock();
    const dir = await workspaceFor(mock);
    // $1,000 per million tokens: each mock turn (10 in, 5 out) costs $0.015.
    const settings = JSON.parse(await readFile(join(dir, '.boxagnts', 'settings.json'), 'utf8'));
    settings.providers.mock.models['mock-model'] = { pricing: { input: 1000, output: 1000 } };
    await writeFile(join(dir, '.boxagnts', 'settings.json'), JSON.stringify(settings));
    const napping = (n: number) =>
      Array.from({ length: n }, () => ({ toolCalls: [{ name: 'sleep', input: { ms: 1 } }] }));

    mock.enqueue(...napping(5));
    const cost = await runCli([
      'run',
      'spend',
      '--workspace-dir',
      dir,
      '--max-cost-usd',
      '0.02',
      '--output-format',
      'json',
      '--permission-mode',
      'bypass',
    ]);
    expect(cost.code).toBe(4);
    const costResult = JSON.parse(cost.stdout);
    expect(costResult).toMatchObject({
      status: 'budget',
      turns: 2,
      budget: { limit: 'maxCostUsd', max: 0.02, used: 0.03 },
    });
    expect(cost.stderr).toMatch(/reached its budget --max-cost-usd 0\.02/);
    const stored = (await readFile(join(dir, '.boxagnts', 'sessions', `${costResult.sessionId}.jsonl`), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(stored.at(-1)).toMatchObject({
      type: 'run.completed',
      status: 'budget',
      limit: 'maxCostUsd',
      max: 0.02,
      used: 0.03,
    });

    mock.reset();
    mock.enqueue({ toolCalls: [{ name: 'sleep', input: { ms: 60_000 } }] }, { text: 'never' });
    const wall = await runCli([
      'run',
      'wait',
      '--workspace-dir',
      dir,
      '--max-wall-ms',
      '1500',
      '--output-format',
      'json',
      '--permission-mode',
      'bypass',
    ]);
    expect(wall.code).toBe(4);
    expect(JSON.parse(wall.stdout)).toMatchObject({ status: 'budget', budget: { limit: 'maxWallMs', max: 1500 } });
    expect(wall.stderr).toMatch(/--max-wall-ms 1500/);

    mock.reset();
    mock.enqueue(...napping(5));
    const turns = await runCli([
      'run',
      'loop',
      '--workspace-dir',
      dir,
      '--max-turns',
      '2',
      '--output-format',
      'json',
      '--permission-mode',
      'bypass',
    ]);
    expect(turns.code).toBe(3);
    expect(JSON.parse(turns.stdout)).toMatchObject({ status: 'max_turns', turns: 2 });
    expect((await runCli(['run', 'x', '--max-cost-usd', 'lots'])).code).toBe(2);
  });
});
