import { randomBytes } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import busboy from 'busboy';
import { type Context, Hono } from 'hono';
import {
  DeleteBodySchema,
  PathBodySchema,
  RenameBodySchema,
  RestoreBodySchema,
  SaveBodySchema,
  TransferBodySchema,
  type UploadResult,
} from '../contract/files';
import type { FileWatcher } from '../workspace/file-watcher';
import { FileApiError, type WorkspaceFiles, checkName, checkPath } from '../workspace/files';
import type { ServerContext } from './context';
import { ApiError } from './errors';
import { readBody } from './validate';
import { errorMessage } from '../fs/errors';

/** Image types shown inline (for previews); everything else downloads as an attachment. */
const INLINE = /^image\/(png|jpeg|gif|webp|avif|bmp|x-icon|svg\+xml)$/;

/** Part of a multipart body that is not file content: headers and boundaries. */
const MULTIPART_OVERHEAD = 64 * 1024;

/** Makes a FileApiError an API error; everything else goes on to the general handler. */
function asApiError(error: unknown): never {
  if (error instanceof FileApiError) throw new ApiError(error.status, error.code, error.message, error.details);
  throw error;
}

function attempt<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    asApiError(error);
  }
}

/** `filename="…"` for old clients (ASCII only) and `filename*=` with the real name. */
function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * Writes the files of a multipart body into `dir`, each streamed to a temp file in the runtime's own folder and moved
 * into place through the confined file system when whole. Past `maxBytes` (all files together) the upload is refused
 * and nothing of it is kept.
 */
async function receiveUpload(
  files: WorkspaceFiles,
  dir: string,
  c: Context,
  maxBytes: number,
): Promise<UploadResult['uploaded']> {
  const contentType = c.req.header('content-type') ?? '';
  if (!contentType.startsWith('multipart/form-data'))
    throw new ApiError(415, 'unsupported_media_type', 'Uploads are multipart/form-data.');
  const declared = Number(c.req.header('content-length'));
  if (declared > maxBytes + MULTIPART_OVERHEAD)
    throw new ApiError(
      413,
      'payload_too_large',
      `Uploads are limited to ${maxBytes} bytes (settings: files.maxUploadBytes).`,
    );
  const staging = attempt(() => files.uploadStaging(dir));
  const body = c.req.raw.body;
  if (!body) throw new ApiError(400, 'invalid_request', 'The upload has no body.');

  const temps: string[] = [];
  const done: { name: string; size: number; temp: string }[] = [];
  const writes: Promise<void>[] = [];
  let total = 0;
  let refusal: ApiError | null = null;
  /**
   * A file that could not be written. It refuses the upload only when nothing else did first: a file cut off by a
   * refusal or by a body that could not be read fails too, and the reason told is then that one.
   */
  let unsaved: ApiError | undefined;
  const parser = busboy({
    headers: { 'content-type': contentType },
    defParamCharset: 'utf8',
    limits: { files: 1000, fields: 0, parts: 1000, fileSize: maxBytes + 1 },
  });
  const refuse = (error: ApiError) => {
    refusal ??= error;
  };
  parser.on('file', (_field, stream, info) => {
    let name: string;
    try {
      // Some browsers send a path for a file in a dropped folder: only its last part names the file.
      name = checkName((info.filename ?? '').split(/[/\\]/).pop() ?? '');
    } catch (error) {
      refuse(new ApiError(400, 'invalid_name', errorMessage(error)));
      stream.resume();
      return;
    }
    // Named like writeFileAtomic's temps, so one left by a crash is cleaned at the next start.
    const temp = join(staging, `.upload.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    temps.push(temp);
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      total += chunk.length;
      if (total > maxBytes) {
        refuse(
          new ApiError(
            413,
            'payload_too_large',
            `Uploads are limited to ${maxBytes} bytes (settings: files.maxUploadBytes).`,
          ),
        );
        stream.destroy();
      }
    });
    writes.push(
      pipeline(stream, createWriteStream(temp, { flags: 'wx', mode: 0o644 })).then(
        () => void done.push({ name, size, temp }),
        (error: unknown) => {
          unsaved ??= new ApiError(500, 'upload_failed', `Could not save ${name}: ${errorMessage(error)}`);
        },
      ),
    );
  });
  parser.on('filesLimit', () => refuse(new ApiError(413, 'payload_too_large', 'At most 1,000 files per upload.')));
  try {
    await pipeline(Readable.fromWeb(body as WebReadableStream<Uint8Array>), parser);
  } catch (error) {
    if (!refusal) refuse(new ApiError(400, 'invalid_request', `The upload could not be read: ${errorMessage(error)}`));
  }
  await Promise.all(writes);
  if (unsaved) refuse(unsaved);
  if (!refusal && done.length === 0) refuse(new ApiError(400, 'invalid_request', 'The upload holds no file.'));
  if (refusal) {
    for (const temp of temps) rmSync(temp, { force: true });
    throw refusal;
  }
  try {
    return done.map((file) => {
      const path = attempt(() => files.placeUpload(file.temp, dir, file.name));
      return { name: path.split('/').pop()!, path, size: file.size };
    });
  } finally {
    for (const temp of temps) rmSync(temp, { force: true });
  }
}

/**
 * The workspace's files for the dashboard: list, read, save (with a version check), upload, download, make folders,
 * rename, move, copy, delete to the trash and restore. Paths are workspace-relative; every one passes the sandbox's
 * confiner. Listing a folder starts watching it, so changes there arrive as `file.changed` on the global stream.
 */
export function fileRoutes(ctx: ServerContext, files: WorkspaceFiles, watcher: FileWatcher): Hono {
  const watchFolder = (dir: string) => watcher.watchFolder(files.hostOf(dir));
  const maxUpload = () => ctx.workspace.settings.get().files.maxUploadBytes;
  return new Hono()
    .get('/', (c) => {
      const path = attempt(() => checkPath(c.req.query('path') ?? '', { allowRoot: true }));
      const entries = attempt(() => files.list(path));
      watchFolder(path);
      return c.json({ path, entries });
    })
    .get('/content', (c) => {
      const path = attempt(() => checkPath(c.req.query('path')));
      const content = attempt(() => files.read(path));
      watchFolder(path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
      return c.json(content, 200, { ETag: `"${content.version}"` });
    })
    .put('/content', async (c) => {
      const path = attempt(() => checkPath(c.req.query('path')));
      const { content } = await readBody(c, SaveBodySchema);
      const ifMatch = c.req.header('if-match')?.replace(/^W\//, '').replace(/^"|"$/g, '');
      const expected = c.req.header('if-none-match') === '*' ? null : ifMatch;
      const saved = await files.write(path, content, expected).catch(asApiError);
      return c.json(saved, 200, { ETag: `"${saved.version}"` });
    })
    .post('/upload', async (c) => {
      const dir = attempt(() => checkPath(c.req.query('path') ?? '', { allowRoot: true }));
      const uploaded = await receiveUpload(files, dir, c, maxUpload());
      return c.json({ uploaded }, 201);
    })
    .get('/download', (c) => {
      const path = attempt(() => checkPath(c.req.query('path')));
      const file = attempt(() => files.openForDownload(path));
      const inline = c.req.query('inline') === '1' && INLINE.test(file.mediaType);
      const headers: Record<string, string> = {
        'Content-Type': inline ? file.mediaType : 'application/octet-stream',
        'Content-Length': String(file.size),
        'Content-Disposition': contentDisposition(inline ? 'inline' : 'attachment', file.name),
        'Cache-Control': 'no-store',
      };
      // An SVG opened on its own would be a document of this origin: it may show, never run anything.
      if (inline)
        headers['Content-Security-Policy'] =
          "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; sandbox";
      return new Response(Readable.toWeb(file.stream) as ReadableStream, { headers });
    })
    .post('/mkdir', async (c) => {
      const body = await readBody(c, PathBodySchema);
      const path = attempt(() => checkPath(body.path));
      attempt(() => files.mkdir(path));
      return c.json({ path }, 201);
    })
    .post('/rename', async (c) => {
      const body = await readBody(c, RenameBodySchema);
      const path = attempt(() => checkPath(body.path));
      return c.json({ path: attempt(() => files.rename(path, body.name)) });
    })
    .post('/move', async (c) => {
      const body = await readBody(c, TransferBodySchema);
      const paths = attempt(() => body.paths.map((p) => checkPath(p)));
      const to = attempt(() => checkPath(body.to, { allowRoot: true }));
      return c.json({ paths: attempt(() => files.move(paths, to)) });
    })
    .post('/copy', async (c) => {
      const body = await readBody(c, TransferBodySchema);
      const paths = attempt(() => body.paths.map((p) => checkPath(p)));
      const to = attempt(() => checkPath(body.to, { allowRoot: true }));
      return c.json({ paths: attempt(() => files.copy(paths, to)) }, 201);
    })
    .post('/delete', async (c) => {
      const body = await readBody(c, DeleteBodySchema);
      const paths = attempt(() => body.paths.map((p) => checkPath(p)));
      return c.json({ trashed: attempt(() => files.trash(paths)) });
    })
    .get('/trash', (c) => c.json({ items: files.trashItems() }))
    .post('/restore', async (c) => {
      const { id } = await readBody(c, RestoreBodySchema);
      return c.json({ restored: attempt(() => files.restore(id)) });
    })
    .post('/trash/empty', (c) => c.json({ removed: files.emptyTrash() }));
}
