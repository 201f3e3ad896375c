/**
 * Fuel is counted in steps, the same unit for both engines: a loop iteration or a function call (and in JavaScript a
 * regex backtracking step). A JavaScript step costs 5 to 150 ns of CPU here, a WebAssembly step 0.25 to 2 ns, so the
 * defaults stop a runaway loop of either kind in one to two seconds of CPU, at the same count on every run, long
 * before the time limit. Measured on a 2-core x86-64 machine (`boxagnts tool`, durations from the result):
 * `while(true){}` in jsexec runs out in 0.1 s, a shell `while true; do :; done` in 2.4 s, a WebAssembly `loop br` in
 * 0.5 s. (grep matches on the host, under a scan budget of its own: sandbox/file-scan.ts.)
 */
export const FUEL_DEFAULTS = { fuel: 15_000_000, wasmFuel: 2_000_000_000 } as const;
