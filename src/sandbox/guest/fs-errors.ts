import { type GuestFs, GuestFsError } from './guest-fs';
import { fail } from './result';

/** The codes the host reports (see GuestFsError). */
const CODES = ['ENOENT', 'ENOTDIR', 'EISDIR', 'EACCES', 'EROFS', 'EFBIG', 'EEXIST', 'EINVAL'] as const;
type Code = (typeof CODES)[number];
const KNOWN_CODES: ReadonlySet<string> = new Set(CODES);

/**
 * The GuestFsError in `error`, if it is one. An error crossing the QuickJS bridge may arrive as a plain object or
 * Error that lost its class, so one with a known `code` and a `message` counts too.
 */
export function asGuestFsError(error: unknown): GuestFsError | undefined {
  if (error instanceof GuestFsError) return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === 'string' && KNOWN_CODES.has(code) && typeof message === 'string'
    ? new GuestFsError(code, message)
    : undefined;
}

/** The model-facing message for a file-system error about `path` (a guest path: the only path it names). */
export function describeFsError(error: GuestFsError, path: string): string {
  switch (error.code as Code) {
    case 'ENOENT':
      return `File not found: ${path}`;
    case 'ENOTDIR':
      return `Not found: ${path} (a folder on its way is a file)`;
    case 'EISDIR':
      return `${path} is a folder, not a file.`;
    case 'EACCES':
      return `Permission denied: ${path} is outside the sandbox or hidden.`;
    case 'EROFS':
      return `${path} is read-only.`;
    case 'EFBIG':
      return `${path} is too large: ${error.message}`;
    case 'EEXIST':
      return `${path} already exists.`;
    case 'EINVAL':
      return `Invalid path ${path}: ${error.message}`;
    default:
      return `Could not access ${path}: ${error.message}`;
  }
}

/**
 * What to add to "not found" when the path's first folder is not in the workspace either: the model most likely sent
 * a path of the host machine (`/etc/passwd`, another project's `/home/…`), and needs to hear that the workspace is
 * `/` here. '' when the first folder exists: then it is an ordinary missing file.
 */
export function outsideWorkspaceHint(fs: GuestFs, path: string): string {
  const second = path.indexOf('/', 1);
  if (second === -1) return '';
  const top = path.slice(0, second);
  if (tryFsCall(() => fs.stat(top)) !== undefined) return '';
  return ` Inside the tools the workspace is /, and it has no ${top} folder: ${path} is not a file of the workspace. Use workspace paths, such as /src/a.ts for the workspace's src/a.ts.`;
}

/**
 * Makes one file-system call about `path`; a GuestFsError becomes a ToolFailure with a clear message, taken from
 * `messages` when the caller has a better one for that code.
 */
export function fsCall<T>(path: string, call: () => T, messages: Partial<Record<Code, string>> = {}): T {
  try {
    return call();
  } catch (thrown) {
    const error = asGuestFsError(thrown);
    if (!error) throw thrown;
    fail(messages[error.code as Code] ?? describeFsError(error, path));
  }
}

/** Makes a call whose file-system failure is not worth reporting (a folder deep in a search); undefined then. */
export function tryFsCall<T>(call: () => T): T | undefined {
  try {
    return call();
  } catch (thrown) {
    if (asGuestFsError(thrown)) return undefined;
    throw thrown;
  }
}
