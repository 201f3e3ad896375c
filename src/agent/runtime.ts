import type { Logger } from '../log';
import { ModelCatalog } from '../models/catalog';
import { ToolRegistry } from '../tools/registry';
import { nativeTools } from '../tools/native';
import { SessionStore } from '../workspace/sessions';
import { UsageLog } from '../workspace/usage-log';
import type { Workspace } from '../workspace/workspace';
import { SessionHub } from './hub';
import { runEventInterpreter } from './interpret';
import { Runner } from './runner';

/** Everything a process needs to run agents over one workspace: the server and the headless CLI build the same one. */
export interface AgentRuntime {
  readonly sessions: SessionStore;
  readonly hub: SessionHub;
  readonly catalog: ModelCatalog;
  readonly usageLog: UsageLog;
  readonly runner: Runner;
  readonly tools: () => ToolRegistry;
  /** Cancels runs, waits for their last writes, and closes the session index cleanly. */
  close(): Promise<void>;
}

export async function createRuntime(workspace: Workspace, options: { logger: Logger; env?: NodeJS.ProcessEnv }): Promise<AgentRuntime> {
  const [sessions, catalog] = await Promise.all([SessionStore.open(workspace.paths.sessionsDir, runEventInterpreter), ModelCatalog.open(workspace.paths.cacheDir)]);
  const hub = new SessionHub(sessions);
  const usageLog = new UsageLog(workspace.paths.usageFile);
  const tools = () => new ToolRegistry(nativeTools());
  const runner = new Runner({ workspace, sessions, hub, catalog, usageLog, logger: options.logger, env: options.env ?? process.env, tools });
  return {
    sessions,
    hub,
    catalog,
    usageLog,
    runner,
    tools,
    async close() {
      await runner.shutdown();
      await sessions.close();
    },
  };
}
