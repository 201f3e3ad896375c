import type { LimitName, SandboxPolicy } from './limits';

/**
 * What a worker is asked to run. Tools are ours (bundled guest code); jsexec runs the model's own code; `wasi` runs
 * an extension tool's module, prepared once by `Sandbox.prepareModule` (checked, and instrumented for fuel into the
 * cache).
 */
export type SandboxJob =
  | { kind: 'tool'; name: string; input: unknown }
  | { kind: 'preview'; name: string; input: unknown }
  | { kind: 'jsexec'; code: string }
  | { kind: 'wasi'; name: string; source: string; hash: string; args: string[]; stdin: string };

/** The outcome of one call, whatever engine ran it. */
export interface SandboxResult {
  /** The guest's result (a tool result for tools, the `main` value for jsexec). */
  output: unknown;
  /** Console output (jsexec) or guest diagnostics. */
  stderr: string;
  exitCode: number;
  fuelUsed: number;
  durationMs: number;
  limitHit?: LimitName | undefined;
  /** Details of what tripped, e.g. the network refusal's reason. */
  limitDetail?: string | undefined;
}

export type ToWorker = { type: 'run'; id: number; job: SandboxJob; policy: SandboxPolicy };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: SandboxResult; recycle: boolean }
  | { type: 'fetch'; id: number; request: FetchRequest };

export interface FetchRequest {
  url: string;
  method?: string | undefined;
  headers?: Record<string, string> | undefined;
  body?: string | undefined;
  maxBytes: number;
  timeoutMs: number;
}

/** The host's answer to a guest fetch: the response, or the policy's refusal. */
export type FetchReply =
  | { ok: true; status: number; statusText: string; headers: Record<string, string>; finalUrl: string; body: string; bodyEncoding: 'utf8' | 'base64'; truncated: boolean }
  | { ok: false; reason: string; rule: string };

/** Shared memory for the synchronous fetch bridge: a state word, a length word, and the reply bytes. */
export const BRIDGE_BYTES = 24 * 1024 * 1024;
export const BRIDGE_STATE = 0;
export const BRIDGE_LENGTH = 1;
export const BRIDGE_WAITING = 0;
export const BRIDGE_READY = 1;
