import {
  type EmscriptenModuleLoaderOptions,
  type QuickJSWASMModule,
  RELEASE_SYNC,
  newQuickJSWASMModule,
  newVariant,
} from 'quickjs-emscripten';

/** A QuickJS WebAssembly module that remembers whether it has aborted. */
export interface GuardedModule {
  module: QuickJSWASMModule;
  /** Why the module aborted (e.g. a failed assertion in QuickJS), or null while it is sound. */
  fault(): string | null;
}

/** The hooks Emscripten calls on its module; the package's typings name only the loading ones. */
interface EmscriptenHooks extends EmscriptenModuleLoaderOptions {
  onAbort(what: unknown): void;
  printErr(text: string): void;
}

/**
 * Loads a QuickJS module whose aborts are caught instead of printed. An Emscripten abort (QuickJS asserting, for
 * instance, that a runtime is freed with objects still alive) is fatal to the module: every later call on it fails
 * or misbehaves, so its owner must throw it away. By default Emscripten also writes the abort to the process's
 * stderr; here it is kept for the owner to report, and nothing is printed.
 */
export async function newGuardedModule(): Promise<GuardedModule> {
  let fault: string | null = null;
  const hooks: EmscriptenHooks = {
    onAbort: (what) => {
      fault ??= `QuickJS aborted: ${String(what)}`;
    },
    // The release build prints only when something went wrong inside it; such a module is not trusted either.
    printErr: (text) => {
      fault ??= `QuickJS: ${text}`;
    },
  };
  const module = await newQuickJSWASMModule(newVariant(RELEASE_SYNC, { emscriptenModule: hooks }));
  return { module, fault: () => fault };
}
