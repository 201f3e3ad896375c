import { randomBytes } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

const inFlight = new Set<Promise<unknown>>();

/**
 * Replaces a whole file so that a reader or a crash sees either the old bytes or the new ones, never a mix:
 * write a temp file beside it, fsync, rename over the target, fsync the folder.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, options: { mode?: number } = {}): Promise<BigIntStats> {
  const write = doWrite(file, data, options.mode ?? 0o644);
  inFlight.add(write);
  void write.finally(() => inFlight.delete(write)).catch(() => undefined);
  return write;
}

/** Resolves once every whole-file write started so far has finished; used on shutdown. */
export async function settleWrites(): Promise<void> {
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
}

async function doWrite(file: string, data: string | Uint8Array, mode: number): Promise<BigIntStats> {
  const dir = dirname(file);
  const temp = join(dir, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  let written: BigIntStats;
  try {
    await handle.writeFile(data);
    await handle.sync();
    written = await handle.stat({ bigint: true });
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDir(dir);
  return written;
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
