import { collectGarbageSoon } from './collect-garbage';
import type { Logger } from '../log';
import { ModelCatalog } from '../models/catalog';
import { LocalServers } from '../models/local-servers/registry';
import { configuredKeys, providerKey } from '../models/providers';
import { Redactor } from '../models/redaction';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../package-info';
import { ApprovalBroker } from '../permissions/approvals';
import { type Endpoint, Sandbox } from '../sandbox/service';
import { userWasmCacheDir } from '../sandbox/wasi/module-cache';
import { ExtensionTools } from '../tools/extensions/extensions';
import { sandboxedTools } from '../tools/sandboxed';
import { nativeTools } from '../tools/native';
import type { RunSpec } from '../agent/run-spec';
import type { Approvals } from '../permissions/gate';
import type { PermissionMode } from '../permissions/policy';
import type { ToolCall } from '../tools/invoke';
import { ToolOutputStore } from '../tools/output-store';
import { selectTools } from '../tools/selection';
import { type ToolSource, fixedSource } from '../tools/source';
import type { Tool, ToolResult } from '../tools/tool';
import { type WorkspaceRunRequest, workspaceRunSpec } from './run-specs';
import { callToolOnce } from './single-call';
import { recordedServerEndpoints } from '../workspace/server-record';
import { Retention } from '../workspace/retention';
import { SessionSearch } from '../workspace/session-search';
import type { Job } from '../contract/automation';
import type { RunResult } from '../automation/automation';
import type { QueuedRun } from '../automation/job-queue';
import { JobsStore } from '../automation/jobs-store';
import { type JobRunPlace, runJob } from './job-runs';
import { SessionStore } from '../workspace/sessions';
import { UsageLog } from '../workspace/usage-log';
import type { Workspace } from '../workspace/workspace';
import { SessionHub } from '../agent/hub';
import { runEventInterpreter } from '../agent/interpret';
import { PartialTextLog } from '../agent/partial-text';
import { closeInterruptedRuns } from '../agent/recovery';
import { Runner } from '../agent/runner';
import { agentTools } from '../agent/orchestration/agent-tools';
import { Orchestrator } from '../agent/orchestration/orchestrator';
import { dropWorktreeFolder } from '../agent/orchestration/worktree';
import { AgentTypes } from '../tools/agents/agent-types';
import type { SkillCatalog } from '../tools/skills/skill-catalog';
import { skillTool } from '../tools/skills/skill-tool';
import { contextWindowOf, primeServerFacts, workspaceSkills } from './skills';
import { McpServers } from '../mcp/servers';

export interface RuntimeOptions {
  logger: Logger;
  /** The logger's redactor, bound here to this workspace's keys; a new one when absent. */
  redactor?: Redactor;
  env?: NodeJS.ProcessEnv;
  /** Tools beyond the built-in ones, for embedding boxagnts in another program. */
  extraTools?: Tool[];
  /** Whether to pick up changes to `.boxagnts/tools/` while running (a one-off headless run need not). */
  watchExtensions?: boolean;
  /** Whether close waits for the tools' modules still being instrumented, so they are cached (a headless command). */
  finishPreparingOnClose?: boolean;
  /** Where this process's own dashboard listens; sandboxed calls may never reach it. */
  ownEndpoints?: () => Endpoint[];
  /**
   * Sandbox workers to start and warm in the background at once (none by default: a run starting warms one, while
   * its first model call is under way).
   */
  warmWorkers?: number;
  /** The dashboard's address once it listens (remote MCP servers' OAuth comes back there). */
  dashboardUrl?: () => string | undefined;
  /** Workers in the sandbox pool (SANDBOX_POOL_SIZE by default). */
  sandboxPoolSize?: number;
}

/** Everything a process needs to run agents over one workspace: the server and the headless CLI build the same one. */
export interface AgentRuntime {
  readonly sessions: SessionStore;
  /** Archived sessions (`sessions/archive/`): read-only until restored into `sessions`. */
  readonly archive: SessionStore;
  /** The workspace's retention rule, applied by the server (see Retention.start). */
  readonly retention: Retention;
  /** Scheduled jobs (`.boxagnts/automation/jobs.json`); the server schedules them. */
  readonly jobs: JobsStore;
  /** Runs one job as a session (the scheduler's runs, and `boxagnts cron run`). */
  runJob(job: Job, run: QueuedRun, signal: AbortSignal, place?: JobRunPlace): Promise<RunResult>;
  readonly hub: SessionHub;
  readonly catalog: ModelCatalog;
  /** Local model servers (Ollama, LM Studio, llama.cpp, vLLM): their context per model, Ollama's pulls. */
  readonly localServers: LocalServers;
  readonly usageLog: UsageLog;
  readonly broker: ApprovalBroker;
  readonly runner: Runner;
  /** Takes this workspace's keys (and anything shaped like a sent credential) out of what leaves the process. */
  readonly redactor: Redactor;
  readonly sandbox: Sandbox;
  /** WebAssembly tools from `.boxagnts/tools/` and the product's own, with the folders that failed to load. */
  readonly extensions: ExtensionTools;
  /** Where the workspace's tools come from: built-in, sandboxed, extensions (later MCP servers, skills, agents). */
  readonly sources: readonly ToolSource[];
  /** The agent types of the workspace (`.boxagnts/agents/`, other agents' folders, the built-in ones). */
  readonly agentTypes: AgentTypes;
  /** The skills of the workspace, the user's and the product's. */
  readonly skills: SkillCatalog;
  /** Full-text search over the sessions' messages. */
  readonly search: SessionSearch;
  /** The MCP servers of the workspace, as one tool source. */
  readonly mcp: McpServers;
  /** Child runs started by the `agent` tool: listed, awaited and stopped here. */
  readonly orchestrator: Orchestrator;
  /** Every tool this workspace has, switched off or not, for the Tools page. */
  allTools(): Tool[];
  /** A run the user starts on the whole workspace (the chat, `boxagnts run`), as a RunSpec. */
  workspaceSpec(request: WorkspaceRunRequest, approvals: Approvals): Promise<RunSpec>;
  /** One tool call outside any session, through the same pipeline as an agent's (`boxagnts tool`). */
  callTool(call: ToolCall, options: { mode?: PermissionMode | undefined; signal: AbortSignal }): Promise<ToolResult>;
  /** Cancels runs, waits for their last writes, and closes the session index cleanly. */
  close(): Promise<void>;
}

export async function createRuntime(workspace: Workspace, options: RuntimeOptions): Promise<AgentRuntime> {
  const env = options.env ?? process.env;
  const redactor = options.redactor ?? new Redactor();
  redactor.bind(() => configuredKeys(workspace.settings.get(), { secrets: workspace.secrets, env }));
  const outputs = new ToolOutputStore({
    dir: workspace.paths.toolOutputDir,
    maxBytes: () => workspace.settings.get().tools.maxSavedOutputBytes,
  });
  const worktreeOf = (id: string) =>
    existsSync(join(workspace.paths.worktreesDir, id))
      ? relative(workspace.paths.root, join(workspace.paths.worktreesDir, id))
      : undefined;
  /** What goes with a deleted session: its saved tool outputs, and the folder of a worktree it kept (not its branch). */
  const onDelete = async (id: string) => {
    await outputs.removeSession(id);
    const worktree = worktreeOf(id);
    if (worktree) await dropWorktreeFolder(workspace.paths.root, join(workspace.paths.root, worktree));
  };
  const [sessions, archive, catalog] = await Promise.all([
    SessionStore.open(workspace.paths.sessionsDir, runEventInterpreter, { onDelete }),
    SessionStore.open(workspace.paths.sessionsArchiveDir, runEventInterpreter, { onDelete, archived: true }),
    ModelCatalog.open(workspace.paths.cacheDir),
  ]);
  const localServers = new LocalServers(
    (id, provider) => providerKey(id, provider, { secrets: workspace.secrets, env }).key,
    (text) => redactor.redact(text),
  );
  const partials = new PartialTextLog(workspace.paths.sessionsDir);
  const search = new SessionSearch(join(workspace.paths.cacheDir, 'session-search.json'), [sessions, archive]);
  await closeInterruptedRuns(sessions, partials, redactor, options.logger);
  const usageLog = new UsageLog(workspace.paths.usageFile);
  const broker = new ApprovalBroker((interaction) => redactor.redactValue(interaction));
  const hub = new SessionHub(sessions, broker, archive);
  const sandbox = new Sandbox({
    root: workspace.paths.root,
    dataDir: workspace.paths.dataDir,
    toolOutputDir: workspace.paths.toolOutputDir,
    cacheDir: userWasmCacheDir(env),
    finishPreparingOnClose: options.finishPreparingOnClose,
    settings: () => workspace.settings.get().sandbox,
    blockedEndpoints: () => [...(options.ownEndpoints?.() ?? []), ...recordedServerEndpoints(workspace.paths)],
    logger: options.logger,
    distDir: join(packageRoot(), 'dist'),
    ...(options.sandboxPoolSize ? { poolSize: options.sandboxPoolSize } : {}),
    onIdle: collectGarbageSoon,
  });
  // Asynchronous: the workers start on threads of their own while the rest of the runtime opens.
  if (options.warmWorkers) sandbox.warmUp(options.warmWorkers);
  const runner = new Runner({
    workspace,
    sessions,
    hub,
    catalog,
    servers: localServers,
    usageLog,
    broker,
    logger: options.logger,
    redactor,
    env,
    partials,
    outputs,
  });
  let sources: ToolSource[] = [];
  const agentTypes = new AgentTypes({
    root: workspace.paths.root,
    dir: workspace.paths.agentTypesDir,
    knownTools: () => selectTools({ sources }).tools.map((tool) => tool.name),
  });
  const orchestrator = new Orchestrator({ workspace, runner, sessions, hub, agentTypes, logger: options.logger });
  const skills = workspaceSkills(workspace, env);
  const builtIn = [
    ...nativeTools(),
    ...sandboxedTools(sandbox),
    ...agentTools(orchestrator, agentTypes),
    skillTool(skills),
    ...(options.extraTools ?? []),
  ];
  const builtInSource = fixedSource(builtIn);
  const extensions = new ExtensionTools({
    sources: [
      { dir: join(packageRoot(), 'dist', 'extensions'), origin: 'built-in' },
      { dir: workspace.paths.toolsDir, origin: 'workspace' },
    ],
    watchDir: options.watchExtensions === false ? null : workspace.paths.toolsDir,
    sandbox,
    reserved: () => new Set([...builtIn.map((t) => t.name), 'tool_search']),
    logger: options.logger,
  });
  extensions.onChange(() => hub.publishGlobal({ type: 'tools.changed' }));
  // A run is about to call tools: one worker warms while its first model call is under way, and one stays warm as
  // long as a run is under way. Nothing warms at start, and once no run is, the pool ends its idle workers: a
  // dashboard that never runs a tool, or a server left alone after work, holds no worker's memory.
  const runsUnderWay = new Set<string>();
  hub.global.subscribe((event) => {
    if (event.type !== 'run.status') return;
    if (event.running) {
      runsUnderWay.add(event.runId);
      sandbox.warmUp(1);
    } else runsUnderWay.delete(event.runId);
    sandbox.expectCalls(runsUnderWay.size > 0);
  });
  await extensions.start();
  const mcp = new McpServers({
    root: workspace.paths.root,
    servers: () => workspace.settings.get().mcp.servers,
    secret: (name) => workspace.secrets.secret(name),
    saveSecret: (name, value) => workspace.secrets.setSecret(name, value),
    redact: (text) => redactor.redact(text),
    oauthRedirect: () => {
      const url = options.dashboardUrl?.();
      return url ? `${url}/api/mcp/oauth/callback` : undefined;
    },
    logger: options.logger,
  });
  mcp.onChange(() => hub.publishGlobal({ type: 'tools.changed' }));
  // Started by the runtime's owner once it is up (the server, once it listens; a command, when it needs them).
  const stopFollowingSettings = workspace.settings.onChange(() => mcp.reconcile());
  sources = [builtInSource, extensions, mcp];
  await agentTypes.list();
  const workspaceSpec = async (request: WorkspaceRunRequest, approvals: Approvals): Promise<RunSpec> => {
    // The spec's budgets follow the model's window, so a local server is asked what it runs the model at first.
    await primeServerFacts(workspace, localServers, request.model);
    return workspaceRunSpec(
      {
        workspace,
        sources,
        agentTypes,
        skills,
        contextWindow: (model) => contextWindowOf(workspace, catalog, localServers, model),
        mcpPrompt: (text) => mcp.expandPrompt(text),
      },
      request,
      approvals,
    );
  };
  const jobs = new JobsStore(join(workspace.paths.automationDir, 'jobs.json'));
  await jobs.load();
  const retention = new Retention({
    active: sessions,
    archive,
    rule: () => workspace.settings.get().sessions.retention,
    stateFile: workspace.paths.retentionFile,
    isRunning: (id) => runner.isRunning(id),
    worktreeOf,
  });
  return {
    sessions,
    archive,
    retention,
    jobs,
    runJob: (job, run, signal, place) => runJob({ sessions, runner, workspaceSpec }, job, run, signal, place),
    hub,
    catalog,
    localServers,
    usageLog,
    broker,
    runner,
    redactor,
    sandbox,
    extensions,
    sources,
    allTools: () => selectTools({ sources }).tools,
    agentTypes,
    orchestrator,
    mcp,
    search,
    skills,
    workspaceSpec,
    async callTool(call, { mode, signal }) {
      // One headless call of a server's tool: that server must have connected first.
      if (call.name.startsWith('mcp__')) await mcp.settled();
      return callToolOnce({ workspace, sources, broker, outputs, mode, signal }, call);
    },
    async close() {
      await orchestrator.close();
      await runner.shutdown();
      stopFollowingSettings();
      partials.flushAll();
      retention.stop();
      localServers.close();
      await Promise.all([sessions.close(), archive.close(), extensions.close(), mcp.close()]);
      await sandbox.close();
    },
  };
}
