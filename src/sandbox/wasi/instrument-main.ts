import { instrumentFuel } from './fuel';

// The child process of instrument-process.ts: a module's bytes on stdin, the instrumented module on stdout, or the
// reason it cannot be instrumented on stderr with exit status 1. stdout carries only the module: whatever binaryen
// prints goes to stderr.
console.log = console.error;
const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
try {
  const instrumented = await instrumentFuel(new Uint8Array(Buffer.concat(chunks)));
  process.stdout.write(instrumented, () => process.exit(0));
} catch (error) {
  process.stderr.write((error as Error).message, () => process.exit(1));
}
