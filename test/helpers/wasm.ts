import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WASM_FIXTURES = fileURLToPath(new URL('../fixtures/wasm', import.meta.url));

/** A module from WebAssembly text: a fixture file's name, or the text itself. */
export async function wat(source: string): Promise<Uint8Array<ArrayBuffer>> {
  const text = source.endsWith('.wat') ? readFileSync(join(WASM_FIXTURES, source), 'utf8') : source;
  const { default: binaryen } = await import('binaryen');
  const module = binaryen.parseText(text);
  try {
    // A copy: binaryen's bytes are typed as possibly shared memory, which WebAssembly.compile does not take.
    return new Uint8Array(module.emitBinary());
  } finally {
    module.dispose();
  }
}
