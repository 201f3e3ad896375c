import { Hono } from 'hono';
import { SKILL_IMPORT_MAX_BYTES } from '../contract/skills';
import { bodyLimit } from 'hono/body-limit';
import type { ServerContext } from './context';
import { dashboardRoutes } from './dashboard';
import { ApiError, handleError } from './errors';
import { basicAuthGuard, hostGuard, originGuard, securityHeaders } from './guard';
import { agentsMdRoutes } from './agents-md';
import { globalEventRoutes } from './events';
import { fileRoutes } from './files';
import { healthRoutes, memoryRoutes } from './health';
import { localModelRoutes } from './local-models';
import { modelRoutes } from './models';
import { permissionRoutes } from './permissions';
import { sandboxRoutes } from './sandbox';
import { sessionRoutes } from './sessions';
import { settingsRoutes } from './settings';
import { skillRoutes } from './skills';
import { agentRoutes } from './agents';
import { commandRoutes } from './commands';
import { mcpRoutes } from './mcp';
import { toolRoutes } from './tools';
import { jobRoutes } from './jobs';
import { teamRoutes } from './team';
import { retentionRoutes } from './retention';
import { siteRoutes } from './sites';
import { isSitePath } from '../sites/headers';
import { usageRoutes } from './usage';

export const JSON_BODY_LIMIT = 1024 * 1024;
/** Routes that take larger bodies than the default; null: the route streams the body and enforces its own limit. */
const BODY_LIMITS: Record<string, number | null> = {
  '/api/sessions/import': 64 * 1024 * 1024,
  // A text file of up to 5 MB, escaped as JSON.
  '/api/files/content': 32 * 1024 * 1024,
  '/api/files/upload': null,
  '/api/skills/import': SKILL_IMPORT_MAX_BYTES,
};

export interface AppOptions {
  /** Host names the Host header may carry; read per request so settings changes apply at once. */
  allowedHosts: () => ReadonlySet<string>;
  admin?: { user: string; pass: string } | undefined;
  /** The built dashboard (dist/web). */
  webRoot: string;
}

export function createApp(ctx: ServerContext, options: AppOptions): Hono {
  const app = new Hono();
  app.onError(handleError(ctx.logger, ctx.runtime.redactor));
  app.notFound((c) => {
    throw new ApiError(404, 'not_found', `No route ${c.req.method} ${c.req.path}`);
  });

  app.use('*', securityHeaders());
  app.use('*', async function requestLog(c, next) {
    const start = performance.now();
    await next();
    ctx.logger.debug(
      { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - start) },
      'request',
    );
  });
  app.use('*', hostGuard(options.allowedHosts));
  if (options.admin) app.use('*', basicAuthGuard(options.admin));
  app.use('*', originGuard());
  const limits = new Map(
    [...Object.entries(BODY_LIMITS), ['', JSON_BODY_LIMIT] as const].map(([path, maxSize]) => [
      path,
      maxSize === null ? null : limitBody(maxSize),
    ]),
  );
  app.use('/api/*', (c, next) => {
    const limit = limits.has(c.req.path) ? limits.get(c.req.path) : limits.get('');
    return limit ? limit(c, next) : next();
  });

  app.route('/api/health', healthRoutes(ctx));
  app.route('/api/memory', memoryRoutes(ctx));
  app.route('/api/settings', settingsRoutes(ctx));
  app.route('/api/sessions', sessionRoutes(ctx));
  app.route('/api/retention', retentionRoutes(ctx));
  app.route('/api/jobs', jobRoutes(ctx));
  app.route('/api/team', teamRoutes(ctx));
  app.route('/api', permissionRoutes(ctx));
  app.route('/api/tools', toolRoutes(ctx));
  app.route('/api/agents', agentRoutes(ctx));
  app.route('/api/mcp', mcpRoutes(ctx));
  app.route('/api/skills', skillRoutes(ctx));
  app.route('/api/commands', commandRoutes(ctx));
  app.route('/api/sandbox', sandboxRoutes(ctx));
  app.route('/api/events', globalEventRoutes(ctx));
  app.route('/api', modelRoutes(ctx));
  app.route('/api', localModelRoutes(ctx));
  app.route('/api', usageRoutes(ctx));
  app.route('/api/agents-md', agentsMdRoutes(ctx));
  app.route('/api/files', fileRoutes(ctx, ctx.files, ctx.fileWatcher));
  app.route('/api/sites', siteRoutes(ctx.sites));
  // Published folders: outside the admin sign-in (see basicAuthGuard), inside the Host check, every method answered
  // by the handler itself (405 but for GET and HEAD).
  // `/sites` itself (which the pattern matches too) is the dashboard's Sites page.
  app.all('/sites/*', (c, next) =>
    isSitePath(c.req.path) ? ctx.sites.serve(c.req.method, new URL(c.req.url), c.req.raw.headers) : next(),
  );
  app.route('/', dashboardRoutes(options.webRoot));
  return app;
}

function limitBody(maxSize: number) {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError(413, 'payload_too_large', `Request bodies here are limited to ${maxSize} bytes.`);
    },
  });
}
