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

/**
 * The most a QuickJS call's result may take as JSON text when it leaves the guest: above the largest image the read
 * tool returns (5 MB, as base64), far below what would strain a worker. Longer results are cut inside the guest,
 * keeping the start and end of their strings (guest/bounded-json.ts); the tool pipeline cuts further for the model.
 */
export const MAX_RESULT_CHARS = 8 * 1024 * 1024;

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
  /** `fault`: why the engine itself failed (its module aborted); the worker is recycled and the pool logs it. */
  | { type: 'result'; id: number; result: SandboxResult; recycle: boolean; fault?: string }
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
  | {
      ok: true;
      status: number;
      statusText: string;
      headers: Record<string, string>;
      finalUrl: string;
      body: string;
      bodyEncoding: 'utf8' | 'base64';
      truncated: boolean;
    }
  | { ok: false; reason: string; rule: string };

/** Shared memory for the synchronous fetch bridge: a state word, a length word, and the reply bytes. */
export const BRIDGE_BYTES = 24 * 1024 * 1024;
export const BRIDGE_STATE = 0;
export const BRIDGE_LENGTH = 1;
export const BRIDGE_WAITING = 0;
export const BRIDGE_READY = 1;
