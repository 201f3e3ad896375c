import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { endpointsOf } from '../sandbox/endpoints';
import type { Endpoint } from '../sandbox/service';
import { writeFileAtomic } from './atomic-write';
import type { WorkspacePaths } from './paths';
import { processExists } from './process-alive';

const ServerFile = z.object({ pid: z.number(), host: z.string(), port: z.number() });

const file = (paths: WorkspacePaths) => join(paths.dataDir, 'server.json');

/** Records where this workspace's dashboard listens, so sandboxed calls from other processes never reach it. */
export async function recordServer(paths: WorkspacePaths, host: string, port: number): Promise<void> {
  await writeFileAtomic(file(paths), JSON.stringify({ pid: process.pid, host, port }), { mode: 0o600 });
}

/** The dashboard of this workspace, if a live server recorded one. */
export function recordedServerEndpoints(paths: WorkspacePaths): Endpoint[] {
  try {
    const record = ServerFile.parse(JSON.parse(readFileSync(file(paths), 'utf8')));
    return processExists(record.pid) ? endpointsOf(record.host, record.port) : [];
  } catch {
    return [];
  }
}
