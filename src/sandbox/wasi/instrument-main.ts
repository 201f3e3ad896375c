import { errorMessage } from '../../fs/errors';
import { instrumentFuel } from './fuel';

// The child process of instrument-process.ts: a module's bytes on stdin, the instrumented module on stdout, or the
// reason it cannot be instrumented on stderr with exit status 1. stdout carries only the module: whatever binaryen
// prints goes to stderr.
console.log = console.error;
try {
  const instrumented = await instrumentFuel(await readStdin());
  process.stdout.write(instrumented, () => process.exit(0));
} catch (error) {
  process.stderr.write(errorMessage(error), () => process.exit(1));
}

/** The module's bytes: stdin has no encoding set, so it yields Buffers (anything else is refused, not guessed at). */
async function readStdin(): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    if (!Buffer.isBuffer(chunk)) throw new Error('the module must come as bytes on stdin');
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
