import { WASI } from '@bjorn3/browser_wasi_shim';

/** The exported global through which the host gives and reads back the fuel budget (an i64). */
export const FUEL_EXPORT = '__fuel';

let provided: ReadonlySet<string> | null = null;

/** The WASI preview 1 functions the host implements (the shim's, read once). */
function providedImports(): ReadonlySet<string> {
  // `debug: false`: left out, the shim turns its (process-wide) logging of guest paths on.
  provided ??= new Set(Object.keys(new WASI([], [], [], { debug: false }).wasiImport));
  return provided;
}

/**
 * Throws unless the module is a WASI command this host can run: it exports `_start` and its memory, it is fuel
 * instrumented, and it imports nothing but WASI preview 1 functions. Checked when a module is prepared, so a broken
 * tool fails when it is loaded rather than at its first call, and again before a run.
 */
export function assertWasiCommand(module: WebAssembly.Module): void {
  const exports = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  if (exports.get('_start') !== 'function')
    throw new Error('not a WASI command: the module does not export a _start function');
  if (exports.get('memory') !== 'memory') throw new Error('not a WASI command: the module does not export its memory');
  if (exports.get(FUEL_EXPORT) !== 'global')
    throw new Error(`the module is not fuel instrumented (no ${FUEL_EXPORT} export): prepare it with prepareModule`);
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module !== 'wasi_snapshot_preview1' || imp.kind !== 'function' || !providedImports().has(imp.name)) {
      throw new Error(
        `the module imports ${imp.module}.${imp.name} (${imp.kind}), which the WASI host does not provide`,
      );
    }
  }
}
