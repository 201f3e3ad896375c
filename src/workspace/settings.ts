import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { isAbsolute, posix } from 'node:path';
import { PERMISSION_MODES, RuleSyntaxError, parseRule } from '../permissions/policy';
import { parseAllowEntry } from '../sandbox/net/allow-entry';
import { parseBlockEntry } from '../sandbox/net/block-networks';
import { NetPolicyConfigError } from '../sandbox/net/types';
import { writeFileAtomic } from './atomic-write';
import { JsonFileError, describeFirstIssue, fieldPath, parseJsonText, validateJson } from './json-file';
import { type JsonObject, applyMergePatch, isPlainObject } from './merge-patch';
import { PrototypeKeyError } from './prototype-keys';
import { TOOL_OUTPUT_GUEST_DIR } from './paths';

/** A host name as it may appear in a Host header: letters, digits, dots, dashes; no scheme, path or port. */
const HostName = z
  .string()
  .regex(/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i, 'must be a bare host name such as "box.example.com"');

export const PROVIDER_KINDS = ['openai', 'anthropic', 'google', 'openai-compatible'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/**
 * Provider ids name folders of nothing and appear in model ids (`id/model`), so they stay short and plain. They are
 * keys of settings and secrets, so `constructor` and `prototype` are not ids (see prototype-keys.ts).
 */
export const PROVIDER_ID = /^(?!(?:constructor|prototype)$)[a-z0-9][a-z0-9_-]{0,39}$/;

const PerMillion = z.number().min(0).max(10_000);

/** Per-model facts that override the catalog (for local models and proxies the catalog cannot know). */
const ModelOverride = z.strictObject({
  label: z.string().min(1).max(120).optional(),
  contextWindow: z.number().int().min(256).max(100_000_000).optional(),
  maxOutput: z.number().int().min(1).max(10_000_000).optional(),
  pricing: z
    .strictObject({ input: PerMillion, output: PerMillion, cacheRead: PerMillion.optional(), cacheWrite: PerMillion.optional() })
    .optional(),
  tools: z.boolean().optional(),
  vision: z.boolean().optional(),
  reasoning: z.boolean().optional(),
});
export type ModelOverride = z.output<typeof ModelOverride>;

const HttpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must start with http:// or https://')
  .transform((u) => u.replace(/\/+$/, ''));

export const ProviderConfigSchema = z
  .strictObject({
    kind: z.enum(PROVIDER_KINDS),
    /** The preset the provider was made from, so the dashboard can show its name and defaults. */
    preset: z.string().max(40).optional(),
    label: z.string().min(1).max(80).optional(),
    baseURL: HttpUrl.optional(),
    enabled: z.boolean().default(true),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name such as MY_API_KEY')
      .optional(),
    models: z.record(z.string().min(1).max(200), ModelOverride).default({}),
  })
  .refine((p) => p.kind !== 'openai-compatible' || p.baseURL !== undefined, { message: 'an openai-compatible provider needs a baseURL', path: ['baseURL'] });
export type ProviderConfig = z.output<typeof ProviderConfigSchema>;

function validRule(text: string, ctx: z.RefinementCtx): void {
  try {
    parseRule(text);
  } catch (error) {
    if (!(error instanceof RuleSyntaxError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message });
  }
}

/** Entries checked by the net policy's own parser, so an invalid one is refused with its reason, never ignored. */
function validBy(parse: (text: string) => unknown) {
  return (text: string, ctx: z.RefinementCtx) => {
    try {
      parse(text);
    } catch (error) {
      if (!(error instanceof NetPolicyConfigError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
    }
  };
}

const AllowEntry = z.string().superRefine(validBy(parseAllowEntry));
const BlockEntry = z.string().superRefine(validBy(parseBlockEntry));
const MiB = 1024 * 1024;

const GuestPath = z
  .string()
  .refine((p) => p.startsWith('/') && posix.normalize(p) === p && p !== '/' && !p.endsWith('/'), 'must be an absolute guest path such as /data (not / itself)')
  .refine((p) => p !== '/.boxagnts' && !p.startsWith('/.boxagnts/'), 'must not be inside /.boxagnts')
  .refine((p) => p !== TOOL_OUTPUT_GUEST_DIR && !p.startsWith(`${TOOL_OUTPUT_GUEST_DIR}/`), `must not be inside ${TOOL_OUTPUT_GUEST_DIR} (where cut tool output is read)`);

/**
 * A budget that can be lifted: a number, or "unlimited" (null in a file written by hand means the same). A JSON merge
 * patch cannot set null — null removes the key, which restores the default — so the API says "unlimited".
 */
const Budget = (min: number) =>
  z.union([z.number().int().min(min).max(Number.MAX_SAFE_INTEGER), z.literal('unlimited'), z.null()]).transform((v) => (v === 'unlimited' ? null : v));

/** A workspace-relative path with no way out of it: no leading `/`, no `.` or `..` parts, no empty parts. */
const WorkspacePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.startsWith('/') && !p.includes('\\') && p.split('/').every((part) => part !== '' && part !== '.' && part !== '..'), 'must be a path relative to the workspace, such as .vscode/settings.json');

/** Limits a single tool may tighten: lower numbers, fewer hosts, more blocked networks; files and network switched on or off. */
const ToolSandbox = z.strictObject({
  timeoutMs: z.number().int().min(100).optional(),
  maxMemoryBytes: z.number().int().min(MiB).optional(),
  maxStackBytes: z.number().int().min(64 * 1024).optional(),
  fuel: z.number().int().min(1).nullable().optional(),
  maxWriteBytes: z.number().int().min(0).nullable().optional(),
  allowedOutboundHosts: z.array(AllowEntry).optional(),
  blockNetworks: z.array(BlockEntry).optional(),
  files: z.boolean().optional(),
  network: z.boolean().optional(),
});

export const SandboxSettingsSchema = z
  .strictObject({
    timeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
    maxMemoryBytes: z.number().int().min(MiB).max(4096 * MiB).default(256 * MiB),
    /** QuickJS's stack must stay under a quarter of the worker's native stack (8 MB). */
    maxStackBytes: z.number().int().min(64 * 1024).max(2 * MiB).default(1 * MiB),
    /** Interpreter ticks (about 5,000 simple operations each); "unlimited" leaves only the time limit. */
    fuel: Budget(1).default(50_000_000),
    /** Steps of a WebAssembly tool (function entries and loop iterations, a few nanoseconds each); "unlimited": time limit only. */
    wasmFuel: Budget(1).default(10_000_000_000),
    /** Bytes one tool call may write to files in all; "unlimited": no quota. */
    maxWriteBytes: Budget(0).default(100 * MiB),
    /**
     * Protected files (`.git/**`, `.envrc`, editor tasks and settings, hook folders: host programs run code from
     * them) that tools may write after all: workspace-relative paths, each a file or a whole folder.
     */
    writableProtected: z.array(WorkspacePath).default([]),
    /** Hosts tools may reach, as scheme://host[:port] with * wildcards. Empty: no network at all. */
    allowedOutboundHosts: z.array(AllowEntry).default([]),
    /** CIDRs or "private" (loopback, RFC 1918, link-local, CGNAT, unique-local), refused after DNS resolution. */
    blockNetworks: z.array(BlockEntry).default(['private']),
    /** Extra folders mounted into the sandbox beside the workspace (which is /). */
    mounts: z
      .array(
        z.strictObject({
          host: z.string().refine((p) => isAbsolute(p), 'must be an absolute path on this machine'),
          guest: GuestPath,
          readOnly: z.boolean().default(false),
        }),
      )
      .default([]),
    tools: z.record(z.string().min(1).max(64), ToolSandbox).default({}),
  })
  .prefault({});
export type SandboxSettings = z.output<typeof SandboxSettingsSchema>;

export const SettingsSchema = z.strictObject({
  $schema: z.string().optional(),
  ui: z
    .strictObject({
      theme: z.enum(['system', 'light', 'dark']).default('system'),
    })
    .prefault({}),
  server: z
    .strictObject({
      /** Extra names the dashboard may be reached by (a tunnel, a reverse proxy), beyond loopback and this machine's addresses. */
      allowedHosts: z.array(HostName).default([]),
    })
    .prefault({}),
  providers: z
    .record(z.string().regex(PROVIDER_ID, 'provider ids use lower-case letters, digits, - and _ (at most 40)'), ProviderConfigSchema)
    .default({}),
  /** `provider/model`; the model may itself contain slashes (OpenRouter). */
  defaultModel: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}\/.+$/, 'must be "provider/model"').optional(),
  agent: z
    .strictObject({
      /** Model calls per run, counting every step. */
      maxTurns: z.number().int().min(1).max(1000).default(50),
      /** A model stream that sends nothing for this long is abandoned and retried. */
      stallTimeoutMs: z.number().int().min(1000).max(3_600_000).default(120_000),
      retry: z
        .strictObject({
          maxAttempts: z.number().int().min(1).max(20).default(5),
          baseDelayMs: z.number().int().min(0).max(60_000).default(1000),
          maxDelayMs: z.number().int().min(0).max(600_000).default(30_000),
        })
        .prefault({}),
    })
    .prefault({}),
  permissions: z
    .strictObject({
      /** The workspace's mode; a session can switch its own from the chat page. */
      mode: z.enum(PERMISSION_MODES).default('default'),
      /** Ordered rules such as "allow edit(src/*)" or "deny bash(rm *)"; the last that matches a call decides. */
      rules: z.array(z.string().superRefine(validRule)).default([]),
    })
    .prefault({}),
  tools: z
    .strictObject({
      /** Tools switched off for this workspace: never offered to the model. */
      disabled: z.array(z.string().min(1).max(64)).default([]),
      /** When a tool's output is cut for the model, at most this much of it is kept as a file it can page through; 0 keeps none. */
      maxSavedOutputBytes: z.number().int().min(0).max(1024 * MiB).default(10 * MiB),
    })
    .prefault({}),
  sandbox: SandboxSettingsSchema,
  files: z
    .strictObject({
      /** The most one upload (all its files together) may hold. */
      maxUploadBytes: z.number().int().min(1024).max(64 * 1024 * MiB).default(100 * MiB),
    })
    .prefault({}),
  catalog: z
    .strictObject({
      /** Where model limits and prices are refreshed from; null keeps the built-in catalog only. */
      refreshUrl: HttpUrl.nullable().default('https://models.dev/api.json'),
    })
    .prefault({}),
});

export type Settings = z.output<typeof SettingsSchema>;

/** A settings change that would make the file invalid; names the field so the caller can point at it. */
export class InvalidSettingsError extends Error {
  override readonly name = 'InvalidSettingsError';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(field ? `${field}: ${problem}` : problem);
  }
}

type Listener = (settings: Settings) => void;

/**
 * The workspace's settings.json. The file on disk holds only what the user set; defaults fill the rest in memory.
 * A file that fails to parse or validate is reported and never rewritten.
 */
export class SettingsStore {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<Listener>();

  private constructor(
    readonly file: string,
    private current: Settings,
  ) {}

  /** Loads and validates the file, creating it as `{}` when it does not exist. Throws JsonFileError when invalid. */
  static async open(file: string): Promise<SettingsStore> {
    const { settings } = await readSettingsFile(file, { createIfMissing: true });
    return new SettingsStore(file, settings);
  }

  get(): Settings {
    return this.current;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies a JSON merge patch (RFC 7386) to the settings; see `update`. */
  patch(patch: unknown): Promise<Settings> {
    if (!isPlainObject(patch)) return Promise.reject(new InvalidSettingsError('', 'the body must be a JSON object of the settings to change'));
    return this.update((raw) => {
      try {
        return applyMergePatch(raw, patch) as JsonObject;
      } catch (error) {
        if (error instanceof PrototypeKeyError) throw new InvalidSettingsError(fieldPath(error.path), error.message);
        throw error;
      }
    });
  }

  /**
   * Changes what is on disk now (so hand edits made meanwhile are kept) through `change`, validates the result and
   * writes it atomically. Updates are applied one at a time.
   */
  update(change: (raw: JsonObject) => JsonObject): Promise<Settings> {
    const next = this.queue.then(() => this.applyUpdate(change));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async applyUpdate(change: (raw: JsonObject) => JsonObject): Promise<Settings> {
    const { raw } = await readSettingsFile(this.file, { createIfMissing: false });
    const merged = change(structuredClone(raw));
    const result = SettingsSchema.safeParse(merged);
    if (!result.success) {
      const { field, problem } = describeFirstIssue(result.error);
      throw new InvalidSettingsError(field, problem);
    }
    await writeFileAtomic(this.file, `${JSON.stringify(merged, null, 2)}\n`);
    this.current = result.data;
    for (const listener of this.listeners) listener(this.current);
    return this.current;
  }
}

async function readSettingsFile(file: string, options: { createIfMissing: boolean }): Promise<{ raw: JsonObject; settings: Settings }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !options.createIfMissing) throw error;
    text = '{}\n';
    await writeFileAtomic(file, text);
  }
  const raw = parseJsonText(file, text);
  if (!isPlainObject(raw)) throw new JsonFileError(file, 'the top level must be a JSON object such as {}', 1);
  return { raw, settings: validateJson(file, text, raw, SettingsSchema) };
}
