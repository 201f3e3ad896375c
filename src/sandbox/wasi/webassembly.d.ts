// The parts of the WebAssembly JavaScript API the WASI engine uses, as Node provides them. TypeScript declares this
// API only in its DOM library, which the project does not load (the server is no browser); esbuild's typings declare
// an empty `Module`, which these declarations extend.
declare namespace WebAssembly {
  type Bytes = ArrayBufferView | ArrayBuffer;
  type ExternalKind = 'function' | 'global' | 'memory' | 'table' | 'tag';

  interface Module {}
  var Module: {
    prototype: Module;
    new (bytes: Bytes): Module;
    imports(module: Module): { module: string; name: string; kind: ExternalKind }[];
    exports(module: Module): { name: string; kind: ExternalKind }[];
  };

  interface Memory {
    readonly buffer: ArrayBuffer;
    /** Adds pages; throws a RangeError past the maximum. */
    grow(pages: number): number;
  }

  interface Global {
    /** A number, or a BigInt for an i64. */
    value: unknown;
  }

  interface Instance {
    readonly exports: Record<string, Function | Global | Memory | object>;
  }
  var Instance: {
    prototype: Instance;
    new (module: Module, imports?: Record<string, Record<string, unknown>>): Instance;
  };

  interface RuntimeError extends Error {}
  var RuntimeError: {
    prototype: RuntimeError;
    new (message?: string): RuntimeError;
  };

  function compile(bytes: Bytes): Promise<Module>;
  function validate(bytes: Bytes): boolean;
}
