import { Hono } from 'hono';
import type { Health } from '../contract/workspace';
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
