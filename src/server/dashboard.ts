import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { Hono } from 'hono';
import { ApiError } from './errors';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
};

interface Asset {
  file: string;
  size: number;
  type: string;
  /** Vite names built assets by content hash, so they can be cached for good. */
  immutable: boolean;
}

/** Every file of the built dashboard by URL path. Only these are ever served, so no request path reaches the disk. */
function indexAssets(webRoot: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.isFile()) {
        const urlPath = `/${relative(webRoot, file).split(sep).join('/')}`;
        assets.set(urlPath, {
          file,
          size: statSync(file).size,
          type: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
          immutable: urlPath.startsWith('/assets/'),
        });
      }
    }
  };
  if (existsSync(webRoot)) walk(webRoot);
  return assets;
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>boxagnts</title>
<p>The dashboard has not been built. Run <code>npm run build</code> (or <code>npm start</code>, which builds when needed).</p>`;

/** The built dashboard at `/`, with the single-page-app fallback to index.html for client-side routes. */
export function dashboardRoutes(webRoot: string): Hono {
  const assets = indexAssets(webRoot);
  const index = assets.get('/index.html');
  // Dashboard files are small (the largest is a few hundred KB), so each is sent as one buffer.
  const send = async (asset: Asset, method: string) => {
    const headers = {
      'Content-Type': asset.type,
      'Content-Length': String(asset.size),
      'Cache-Control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    };
    return new Response(method === 'HEAD' ? null : await readFile(asset.file), { headers });
  };
  return new Hono().on(['GET', 'HEAD'], '*', (c) => {
    const path = c.req.path;
    if (path === '/api' || path.startsWith('/api/'))
      throw new ApiError(404, 'not_found', `No API route ${c.req.method} ${path}`);
    const asset = assets.get(path);
    if (asset) return send(asset, c.req.method);
    if (extname(path) !== '') throw new ApiError(404, 'not_found', `No file ${path}`);
    if (!index) return c.html(NOT_BUILT, 503);
    return send(index, c.req.method);
  });
}
