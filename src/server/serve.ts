import { collectGarbageSoon } from '../runtime/collect-garbage';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { type Logger, createLogger } from '../log';
import { networkAbsence } from '../models/network-absent';
import { Redactor } from '../models/redaction';
import { packageRoot } from '../package-info';
import { VERSION } from '../version';
import { settleWrites } from '../workspace/atomic-write';
import { realpathSync, watch } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createRuntime } from '../runtime/runtime';
import { endpointsOf } from '../sandbox/endpoints';
import type { Endpoint } from '../sandbox/service';
import type { Tool } from '../tools/tool';
import { FileWatcher } from '../workspace/file-watcher';
import { WorkspaceFiles } from '../workspace/files';
import { recordServer } from '../workspace/server-record';
import { openWorkspace } from '../workspace/workspace';
import { Sites } from '../sites/sites';
import { createApp } from './app';
import { Automation } from '../automation/automation';
import { type Clock, systemClock } from '../automation/clock';
import { EmbeddedJobQueue } from '../automation/job-queue';
import { RunLog } from '../automation/run-log';
import { errorMessage } from '../fs/errors';
import { TeamServer } from '../team/team-server';
import type { ServerContext } from './context';
import { allowedHostNames, isLoopbackHost } from './guard';

export interface ServeOptions {
  workspaceDir: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  admin?: { user: string; pass: string } | undefined;
  logger?: Logger;
  /** The redactor `logger` was created with, so its lines lose this workspace's keys too. */
  redactor?: Redactor;
  webRoot?: string;
  /** Tools beyond the built-in ones (embedding, tests). */
  extraTools?: Tool[];
  /** The scheduler's time (tests move a fake one); the system's when absent. */
  clock?: Clock;
  /** Team mode: scheduled runs queued in this Postgres database for worker machines (see TeamServer). */
  team?: { url: string; cap: number; leaseSeconds: number } | undefined;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly context: ServerContext;
  /** Stops accepting, ends open streams, waits for in-flight writes. */
  close(): Promise<void>;
}

/** A start-up failure a person can act on; the CLI prints its message without a stack trace. */
export class ServeError extends Error {
  override readonly name = 'ServeError';
}

const FORCE_CLOSE_AFTER_MS = 5000;

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const startedAt = performance.now();
  const redactor = options.redactor ?? new Redactor();
  const logger = options.logger ?? createLogger(redactor);
  const workspace = await openWorkspace(options.workspaceDir);
  let endpoints: Endpoint[] = [];
  /** Known once the server listens. */
  let dashboardUrl: string | undefined;
  const runtime = await createRuntime(workspace, {
    logger,
    redactor,
    ownEndpoints: () => endpoints,
    dashboardUrl: () => dashboardUrl,
    ...(options.extraTools ? { extraTools: options.extraTools } : {}),
  });
  runtime.sessions.watchDisk((sessionId) => logger.debug({ sessionId }, 'session changed on disk'));
  const shutdown = new AbortController();
  // Every open event stream listens for the shutdown: many open tabs are not a leak.
  setMaxListeners(0, shutdown.signal);
  const files = new WorkspaceFiles(workspace.paths, {
    trashMaxBytes: () => workspace.settings.get().files.trashMaxBytes,
  });
  const fileWatcher = new FileWatcher(
    realpathSync(workspace.paths.root),
    realpathSync(workspace.paths.dataDir),
    (changes, truncated) => runtime.hub.publishGlobal({ type: 'file.changed', changes, truncated }),
    logger,
  );
  let team: TeamServer | null = null;
  if (options.team) {
    try {
      team = await TeamServer.start({
        ...options.team,
        root: workspace.paths.root,
        broker: runtime.broker,
        job: (name) => runtime.jobs.get(name),
        onChange: () => runtime.hub.publishGlobal({ type: 'team.changed' }),
        onRunEnded: (run) => runtime.hub.publishGlobal({ type: 'job.run', run }),
        logger,
      });
    } catch (error) {
      await Promise.all([runtime.close(), fileWatcher.close()]);
      throw new ServeError(`team mode could not start: ${errorMessage(error)}`);
    }
  }
  const { queue, interrupted } = team
    ? { queue: team.queue, interrupted: [] }
    : await EmbeddedJobQueue.open(join(workspace.paths.automationDir, 'queue.jsonl'));
  const automation = new Automation({
    store: runtime.jobs,
    queue,
    log: team?.history ?? new RunLog(join(workspace.paths.automationDir, 'runs')),
    clock: options.clock ?? systemClock,
    execute: (job, run, signal) => runtime.runJob(job, run, signal),
    onRun: (run) => runtime.hub.publishGlobal({ type: 'job.run', run }),
  });
  runtime.jobs.onChange(() => runtime.hub.publishGlobal({ type: 'jobs.changed' }));
  // `boxagnts cron add` in a terminal writes jobs.json while the server runs: the server reads it again.
  const jobsWatcher = watch(workspace.paths.automationDir, (_event, name) => {
    if (name?.toString() === 'jobs.json')
      void runtime.jobs.load().catch((error: unknown) => logger.error({ err: error }, 'jobs.json could not be read'));
  });
  jobsWatcher.on('error', (error) => logger.warn({ err: error }, 'jobs.json is no longer watched'));
  const context: ServerContext = {
    workspace,
    runtime,
    automation,
    team,
    files,
    fileWatcher,
    sites: new Sites(workspace.paths, !isLoopbackHost(options.host)),
    logger,
    version: VERSION,
    bootId: randomUUID(),
    startedAt,
    shutdown: shutdown.signal,
    streams: { open: 0 },
  };

  let allowed = allowedHostNames(options.host, workspace.settings.get().server.allowedHosts);
  workspace.settings.onChange((s) => {
    allowed = allowedHostNames(options.host, s.server.allowedHosts);
  });
  const app = createApp(context, {
    allowedHosts: () => allowed,
    admin: options.admin,
    webRoot: options.webRoot ?? join(packageRoot(), 'dist', 'web'),
  });

  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  try {
    await listen(server, options.host, options.port);
  } catch (error) {
    jobsWatcher.close();
    await team?.close();
    await Promise.all([runtime.close(), fileWatcher.close()]);
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  endpoints = endpointsOf(options.host, port);
  await recordServer(workspace.paths, options.host, port);
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  dashboardUrl = url;
  logger.info({ url, workspace: workspace.paths.root, version: VERSION }, 'server ready');
  // Start-up's garbage (module loading grows the young generation to its largest) is given back.
  collectGarbageSoon();
  // The dashboard is up: the MCP servers connect in the background from now on.
  runtime.mcp.start();
  refreshCatalogInBackground(context);
  runtime.retention.start((outcome) => {
    if ('error' in outcome) logger.error({ err: outcome.error }, 'the retention rule could not be applied');
    else if (outcome.report.archived.length + outcome.report.deleted.length + outcome.report.errors.length > 0)
      logger.info(
        {
          archived: outcome.report.archived.length,
          deleted: outcome.report.deleted.length,
          errors: outcome.report.errors,
        },
        'retention rule applied',
      );
  });
  workspace.settings.onChange(() => runtime.retention.ruleChanged());
  await automation.start(interrupted);

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      shutdown.abort();
      jobsWatcher.close();
      await automation.stop();
      await team?.close();
      await Promise.all([runtime.close(), fileWatcher.close()]);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Streams end a moment after the shutdown signal and leave keep-alive sockets behind: close those as they idle.
      const sweep = setInterval(() => server.closeIdleConnections(), 25);
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), FORCE_CLOSE_AFTER_MS);
      await closed;
      clearInterval(sweep);
      clearTimeout(force);
      await rm(join(workspace.paths.dataDir, 'server.json'), { force: true });
      await settleWrites();
      logger.info('server stopped');
    })();
    return closing;
  };
  return { url, port, context, close };
}

/** models.dev is consulted after start-up, never before: an offline machine starts as fast as any other. */
function refreshCatalogInBackground(ctx: ServerContext): void {
  const url = ctx.workspace.settings.get().catalog.refreshUrl;
  if (!url) return;
  ctx.runtime.catalog.refresh(url, { signal: ctx.shutdown }).then(
    () => ctx.logger.debug({ url }, 'model catalog is current'),
    (error: Error) => {
      const absence = networkAbsence(error);
      const fields = { url, reason: error.message, ...(absence ? { cause: absence } : {}) };
      const message = 'model catalog not refreshed; using the cached or built-in one';
      // Without a network this happens at every start and is no news; a server that answered wrongly is.
      if (absence !== undefined || ctx.shutdown.aborted) ctx.logger.debug(fields, message);
      else ctx.logger.info(fields, message);
    },
  );
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(new ServeError(describeListenError(error, host, port)));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function describeListenError(error: NodeJS.ErrnoException, host: string, port: number): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is already in use; stop the program using it or choose another with --port`;
    case 'EACCES':
      return `not allowed to listen on port ${port}; ports below 1024 need privileges, choose another with --port`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine; check --host`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve --host ${host}`;
    default:
      return `cannot listen on ${host}:${port}: ${error.message}`;
  }
}
