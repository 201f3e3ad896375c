import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Mount } from '../fs/confiner';
import { type PolicyNarrowing, type SandboxPolicy, type SandboxScope, narrowPolicy } from './limits';
import type { HostAuthority } from './host/command';
import { HostTier } from './host/host-tier';
import { FORWARDER_FILE } from './host/net-forwarder';
import { SandboxPool } from './pool';
import type { FetchReply, FetchRequest, SandboxJob, SandboxResult } from './protocol';
import { type SandboxSettings, TOOL_OUTPUT_GUEST_DIR } from './settings';
import { prepareModule } from './wasi/fuel';
import { instrumentInChild } from './wasi/instrument-process';

/** What each tool may reach unless the workspace settings say otherwise (`sandbox.tools.NAME`). */
const TOOL_DEFAULTS: Record<string, PolicyNarrowing> = {
  read: { network: false },
  write: { network: false },
  edit: { network: false },
  glob: { network: false },
  grep: { network: false },
  web_fetch: { files: false },
  jsexec: { files: false, network: false },
};

export interface Endpoint {
  host: string;
  port: number;
}

export interface SandboxOptions {
  /** The workspace folder: every call's `/`. */
  root: string;
  /** The runtime's own folder inside it (`.boxagnts/`), which must look absent to every call. */
  dataDir: string;
  /** The whole output of calls whose result was cut, mounted read-only at TOOL_OUTPUT_GUEST_DIR when it exists. */
  toolOutputDir: string;
  /** Where WebAssembly modules instrumented for fuel are cached (per user: see userWasmCacheDir). */
  cacheDir: string;
  /**
   * On close, whether modules still being instrumented are finished and cached rather than dropped: a short-lived
   * command would otherwise exit before the cache is written, and pay for instrumenting again next time.
   */
  finishPreparingOnClose?: boolean | undefined;
  settings: () => SandboxSettings;
  /** Addresses no guest may ever reach: the dashboard itself, wherever it listens. */
  blockedEndpoints: () => Endpoint[];
  logger: Logger;
  /** The built worker and guest bundles. */
  distDir: string;
  poolSize?: number;
  /** The pool has ended its idle workers and runs nothing: what they held can be collected. */
  onIdle?: () => void;
}

/** Workers in the pool unless the options say otherwise: as many parallel calls as a turn usually makes. */
export const SANDBOX_POOL_SIZE = 4;

/** Texts of a fetched body: UTF-8 for text types, base64 otherwise (the guest describes what it cannot show). */
function isTextual(contentType: string | undefined): boolean {
  return !contentType || /^text\/|json|xml|javascript|ecmascript|x-www-form-urlencoded|html/i.test(contentType);
}

/**
 * The sandbox as the tools see it: builds each call's policy from the workspace settings (defaults, narrowed per
 * tool) and runs it in the worker pool, answering the guest's fetches under the net policy.
 */
export class Sandbox {
  /** Programs of this machine, each command in an OS sandbox (sandbox/host/). */
  readonly host: HostTier;
  private readonly pool: SandboxPool;
  private readonly instrumentScript: string;
  /** The product's own tools, instrumented by the build (scripts/build.mjs): found there, never instrumented. */
  private readonly prebuiltDir: string;
  /** Aborted on close (unless finishPreparingOnClose): a module still being instrumented is not waited for. */
  private readonly closing = new AbortController();
  /** Preparations under way: close waits for them, so no cache write is cut off by the process exiting. */
  private readonly preparing = new Set<Promise<unknown>>();

  constructor(private readonly options: SandboxOptions) {
    this.instrumentScript = join(options.distDir, 'wasm-instrument.js');
    this.prebuiltDir = join(options.distDir, 'extensions', '.instrumented');
    this.host = new HostTier({
      settings: () => options.settings().host,
      root: options.root,
      home: join(options.dataDir, 'home'),
      forwarderScript: join(options.distDir, FORWARDER_FILE),
      blockedEndpoints: options.blockedEndpoints,
    });
    this.pool = new SandboxPool({
      workerFile: join(options.distDir, 'sandbox-worker.js'),
      toolsBundle: join(options.distDir, 'sandbox-guest.js'),
      resultBundle: join(options.distDir, 'sandbox-guest-result.js'),
      lazyBundles: {
        html: join(options.distDir, 'sandbox-guest-html.js'),
        bash: join(options.distDir, 'sandbox-guest-bash.js'),
      },
      wasmCacheDir: options.cacheDir,
      wasmPrebuiltDir: this.prebuiltDir,
      wasmInstrumentScript: this.instrumentScript,
      size: options.poolSize ?? SANDBOX_POOL_SIZE,
      stackSizeMb: 8,
      memoryBudgetBytes: () => options.settings().maxPoolMemoryMb * 1024 * 1024,
      killGraceMs: 500,
      idleMs: () => options.settings().workerIdleMs,
      ...(options.onIdle ? { onIdle: options.onIdle } : {}),
      logger: options.logger,
      fetch: (request, policy, signal) => this.fetch(request, policy, signal),
      exec: (request, call, signal) => this.host.exec(request, call, signal),
    });
  }

  /**
   * The policy one call of `tool` runs under, in a run's scope (the workspace when none is given). Fuel is counted
   * differently by each engine (interpreter ticks in QuickJS, function entries and loop iterations in WebAssembly), so
   * each has its own budget.
   */
  policyFor(
    tool: string,
    engine: 'quickjs' | 'wasi' = 'quickjs',
    scope?: SandboxScope,
    host?: HostAuthority,
  ): SandboxPolicy {
    const s = this.options.settings();
    const { root, dataDir, toolOutputDir } = this.options;
    // The whole output of calls whose result was cut, to be read in pages.
    const outputs: Mount[] = existsSync(toolOutputDir)
      ? [{ host: toolOutputDir, guest: TOOL_OUTPUT_GUEST_DIR, readOnly: true }]
      : [];
    const base: SandboxPolicy = {
      // A call that runs programs of this machine waits for them (a test suite, a build): the host tier's time.
      timeoutMs: host ? s.host.timeoutMs : s.timeoutMs,
      maxMemoryBytes: s.maxMemoryBytes,
      maxStackBytes: s.maxStackBytes,
      fuel: engine === 'wasi' ? s.wasmFuel : s.fuel,
      allowedOutboundHosts: s.allowedOutboundHosts,
      blockNetworks: s.blockNetworks,
      workDir: scope?.workDir ?? root,
      workDirReadOnly: scope?.readOnly === true,
      mounts: [...outputs, ...s.mounts.filter((m) => existsSync(m.host)), ...(scope?.mounts ?? [])],
      hidden: [dataDir],
      writableProtected: s.writableProtected,
      maxWriteBytes: s.maxWriteBytes,
      files: true,
      network: true,
      hostExec: host !== undefined,
    };
    return narrowPolicy(narrowPolicy(base, { ...TOOL_DEFAULTS[tool], ...s.tools[tool] }), scope?.narrow);
  }

  /** Runs a job under the tool's policy in the call's scope, optionally narrowed further for this call (a shorter timeout). */
  async run(
    tool: string,
    job: SandboxJob,
    call: {
      signal?: AbortSignal | undefined;
      scope?: SandboxScope | undefined;
      narrowing?: PolicyNarrowing | undefined;
      /** Lets the call run programs of this machine in the host tier, each as this decides. */
      host?: HostAuthority | undefined;
    } = {},
  ): Promise<{ result: SandboxResult; policy: SandboxPolicy }> {
    const { signal, scope, narrowing, host } = call;
    const engine = job.kind === 'wasi' ? 'wasi' : 'quickjs';
    const policy = narrowPolicy(this.policyFor(tool, engine, scope, host), narrowing);
    const started = performance.now();
    const result = await this.pool.run(job, policy, signal, host);
    return { result: { ...result, durationMs: result.durationMs || Math.round(performance.now() - started) }, policy };
  }

  /**
   * Checks a WebAssembly tool's module and instruments it for fuel (cached by content in the user's cache; the
   * product's own tools come instrumented from the build).
   * binaryen, which instruments, is large and keeps its memory: it runs in a child process. Checking and compiling
   * the module is V8's own work, hardened for any web page's modules, and runs here. Resolves with the module's hash;
   * rejects with the reason the module cannot be used.
   */
  async prepareModule(tool: string, source: string, narrowing?: PolicyNarrowing): Promise<string> {
    const preparing = this.prepare(tool, source, narrowing);
    this.preparing.add(preparing);
    try {
      return await preparing;
    } finally {
      this.preparing.delete(preparing);
    }
  }

  async close(): Promise<void> {
    if (!this.options.finishPreparingOnClose) this.closing.abort();
    // Aborted or not, a module already instrumented is still being written to the cache: that write completes.
    await Promise.allSettled(this.preparing);
    await this.pool.close();
  }

  private async prepare(tool: string, source: string, narrowing?: PolicyNarrowing): Promise<string> {
    // Instrumenting a large module takes seconds: the workspace's time limit applies, not the tool's own shorter one.
    const policy = narrowPolicy(this.policyFor(tool, 'wasi'), { ...narrowing, timeoutMs: undefined });
    const prepared = await prepareModule(await readFile(source), {
      maxMemoryBytes: policy.maxMemoryBytes,
      cacheDir: this.options.cacheDir,
      prebuiltDir: this.prebuiltDir,
      instrument: (bytes) =>
        instrumentInChild(bytes, {
          script: this.instrumentScript,
          timeoutMs: policy.timeoutMs,
          signal: this.closing.signal,
        }),
    });
    return prepared.hash;
  }

  /**
   * Starts `workers` sandbox workers now and warms them in the background (the shell's bundle evaluated), so that
   * the first calls do not wait for them; returns at once. After its first call the pool does so up to its size.
   */
  warmUp(workers: number): void {
    this.pool.prestart(workers);
  }

  /**
   * Whether calls are expected (a run is under way): one idle worker then stays warm; otherwise the pool ends its
   * idle workers after `workerIdleMs` and holds nothing.
   */
  expectCalls(expected: boolean): void {
    this.pool.expectCalls(expected);
  }

  /** How many sandbox workers are started, what they said they hold together, and how many were ever started. */
  workers(): { count: number; memoryBytes: number; started: number } {
    return { count: this.pool.workers, memoryBytes: this.pool.memoryBytes, started: this.pool.started };
  }

  /** Resolves once the workers asked for are started and warm (measurements and tests; calls never wait on it). */
  warmed(): Promise<void> {
    return this.pool.settled();
  }

  private async fetch(request: FetchRequest, policy: SandboxPolicy, signal: AbortSignal): Promise<FetchReply> {
    // Loaded on the first fetch a tool makes: undici is a large part of the server's start-up otherwise.
    const { createNetPolicy } = await import('./net-policy');
    const net = createNetPolicy({
      allowedOutboundHosts: policy.allowedOutboundHosts,
      blockNetworks: policy.blockNetworks,
      blockedEndpoints: this.options.blockedEndpoints(),
    });
    const response = await net.fetch(request.url, {
      ...(request.method ? { method: request.method } : {}),
      ...(request.headers ? { headers: request.headers } : {}),
      ...(request.body !== undefined ? { body: request.body } : {}),
      maxBytes: request.maxBytes,
      timeoutMs: request.timeoutMs,
      signal,
    });
    if (!response.ok) return { ok: false, reason: response.reason, rule: response.rule };
    const text = isTextual(response.headers['content-type']);
    return {
      ok: true,
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      finalUrl: response.finalUrl,
      body: Buffer.from(response.body).toString(text ? 'utf8' : 'base64'),
      bodyEncoding: text ? 'utf8' : 'base64',
      truncated: response.truncated,
    };
  }
}
