import { type Stats, closeSync, createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { SITE_NAME, type Site } from '../contract/sites';
import { isTextMediaType, mediaTypeOf } from '../fs/media-types';
import { SITES_PREFIX, SITE_HEADERS } from './headers';
import type { SiteFolders } from './folders';
import type { SitesStore } from './store';

const HTML = 'text/html; charset=utf-8';
const PLAIN = 'text/plain; charset=utf-8';

/** A file's Content-Type as a site serves it: text is declared UTF-8. */
export function contentTypeOf(name: string): string {
  const type = mediaTypeOf(name);
  return isTextMediaType(type) ? `${type}; charset=utf-8` : type;
}

export interface SiteHandlerOptions {
  /** The server listens beyond this computer: only sites marked public are served. */
  exposed: boolean;
}

type Headers = Record<string, string>;

/**
 * Serves `/sites/NAME/…`: GET and HEAD of the files in a site's folder. Each path segment is decoded exactly once and
 * refused (404) when it could mean anything but a plain name — `.`, `..`, a slash or backslash inside it, a NUL, a dot
 * name the site does not allow, the runtime's folder — and what remains is walked by the confined file system, which
 * follows no symbolic link at any step (not even one pointing inside the workspace) and hides `.boxagnts/`.
 */
export function createSiteHandler(store: SitesStore, folders: SiteFolders, options: SiteHandlerOptions) {
  return function serveSite(method: string, url: URL, request: globalThis.Headers): Response {
    const rest = url.pathname.slice(SITES_PREFIX.length).split('/');
    const name = rest[0]!;
    if (!SITE_NAME.test(name)) return notFound();
    const site = store.get(name);
    if (!site || !site.enabled || (options.exposed && !site.public)) return notFound();
    if (rest.length === 1) return redirect(`${SITES_PREFIX}${name}/${url.search}`);
    if (method !== 'GET' && method !== 'HEAD')
      return respond(405, 'Only GET and HEAD are served here.', { Allow: 'GET, HEAD' });
    const names = decodeNames(rest.slice(1), site);
    if (!names) return notFound();
    const wantsFolder = names.at(-1) === '';
    const parts = wantsFolder ? names.slice(0, -1) : names;
    const guest = `/${[site.folder, ...parts].join('/')}`;

    const file = folders.open(wantsFolder ? `${guest}/index.html` : guest);
    if (file === 'folder') {
      if (!wantsFolder) return redirect(`${url.pathname}/${url.search}`);
      return notFound();
    }
    if (file) return sendFile(method, file, request, wantsFolder ? 'index.html' : parts.at(-1)!);
    if (wantsFolder && site.listing) {
      const entries = folders.list(guest);
      if (entries) return listing(method, url.pathname, entries, site);
    }
    return notFound();
  };
}

/** The decoded names of a request path, or null when one is not a plain name this site serves. */
function decodeNames(raw: string[], site: Site): string[] | null {
  const names: string[] = [];
  for (const [index, part] of raw.entries()) {
    let name: string;
    try {
      name = decodeURIComponent(part);
    } catch {
      return null;
    }
    const last = index === raw.length - 1;
    if (name === '') {
      if (!last) return null;
    } else if (
      name === '.' ||
      name === '..' ||
      /[/\\\0]/.test(name) ||
      name.toLowerCase() === '.boxagnts' ||
      (name.startsWith('.') && !site.dotfiles)
    ) {
      return null;
    }
    names.push(name);
  }
  return names;
}

/** A strong validator for this version of the file: inode, size and modification time. */
function etagOf(info: Stats): string {
  return `"${info.ino.toString(36)}-${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`;
}

function notModified(request: globalThis.Headers, etag: string, info: Stats): boolean {
  const ifNoneMatch = request.get('if-none-match');
  if (ifNoneMatch !== null)
    return ifNoneMatch
      .split(',')
      .map((tag) => tag.trim().replace(/^W\//, ''))
      .some((tag) => tag === etag || tag === '*');
  const since = Date.parse(request.get('if-modified-since') ?? '');
  return !Number.isNaN(since) && Math.floor(info.mtimeMs / 1000) * 1000 <= since;
}

/** The one byte range asked for: `{start, end}` inclusive, 'unsatisfiable', or null to send the whole file. */
function rangeOf(header: string | null, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (header === null) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges, or another unit: the whole file is a correct answer.
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

function sendFile(
  method: string,
  file: { fd: number; info: Stats },
  request: globalThis.Headers,
  name: string,
): Response {
  const { fd, info } = file;
  const etag = etagOf(info);
  const headers: Headers = {
    ETag: etag,
    'Last-Modified': info.mtime.toUTCString(),
    'Cache-Control': 'no-cache',
    'Accept-Ranges': 'bytes',
  };
  if (notModified(request, etag, info)) {
    closeSync(fd);
    return respond(304, null, headers);
  }
  const ifRange = request.get('if-range');
  const range =
    ifRange === null || ifRange === etag || ifRange === headers['Last-Modified']
      ? rangeOf(request.get('range'), info.size)
      : null;
  if (range === 'unsatisfiable') {
    closeSync(fd);
    return respond(416, 'The requested range is not in the file.', {
      ...headers,
      'Content-Range': `bytes */${info.size}`,
    });
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? info.size - 1;
  headers['Content-Type'] = contentTypeOf(name);
  headers['Content-Length'] = String(Math.max(0, end - start + 1));
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${info.size}`;
  const status = range ? 206 : 200;
  if (method === 'HEAD' || info.size === 0) {
    closeSync(fd);
    return new Response(null, { status, headers: { ...SITE_HEADERS, ...headers } });
  }
  const stream = createReadStream('', { fd, start, end, autoClose: true });
  return new Response(Readable.toWeb(stream) as ReadableStream, { status, headers: { ...SITE_HEADERS, ...headers } });
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function listing(
  method: string,
  pathname: string,
  entries: { name: string; type: 'file' | 'dir' }[],
  site: Site,
): Response {
  const shown = entries
    .filter((entry) => site.dotfiles || !entry.name.startsWith('.'))
    .sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type === 'dir' ? -1 : 1));
  const title = escapeHtml(decodeURIComponent(pathname));
  const items = shown
    .map((entry) => {
      const href = encodeURIComponent(entry.name) + (entry.type === 'dir' ? '/' : '');
      return `<li><a href="${escapeHtml(href)}">${escapeHtml(entry.name)}${entry.type === 'dir' ? '/' : ''}</a></li>`;
    })
    .join('\n');
  const html = `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${title}</title><h1>${title}</h1><ul>${pathname.split('/').length > 4 ? '<li><a href="../">../</a></li>' : ''}
${items}</ul>`;
  return respond(200, method === 'HEAD' ? null : html, {
    'Content-Type': HTML,
    'Cache-Control': 'no-cache',
  });
}

function respond(status: number, body: string | null, headers: Headers = {}): Response {
  const base: Headers = body === null || headers['Content-Type'] ? {} : { 'Content-Type': PLAIN };
  return new Response(body, { status, headers: { ...SITE_HEADERS, ...base, ...headers } });
}

function notFound(): Response {
  return respond(404, 'Not found.');
}

function redirect(location: string): Response {
  return respond(301, null, { Location: location });
}
