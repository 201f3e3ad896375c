import { spawn } from 'node:child_process';

/**
 * Runs `instrumentFuel` (see instrument-main.ts) in a child process of its own. binaryen grows a heap of 100 MB and
 * more while it works, and what a thread frees stays with the process (the allocator keeps it): in a child it all
 * goes back when the child exits. The child gets no environment, so no key of the server's can reach it.
 */
export function instrumentInChild(
  bytes: Uint8Array,
  options: { script: string; timeoutMs: number; signal?: AbortSignal },
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.script], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {},
      timeout: options.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    // An abort is reported here (as an AbortError), and the child killed.
    child.on('error', reject);
    // A child that dies before reading all of the module closes its stdin; 'close' below says why it died.
    child.stdin.on('error', () => undefined);
    child.on('close', (code, signal) => {
      if (options.signal?.aborted) return;
      if (code === 0) resolve(new Uint8Array(Buffer.concat(out)));
      else if (signal) reject(new Error(`instrumenting the module took longer than ${options.timeoutMs} ms`));
      else reject(new Error(err.trim() || `instrumenting the module failed (exit status ${code})`));
    });
    child.stdin.end(bytes);
  });
}
