import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log';
import { type AgentRuntime, createRuntime } from '../../src/runtime/runtime';
import type { Tool, ToolContext, ToolResult } from '../../src/tools/tool';
import { openWorkspace } from '../../src/workspace/workspace';
import { text } from '../helpers/sandbox';
import { tempDir } from '../helpers/workspace';

const runtimes: AgentRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.close()));
});

/** A call of the shell tool as a session's run makes it: the session decides which working directory it gets. */
function context(sessionId: string, workDir: string): ToolContext {
  return {
    sessionId,
    runId: `run_${sessionId}`,
    callId: 'call_test',
    signal: new AbortController().signal,
    scope: { workDir },
    progress: () => undefined,
    recheck: async () => undefined,
    session: {
      mode: () => 'bypass',
      enterPlanMode: async () => undefined,
      leavePlanMode: async () => undefined,
      todos: () => [],
      setTodos: async () => undefined,
      activateSkill: async () => undefined,
    },
    catalog: { all: () => [], deferred: () => [], reveal: () => undefined },
  };
}

/** A runtime whose sandbox has one worker, warmed before the first call: every call below runs on that worker. */
async function oneWorker() {
  const root = await tempDir();
  const workspace = await openWorkspace(root);
  const runtime = await createRuntime(workspace, {
    logger: silentLogger,
    watchExtensions: false,
    sandboxPoolSize: 1,
    warmWorkers: 1,
  });
  runtimes.push(runtime);
  await runtime.sandbox.warmed();
  const bash: Tool | undefined = runtime.allTools().find((tool) => tool.name === 'bash');
  if (!bash) throw new Error('no bash tool');
  const session = (id: string) => (command: string) => bash.execute({ command }, context(id, root));
  return { a: session('ses_a'), b: session('ses_b') };
}

const out = (result: ToolResult) => text(result).replace(/\n\(exit code \d+\)$/, '');

describe('bash: one warm worker shared by sessions', () => {
  it('gives each session its own working directory, and no session sees what another defined', async () => {
    const { a, b } = await oneWorker();
    // Within one call, what the checks below look for does work.
    expect(out(await a("shopt -s expand_aliases\nalias la='echo A'\nla\nfa() { echo F; }; fa"))).toBe('A\nF');
    await a(
      "mkdir -p one/deep && cd one/deep && X_A=1 && export SECRET_A=a && export PATH=/nowhere && alias la='echo A' && fa() { echo A; }",
    );
    expect(out(await b('pwd'))).toBe('/');
    expect(out(await b('echo "[$X_A][$SECRET_A][$PATH]"'))).toBe('[][][/usr/local/bin:/usr/bin:/bin]');
    expect((await b('printenv SECRET_A')).metadata).toMatchObject({ exitCode: 1 });
    expect((await b('fa')).metadata).toMatchObject({ exitCode: 127 });
    expect((await b('shopt -s expand_aliases; la')).metadata).toMatchObject({ exitCode: 127 });

    await b("mkdir -p two && cd two && X_B=1 && export SECRET_B=b && alias lb='echo B' && fb() { echo B; }");
    expect(out(await a('pwd'))).toBe('/one/deep');
    expect(out(await a('echo "[$X_A][$SECRET_A][$X_B][$SECRET_B]"'))).toBe('[][][][]');
    expect((await a('printenv SECRET_B')).metadata).toMatchObject({ exitCode: 1 });
    expect((await a('fb')).metadata).toMatchObject({ exitCode: 127 });
    expect((await a('fa')).metadata).toMatchObject({ exitCode: 127 });
    expect((await a('shopt -s expand_aliases; lb')).metadata).toMatchObject({ exitCode: 127 });
    expect(out(await b('pwd'))).toBe('/two');
    expect(out(await a('ls ..'))).toBe('deep');
  });
});
