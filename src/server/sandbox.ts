import { existsSync, statSync } from 'node:fs';
import { Hono } from 'hono';
import type { SandboxOverview } from '../contract/settings';
import { PROTECTED_PATHS } from '../fs/protected-paths';
import type { ServerContext } from './context';

/**
 * The sandbox settings as they apply: each extra mount with whether its folder exists (a missing one is not mounted),
 * and the files kept read-only because host programs run code from them.
 */
export function sandboxRoutes(ctx: ServerContext): Hono {
  return new Hono().get('/', (c) => {
    const sandbox = ctx.workspace.settings.get().sandbox;
    return c.json({
      ...sandbox,
      mounts: sandbox.mounts.map((m) => ({ ...m, exists: existsSync(m.host) && statSync(m.host).isDirectory() })),
      protectedPaths: [...PROTECTED_PATHS],
      hostTier: ctx.runtime.sandbox.host.status(),
    } satisfies SandboxOverview);
  });
}
