import { Hono } from 'hono';
import type { Health, MemoryStatus } from '../contract/workspace';
import type { ServerContext } from './context';

export function healthRoutes(ctx: ServerContext): Hono {
  return new Hono().get('/', (c) =>
    c.json({
      status: 'ok',
      version: ctx.version,
      bootId: ctx.bootId,
      workspace: ctx.workspace.paths.name,
      workspaceDir: ctx.workspace.paths.root,
      uptimeMs: Math.round(performance.now() - ctx.startedAt),
    } satisfies Health),
  );
}

/** What the server holds now: its memory, and the counts that must fall back when work ends. */
export function memoryRoutes(ctx: ServerContext): Hono {
  return new Hono().get('/', (c) => {
    const { rss, heapUsed } = process.memoryUsage();
    const { hub, sandbox } = ctx.runtime;
    const workers = sandbox.workers();
    return c.json({
      rssBytes: rss,
      heapUsedBytes: heapUsed,
      workers: workers.count,
      workerMemoryBytes: workers.memoryBytes,
      workersStarted: workers.started,
      workerBudgetBytes: ctx.workspace.settings.get().sandbox.maxPoolMemoryMb * 1024 * 1024,
      runs: hub.runningSessions,
      liveSessions: hub.liveSessions,
      listeners: hub.listeners,
      streams: ctx.streams.open,
      watchedFolders: ctx.fileWatcher.watchedFolders,
    } satisfies MemoryStatus);
  });
}
