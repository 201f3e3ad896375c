// Types only: erased from the bundle, which carries no zod.
import type { ExecReply, FetchReply } from '../protocol';
import {
  type GuestDirent,
  type GuestFs,
  GuestFsError,
  type GuestMatch,
  type GuestReadResult,
  type GuestStat,
  type WalkedTree,
} from './guest-fs';

/** The single function the engine puts in the guest's global scope: the only door out of the sandbox. */
declare const __host: (op: string, argsJson: string) => string;

/** What each operation gives back (engines/quickjs.ts hostCall); the others give null. */
interface HostReplies {
  matchFile: GuestMatch;
  walk: WalkedTree;
  sleep: number;
  fetch: FetchReply;
  exec: ExecReply;
  stat: GuestStat;
  readdir: GuestDirent[];
  readFile: GuestReadResult;
  writeFile: { created: boolean };
  mkdir: null;
  rm: null;
  rename: null;
  copy: null;
  chmod: null;
  utimes: null;
}

// The guest bundle carries no zod (it is loaded into every QuickJS context): replies are checked by hand, once each.

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStat(value: unknown): value is GuestStat {
  return (
    isRecord(value) &&
    (value.type === 'file' || value.type === 'dir') &&
    typeof value.size === 'number' &&
    typeof value.mtimeMs === 'number'
  );
}

function isFetchReply(value: unknown): value is FetchReply {
  if (!isRecord(value)) return false;
  if (value.ok === false) return typeof value.reason === 'string' && typeof value.rule === 'string';
  return (
    value.ok === true &&
    typeof value.status === 'number' &&
    typeof value.statusText === 'string' &&
    isRecord(value.headers) &&
    Object.values(value.headers).every((v) => typeof v === 'string') &&
    typeof value.finalUrl === 'string' &&
    typeof value.body === 'string' &&
    (value.bodyEncoding === 'utf8' || value.bodyEncoding === 'base64') &&
    typeof value.truncated === 'boolean'
  );
}

const isNull = (value: unknown): value is null => value === null;

function isExecReply(value: unknown): value is ExecReply {
  return (
    isRecord(value) &&
    typeof value.stdout === 'string' &&
    typeof value.stderr === 'string' &&
    typeof value.exitCode === 'number' &&
    (value.limitHit === undefined || typeof value.limitHit === 'string') &&
    (value.limitDetail === undefined || typeof value.limitDetail === 'string')
  );
}

function isWalkedTree(value: unknown): value is WalkedTree {
  return (
    isRecord(value) &&
    typeof value.truncated === 'boolean' &&
    Array.isArray(value.files) &&
    value.files.every(
      (file) =>
        isRecord(file) &&
        typeof file.path === 'string' &&
        typeof file.size === 'number' &&
        typeof file.mtimeMs === 'number',
    )
  );
}

function isMatch(value: unknown): value is GuestMatch {
  if (!isRecord(value)) return false;
  if ('skipped' in value) return value.skipped === 'binary' || value.skipped === 'too large';
  return Array.isArray(value.lines) && value.lines.every((line) => typeof line === 'number');
}

const CHECKS: { [Op in keyof HostReplies]: (value: unknown) => value is HostReplies[Op] } = {
  matchFile: isMatch,
  walk: isWalkedTree,
  sleep: (value) => typeof value === 'number',
  fetch: isFetchReply,
  exec: isExecReply,
  stat: isStat,
  readdir: (value): value is GuestDirent[] =>
    Array.isArray(value) && value.every((entry) => isRecord(entry) && typeof entry.name === 'string' && isStat(entry)),
  readFile: (value): value is GuestReadResult =>
    isRecord(value) &&
    typeof value.data === 'string' &&
    typeof value.size === 'number' &&
    typeof value.binary === 'boolean' &&
    typeof value.truncated === 'boolean',
  writeFile: (value): value is { created: boolean } => isRecord(value) && typeof value.created === 'boolean',
  mkdir: isNull,
  rm: isNull,
  rename: isNull,
  copy: isNull,
  chmod: isNull,
  utimes: isNull,
};

/** Calls the host; its refusals are thrown as GuestFsError, and so is a reply of the wrong shape (EIO). */
export function hostCall<Op extends keyof HostReplies>(op: Op, args: Record<string, unknown>): HostReplies[Op] {
  const reply: unknown = JSON.parse(__host(op, JSON.stringify(args)));
  if (isRecord(reply) && isRecord(reply.error)) {
    const { code, message } = reply.error;
    throw new GuestFsError(typeof code === 'string' ? code : 'EIO', typeof message === 'string' ? message : op);
  }
  const value = isRecord(reply) ? reply.value : undefined;
  const check = CHECKS[op];
  if (!check(value)) throw new GuestFsError('EIO', `the host's reply to ${op} is not of the expected shape`);
  return value;
}

/** GuestFs over `__host`: every call is checked by the confiner on the other side. */
export const bridgeFs: GuestFs = {
  walk: (path) => hostCall('walk', { path }),
  match: (path, pattern, flags) => hostCall('matchFile', { path, pattern, flags }),
  stat: (path) => hostCall('stat', { path }),
  readdir: (path) => hostCall('readdir', { path }),
  readFile: (path, options) => hostCall('readFile', { path, as: options.as, maxBytes: options.maxBytes }),
  writeFile: (path, content) => hostCall('writeFile', { path, content }),
};
