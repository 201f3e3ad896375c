import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from './ports';
import { join } from 'node:path';
// No vitest here: the benchmarks use these too.
const MODULES = join(import.meta.dirname, '..', '..', 'node_modules', '@modelcontextprotocol');
/** The reference MCP servers from npm, started by the tests and benchmarks. */
export const EVERYTHING = join(MODULES, 'server-everything', 'dist', 'index.js');
export const FILESYSTEM = join(MODULES, 'server-filesystem', 'dist', 'index.js');

/** The everything server over stdio, as `mcp.servers` configures it. */
export const everything = { command: process.execPath, args: [EVERYTHING, 'stdio'] };

/** The everything server over Streamable HTTP on a port of its own, once it listens; the caller ends the process. */
export async function startEverythingHttp(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      if (/listening|running|started/i.test(chunk.toString())) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}/mcp`, child };
}
