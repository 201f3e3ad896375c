// The packages scripts/build.mjs leaves out of the server bundle: they find files of their own next to their code
// (QuickJS's WebAssembly, binaryen's, pino's transport worker), or have optional native add-ons (just-bash). dist/
// imports them from node_modules at run time; scripts/build-binary.mjs packs them into the single executable.
export const SERVER_EXTERNALS = ['quickjs-emscripten', '@jitl/*', 'binaryen', 'pino', 'just-bash'];
