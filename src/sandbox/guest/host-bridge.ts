import { type GuestDirent, type GuestFs, GuestFsError, type GuestReadResult, type GuestStat } from './guest-fs';

/** The single function the engine puts in the guest's global scope: the only door out of the sandbox. */
declare const __host: (op: string, argsJson: string) => string;

type Reply<T> = { value: T; error?: undefined } | { error: { code: string; message: string }; value?: undefined };

export function hostCall<T>(op: string, args: Record<string, unknown>): T {
  const reply = JSON.parse(__host(op, JSON.stringify(args))) as Reply<T>;
  if (reply.error) throw new GuestFsError(reply.error.code, reply.error.message);
  return reply.value as T;
}

/** GuestFs over `__host`: every call is checked by the confiner on the other side. */
export const bridgeFs: GuestFs = {
  stat: (path) => hostCall<GuestStat>('stat', { path }),
  readdir: (path) => hostCall<GuestDirent[]>('readdir', { path }),
  readFile: (path, options) =>
    hostCall<GuestReadResult>('readFile', { path, as: options.as, maxBytes: options.maxBytes }),
  writeFile: (path, content) => hostCall<{ created: boolean }>('writeFile', { path, content }),
};
