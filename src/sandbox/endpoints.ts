import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../workspace/atomic-write';
import type { WorkspacePaths } from '../workspace/paths';
import type { Endpoint } from './service';

const ServerFile = z.object({ pid: z.number(), host: z.string(), port: z.number() });

const file = (paths: WorkspacePaths) => join(paths.dataDir, 'server.json');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every address a server bound to `host:port` answers on (all interfaces for 0.0.0.0 or ::). */
export function endpointsOf(host: string, port: number): Endpoint[] {
  const unspecified = host === '0.0.0.0' || host === '::';
  const hosts = unspecified ? ['127.0.0.1', '::1', 'localhost', ...Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address))] : [host, ...(host.startsWith('127.') || host === 'localhost' ? ['localhost', '127.0.0.1'] : [])];
  return [...new Set(hosts)].map((h) => ({ host: h, port }));
}

/** Records where this workspace's dashboard listens, so sandboxed calls from other processes never reach it. */
export async function recordServer(paths: WorkspacePaths, host: string, port: number): Promise<void> {
  await writeFileAtomic(file(paths), JSON.stringify({ pid: process.pid, host, port }), { mode: 0o600 });
}

/** The dashboard of this workspace, if a live server recorded one. */
export function recordedServerEndpoints(paths: WorkspacePaths): Endpoint[] {
  try {
    const record = ServerFile.parse(JSON.parse(readFileSync(file(paths), 'utf8')));
    return alive(record.pid) ? endpointsOf(record.host, record.port) : [];
  } catch {
    return [];
  }
}
