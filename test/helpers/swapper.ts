import { type ChildProcess, spawn, spawnSync } from 'node:child_process';

/**
 * Exchanges two names in a tight loop in another process, as an attacker beside the sandbox would: atomically with
 * renameat2(RENAME_EXCHANGE) through python's ctypes where that exists, else with a loop of plain renames (which also
 * leaves moments where neither name exists).
 */
const EXCHANGE = `
import ctypes, signal, sys
libc = ctypes.CDLL(None, use_errno=True)
a, b = sys.argv[1].encode(), sys.argv[2].encode()
count = 0
def done(*_):
    print(count, flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, done)
while True:
    if libc.renameat2(-100, a, -100, b, 2) == 0:
        count += 1
`;

const RENAMES = `
const { renameSync } = require('node:fs');
const [a, b] = process.argv.slice(1);
let count = 0;
process.on('SIGTERM', () => { console.log(count); process.exit(0); });
const tick = () => {
  for (let i = 0; i < 200; i++) {
    try { renameSync(a, a + '.swap'); renameSync(b, a); renameSync(a + '.swap', b); count++; } catch {}
  }
  setImmediate(tick);
};
tick();
`;

function hasExchange(): boolean {
  return spawnSync('python3', ['-c', 'import ctypes; ctypes.CDLL(None).renameat2'], { stdio: 'ignore' }).status === 0;
}

export interface Swapper {
  /** Stops the loop; resolves with how many swaps it made. */
  stop(): Promise<number>;
}

export function startSwapper(a: string, b: string): Swapper {
  const child: ChildProcess = hasExchange()
    ? spawn('python3', ['-c', EXCHANGE, a, b], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(process.execPath, ['-e', RENAMES, a, b], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
      return Number(output.trim()) || 0;
    },
  };
}
