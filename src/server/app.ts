import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ServerContext } from './context';
import { dashboardRoutes } from './dashboard';
import { ApiError, handleError } from './errors';
import { basicAuthGuard, hostGuard, originGuard, securityHeaders } from './guard';
import { healthRoutes } from './health';
import { settingsRoutes } from './settings';

export const JSON_BODY_LIMIT = 1024 * 1024;

export interface AppOptions {
  /** Host names the Host header may carry; read per request so settings changes apply at once. */
  allowedHosts: () => ReadonlySet<string>;
  admin?: { user: string; pass: string } | undefined;
  /** The built dashboard (dist/web). */
  webRoot: string;
}

export function createApp(ctx: ServerContext, options: AppOptions): Hono {
  const app = new Hono();
  app.onError(handleError(ctx.logger));
  app.notFound((c) => {
    throw new ApiError(404, 'not_found', `No route ${c.req.method} ${c.req.path}`);
  });

  app.use('*', securityHeaders());
  app.use('*', async function requestLog(c, next) {
    const start = performance.now();
    await next();
    ctx.logger.debug({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - start) }, 'request');
  });
  app.use('*', hostGuard(options.allowedHosts));
  if (options.admin) app.use('*', basicAuthGuard(options.admin));
  app.use('*', originGuard());
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: JSON_BODY_LIMIT,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', `Request bodies are limited to ${JSON_BODY_LIMIT} bytes.`);
      },
    }),
  );

  app.route('/api/health', healthRoutes(ctx));
  app.route('/api/settings', settingsRoutes(ctx));
  app.route('/', dashboardRoutes(options.webRoot));
  return app;
}
