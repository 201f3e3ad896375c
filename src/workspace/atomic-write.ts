import { randomBytes } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { processExists } from './process-alive';

const inFlight = new Set<Promise<unknown>>();

/**
 * A temp file of `writeFileAtomic`: `.<name>.<pid>.<random>.tmp`, hidden beside its target and naming the process
 * that writes it, so a later start can tell one a crash left behind from one another process is writing now. Names
 * from before the pid was added (`.<name>.<random>.tmp`) have no pid.
 */
const TEMP_NAME = /^\..+?\.(?:(\d+)\.)?[0-9a-f]{12}\.tmp$/;

/**
 * Replaces a whole file so that a reader or a crash sees either the old bytes or the new ones, never a mix:
 * write a temp file beside it, fsync, rename over the target, fsync the folder.
 */
export function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: { mode?: number } = {},
): Promise<BigIntStats> {
  const write = doWrite(file, data, options.mode ?? 0o644);
  inFlight.add(write);
  // The caller gets `write` and its error; this chain only keeps count of the writes in flight.
  void write.finally(() => inFlight.delete(write)).catch(() => undefined);
  return write;
}

/** Resolves once every whole-file write started so far has finished; used on shutdown. */
export async function settleWrites(): Promise<void> {
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
}

/**
 * Removes the temp files in `dir` (not below it) of writes that can no longer finish: those of processes that are
 * gone, and those named without a pid.
 */
export async function removeStaleTemps(dir: string): Promise<void> {
  const stale = (await readdir(dir)).filter((name) => {
    const match = TEMP_NAME.exec(name);
    return match !== null && (match[1] === undefined || !processExists(Number(match[1])));
  });
  await Promise.all(stale.map((name) => rm(join(dir, name), { force: true })));
}

async function doWrite(file: string, data: string | Uint8Array, mode: number): Promise<BigIntStats> {
  const dir = dirname(file);
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
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
