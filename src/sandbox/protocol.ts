import { z } from 'zod';
import type { Mount } from '../fs/confiner';
import type { LimitName, SandboxPolicy } from './limits';

// The pool and its worker threads talk in these messages. Each side parses what it receives (one parse per message:
// the big parts, a job's input and a call's output, are `unknown` and not walked).

const LimitNameSchema = z.enum([
  'timeout',
  'memory',
  'stack',
  'fuel',
  'network',
  'fs',
  'disk',
  'regex',
]) satisfies z.ZodType<LimitName>;

const MountSchema = z.object({ host: z.string(), guest: z.string(), readOnly: z.boolean() }) satisfies z.ZodType<Mount>;

const SandboxPolicySchema = z.object({
  timeoutMs: z.number(),
  maxMemoryBytes: z.number(),
  maxStackBytes: z.number(),
  fuel: z.number().nullable(),
  allowedOutboundHosts: z.array(z.string()),
  blockNetworks: z.array(z.string()),
  workDir: z.string(),
  workDirReadOnly: z.boolean(),
  mounts: z.array(MountSchema),
  hidden: z.array(z.string()),
  writableProtected: z.array(z.string()),
  maxWriteBytes: z.number().nullable(),
  files: z.boolean(),
  network: z.boolean(),
  hostExec: z.boolean(),
}) satisfies z.ZodType<SandboxPolicy>;

/**
 * What a worker is asked to run. Tools are ours (bundled guest code); jsexec runs the model's own code; `wasi` runs
 * an extension tool's module, prepared once by `Sandbox.prepareModule` (checked, and instrumented for fuel into the
 * cache).
 */
const SandboxJobSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('tool'), name: z.string(), input: z.unknown() }),
  z.object({ kind: z.literal('preview'), name: z.string(), input: z.unknown() }),
  z.object({ kind: z.literal('jsexec'), code: z.string() }),
  z.object({
    kind: z.literal('wasi'),
    name: z.string(),
    source: z.string(),
    hash: z.string(),
    args: z.array(z.string()),
    stdin: z.string(),
  }),
]);
export type SandboxJob = z.infer<typeof SandboxJobSchema>;

/**
 * The most a QuickJS call's result may take as JSON text when it leaves the guest: above the largest image the read
 * tool returns (5 MB, as base64), far below what would strain a worker. Longer results are cut inside the guest,
 * keeping the start and end of their strings (guest/bounded-json.ts); the tool pipeline cuts further for the model.
 */
export const MAX_RESULT_CHARS = 8 * 1024 * 1024;

/** The outcome of one call, whatever engine ran it. */
const SandboxResultSchema = z.object({
  /** The guest's result (a tool result for tools, the `main` value for jsexec). */
  output: z.unknown(),
  /** Console output (jsexec) or guest diagnostics. */
  stderr: z.string(),
  exitCode: z.number(),
  fuelUsed: z.number(),
  durationMs: z.number(),
  limitHit: LimitNameSchema.optional(),
  /** Details of what tripped, e.g. the network refusal's reason. */
  limitDetail: z.string().optional(),
});
export type SandboxResult = z.infer<typeof SandboxResultSchema>;

export const FetchRequestSchema = z.object({
  url: z.string(),
  method: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  maxBytes: z.number(),
  timeoutMs: z.number(),
});
export type FetchRequest = z.infer<typeof FetchRequestSchema>;

/** The host's answer to a guest fetch: the response, or the policy's refusal. */
export const FetchReplySchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    status: z.number(),
    statusText: z.string(),
    headers: z.record(z.string(), z.string()),
    finalUrl: z.string(),
    body: z.string(),
    bodyEncoding: z.enum(['utf8', 'base64']),
    truncated: z.boolean(),
  }),
  z.object({ ok: z.literal(false), reason: z.string(), rule: z.string() }),
]);
export type FetchReply = z.infer<typeof FetchReplySchema>;

/** A program of this machine that the shell runs in the host tier (sandbox/host/): argv, folder, variables, input. */
export const ExecRequestSchema = z.object({
  program: z.string(),
  args: z.array(z.string()),
  /** The guest path it starts in. */
  cwd: z.string(),
  env: z.record(z.string(), z.string()),
  /** base64 */
  stdin: z.string(),
});
export type ExecRequest = z.infer<typeof ExecRequestSchema>;

/** What it did: output as base64 (bytes, as pipes carry them), its exit code, and the limit that stopped it. */
export const ExecReplySchema = z.object({
  stdout: z.string(),
  stderr: z.string(),
  exitCode: z.number(),
  limitHit: z.string().optional(),
  limitDetail: z.string().optional(),
});
export type ExecReply = z.infer<typeof ExecReplySchema>;

/**
 * `warm`: load QuickJS and our tools, and with `shell` what a shell call needs too, while the worker is idle (a `run`
 * that arrives meanwhile goes first).
 */
export const ToWorkerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run'), id: z.number(), job: SandboxJobSchema, policy: SandboxPolicySchema }),
  z.object({ type: z.literal('warm'), shell: z.boolean() }),
]);
export type ToWorker = z.infer<typeof ToWorkerSchema>;

export const FromWorkerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /**
   * The warm-up is done; `problem` says why it failed (a bug of ours: the worker is retired, not warmed again).
   * `memoryBytes`, here and in a result: what the worker holds (its V8 heap and QuickJS's memory).
   */
  z.object({
    type: z.literal('warmed'),
    shell: z.boolean(),
    memoryBytes: z.number(),
    problem: z.string().optional(),
  }),
  /** `fault`: why the engine itself failed (its module aborted); the worker is recycled and the pool logs it. */
  z.object({
    type: z.literal('result'),
    id: z.number(),
    result: SandboxResultSchema,
    recycle: z.boolean(),
    memoryBytes: z.number(),
    fault: z.string().optional(),
  }),
  z.object({ type: z.literal('fetch'), id: z.number(), request: FetchRequestSchema }),
  z.object({ type: z.literal('exec'), id: z.number(), request: ExecRequestSchema }),
]);
export type FromWorker = z.infer<typeof FromWorkerSchema>;

/**
 * The synchronous bridge (fetch, exec): the reply is posted on the worker's bridge port, then the state word in
 * shared memory wakes the worker, which takes the reply off the port. A reply is at most this long (JSON).
 */
export const BRIDGE_MAX_BYTES = 24 * 1024 * 1024;
export const BRIDGE_STATE = 0;
export const BRIDGE_WAITING = 0;
export const BRIDGE_READY = 1;
