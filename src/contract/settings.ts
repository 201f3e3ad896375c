import { z } from 'zod';
import { PermissionModeSchema } from './permissions';
import { FUEL_DEFAULTS } from './fuel';
import { McpSettingsSchema } from './mcp';
import { RetentionRuleSchema } from './retention';

/**
 * The shape of `.boxagnts/settings.json`, as the dashboard reads it. Checks that need a layer's own parser (net
 * entries, permission rules, mount paths) are added by that layer: `workspace/settings.ts` composes them.
 */

/** A host name as it may appear in a Host header: letters, digits, dots, dashes; no scheme, path or port. */
const HostName = z
  .string()
  .regex(
    /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i,
    'must be a bare host name such as "box.example.com"',
  );

/** `ollama`: Ollama's own API (`/api/chat`), which takes a context length per request; its OpenAI endpoint cannot. */
export const PROVIDER_KINDS = ['openai', 'anthropic', 'google', 'openai-compatible', 'ollama'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/**
 * Provider ids name folders of nothing and appear in model ids (`id/model`), so they stay short and plain. They are
 * keys of settings and secrets, so `constructor` and `prototype` are not ids (see prototype-keys.ts).
 */
export const PROVIDER_ID = /^(?!(?:constructor|prototype)$)[a-z0-9][a-z0-9_-]{0,39}$/;

const PerMillion = z.number().min(0).max(10_000);

/** Per-model facts that override the catalog (for local models and proxies the catalog cannot know). */
export const ModelOverrideSchema = z.strictObject({
  label: z.string().min(1).max(120).optional(),
  contextWindow: z.number().int().min(256).max(100_000_000).optional(),
  maxOutput: z.number().int().min(1).max(10_000_000).optional(),
  pricing: z
    .strictObject({
      input: PerMillion,
      output: PerMillion,
      cacheRead: PerMillion.optional(),
      cacheWrite: PerMillion.optional(),
    })
    .optional(),
  tools: z.boolean().optional(),
  vision: z.boolean().optional(),
  reasoning: z.boolean().optional(),
});
export type ModelOverride = z.output<typeof ModelOverrideSchema>;

const HttpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must start with http:// or https://')
  .transform((u) => u.replace(/\/+$/, ''));

/** A provider's settings as fields; ProviderConfigSchema adds the checks across them. */
export const ProviderFieldsSchema = z.strictObject({
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
  models: z.record(z.string().min(1).max(200), ModelOverrideSchema).default({}),
});

export const ProviderConfigSchema = ProviderFieldsSchema.refine(
  (p) => p.kind !== 'openai-compatible' || p.baseURL !== undefined,
  {
    message: 'an openai-compatible provider needs a baseURL',
    path: ['baseURL'],
  },
);
export type ProviderConfig = z.output<typeof ProviderConfigSchema>;

const MiB = 1024 * 1024;

/**
 * A budget that can be lifted: a number, or "unlimited" (null in a file written by hand means the same). A JSON merge
 * patch cannot set null — null removes the key, which restores the default — so the API says "unlimited".
 */
const Budget = (min: number) =>
  z
    .union([z.number().int().min(min).max(Number.MAX_SAFE_INTEGER), z.literal('unlimited'), z.null()])
    .transform((v) => (v === 'unlimited' ? null : v));

/** A workspace-relative path with no way out of it: no leading `/`, no `.` or `..` parts, no empty parts. */
const WorkspacePath = z
  .string()
  .min(1)
  .max(4096)
  .refine(
    (p) =>
      !p.startsWith('/') &&
      !p.includes('\\') &&
      p.split('/').every((part) => part !== '' && part !== '.' && part !== '..'),
    'must be a path relative to the workspace, such as .vscode/settings.json',
  );

/** Limits a single tool may tighten: lower numbers, fewer hosts, more blocked networks; files and network switched on or off. */
const ToolSandboxSchema = z.strictObject({
  timeoutMs: z.number().int().min(100).optional(),
  maxMemoryBytes: z.number().int().min(MiB).optional(),
  maxStackBytes: z
    .number()
    .int()
    .min(64 * 1024)
    .optional(),
  fuel: z.number().int().min(1).nullable().optional(),
  maxWriteBytes: z.number().int().min(0).nullable().optional(),
  allowedOutboundHosts: z.array(z.string()).optional(),
  blockNetworks: z.array(z.string()).optional(),
  files: z.boolean().optional(),
  network: z.boolean().optional(),
});

/** An extra folder of this machine mounted into the sandbox at a guest path. */
export const MountSchema = z.strictObject({
  host: z.string(),
  guest: z.string(),
  readOnly: z.boolean().default(false),
});

/**
 * A command pattern as permission rules write it (`git push*`, `npm test*`): matched against each simple command of
 * a shell line, its words joined by one space.
 */
const CommandPattern = z.string().trim().min(1).max(1000);

/**
 * The host tier: programs the WebAssembly shell does not have (git, node, npm, python, …) run as its external
 * commands, each in an OS sandbox (bubblewrap, on Linux), after approval.
 */
export const HostTierSettingsSchema = z
  .strictObject({
    /** Off: such commands answer that the host tier is off and how to turn it on. */
    enabled: z.boolean().default(true),
    /** Commands that run without asking (each becomes an `allow bash(PATTERN)` rule, below the workspace's own rules). */
    allow: z.array(CommandPattern).default([]),
    /** Commands that get network, through the allowlist and blocked networks of the sandbox (`git push*`, `npm install*`). */
    network: z.array(CommandPattern).default([]),
    /** Whether git may change `.git` (commit, branch, stash); every other program sees it read-only. */
    gitWrites: z.boolean().default(true),
    /** Wall-clock time of a shell call that runs host programs (the WebAssembly tier keeps `timeoutMs`). */
    timeoutMs: z.number().int().min(1000).max(3_600_000).default(600_000),
    /** Memory of one command's processes together. */
    maxMemoryBytes: z
      .number()
      .int()
      .min(16 * MiB)
      .max(64 * 1024 * MiB)
      .default(4096 * MiB),
    /** CPU seconds of one command's processes. */
    maxCpuSeconds: z.number().int().min(1).max(86_400).default(600),
    /** Processes (and threads) one command may have at once. */
    maxProcesses: z.number().int().min(8).max(65_536).default(512),
    /** Files one process may have open at once. */
    maxOpenFiles: z.number().int().min(64).max(1_048_576).default(4096),
    /** Bytes of stdout and of stderr kept from one command; the rest is cut. */
    maxOutputBytes: z
      .number()
      .int()
      .min(1024)
      .max(256 * MiB)
      .default(10 * MiB),
  })
  .prefault({});
export type HostTierSettings = z.output<typeof HostTierSettingsSchema>;

const SandboxSettingsObject = z.strictObject({
  timeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
  maxMemoryBytes: z
    .number()
    .int()
    .min(MiB)
    .max(4096 * MiB)
    .default(256 * MiB),
  /** QuickJS's stack must stay under a quarter of the worker's native stack (8 MB). */
  maxStackBytes: z
    .number()
    .int()
    .min(64 * 1024)
    .max(2 * MiB)
    .default(1 * MiB),
  /** Steps of the JavaScript engine (see FUEL_DEFAULTS); "unlimited" leaves only the time limit. */
  fuel: Budget(1).default(FUEL_DEFAULTS.fuel),
  /** Steps of a WebAssembly tool (see FUEL_DEFAULTS); "unlimited" leaves only the time limit. */
  wasmFuel: Budget(1).default(FUEL_DEFAULTS.wasmFuel),
  /** Bytes one tool call may write to files in all; "unlimited": no quota. */
  maxWriteBytes: Budget(0).default(100 * MiB),
  /**
   * Protected files (`.git/**`, `.envrc`, editor tasks and settings, hook folders: host programs run code from
   * them) that tools may write after all: workspace-relative paths, each a file or a whole folder.
   */
  writableProtected: z.array(WorkspacePath).default([]),
  /** Hosts tools may reach, as scheme://host[:port] with * wildcards. Empty: no network at all. */
  allowedOutboundHosts: z.array(z.string()).default([]),
  /** CIDRs or "private" (loopback, RFC 1918, link-local, CGNAT, unique-local), refused after DNS resolution. */
  blockNetworks: z.array(z.string()).default(['private']),
  /** Extra folders mounted into the sandbox beside the workspace (which is /). */
  mounts: z.array(MountSchema).default([]),
  tools: z.record(z.string().min(1).max(64), ToolSandboxSchema).default({}),
  host: HostTierSettingsSchema,
  /**
   * How long a sandbox worker with no call to run is kept before it is ended and gives its memory back. While a run
   * is under way one stays, warm for its next call; once none is, the last one ends too. Short: a server that sits
   * idle stays small.
   */
  workerIdleMs: z.number().int().min(1000).max(3_600_000).default(30_000),
  /**
   * What the sandbox workers may hold together, in MB (each its V8 heap and QuickJS's memory; a warm one holds about
   * 46 MB, so the default lets two run). A worker is started only while it fits, and one past its share (an equal
   * part among the workers started) is replaced between two calls.
   */
  maxPoolMemoryMb: z.number().int().min(64).max(16_384).default(128),
});

export const SandboxSettingsSchema = SandboxSettingsObject.prefault({});
export type SandboxSettings = z.output<typeof SandboxSettingsSchema>;

export const PermissionSettingsSchema = z
  .strictObject({
    /** The workspace's mode; a session can switch its own from the chat page. */
    mode: PermissionModeSchema.default('default'),
    /** Ordered rules such as "allow edit(src/*)" or "deny bash(rm *)"; the last that matches a call decides. */
    rules: z.array(z.string()).default([]),
  })
  .prefault({});
export type PermissionSettings = z.output<typeof PermissionSettingsSchema>;

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
    .record(
      z.string().regex(PROVIDER_ID, 'provider ids use lower-case letters, digits, - and _ (at most 40)'),
      ProviderConfigSchema,
    )
    .default({}),
  /** `provider/model`; the model may itself contain slashes (OpenRouter). */
  defaultModel: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,39}\/.+$/, 'must be "provider/model"')
    .optional(),
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
  permissions: PermissionSettingsSchema,
  mcp: McpSettingsSchema,
  /** What the model is sent as a session grows: old tool outputs masked, then the conversation summarised. */
  context: z
    .strictObject({
      /** Past this share of the context window, old tool outputs are replaced by a one-line stub. */
      maskAt: z.number().min(0.1).max(1).default(0.6),
      /** Tool outputs within this many newest tokens are never masked. */
      keepRecentTokens: z.number().int().min(1000).max(10_000_000).default(40_000),
      /** Past this many tokens the conversation is summarised; absent: the window − the model's output − 13,000. */
      compactAt: z.number().int().min(1000).max(100_000_000).optional(),
    })
    .prefault({}),
  sessions: z
    .strictObject({
      /**
       * When sessions leave the list: absent, kept forever. A session untouched for `archiveAfterDays` moves to
       * `sessions/archive/` (still searchable, restorable); one archived for `deleteArchivedAfterDays` is deleted, once
       * the user has seen in the dashboard what that rule removes. Pinned sessions never expire.
       */
      retention: RetentionRuleSchema.prefault({}),
      /**
       * After a session's first answer in the dashboard, its model is asked for a short title (one small extra call);
       * off, the first message stays the title. `boxagnts run` and a session the user renamed keep theirs.
       */
      generateTitles: z.boolean().default(true),
    })
    .prefault({}),
  skills: z
    .strictObject({
      /** Skills switched off for this workspace: neither listed to the model nor runnable. */
      disabled: z.array(z.string().min(1).max(64)).default([]),
      /** Load the skills that came with the repository (`.agents/skills/`, `.claude/skills/`). */
      trustProject: z.boolean().default(false),
    })
    .prefault({}),
  /** Child runs started by the `agent` tool: limits the runtime enforces, whatever the model asks. */
  orchestration: z
    .strictObject({
      /** How deep runs may nest: a run at this depth is not offered `agent` (the user's run is depth 0). */
      maxDepth: z.number().int().min(0).max(10).default(2),
      /** Child runs running at once in this workspace; more wait in a queue. */
      maxConcurrent: z.number().int().min(1).max(64).default(4),
      /** Limits of every child run unless its call or agent type asks for less. */
      defaults: z
        .strictObject({
          maxTurns: z.number().int().min(1).max(1000).default(30),
          budgetUsd: z.number().positive().max(10_000).optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  tools: z
    .strictObject({
      /** Tools switched off for this workspace: never offered to the model. */
      disabled: z.array(z.string().min(1).max(64)).default([]),
      /**
       * Tools to offer the model in full although they are offered by name only by default (rarely needed ones such as
       * jsexec or sleep, which tool_search reveals when asked); names or patterns such as `mcp__github__*`.
       */
      offered: z.array(z.string().min(1).max(128)).default([]),
      /** When a tool's output is cut for the model, at most this much of it is kept as a file it can page through; 0 keeps none. */
      maxSavedOutputBytes: z
        .number()
        .int()
        .min(0)
        .max(1024 * MiB)
        .default(10 * MiB),
    })
    .prefault({}),
  sandbox: SandboxSettingsSchema,
  files: z
    .strictObject({
      /** The most one upload (all its files together) may hold. */
      maxUploadBytes: z
        .number()
        .int()
        .min(1024)
        .max(64 * 1024 * MiB)
        .default(100 * MiB),
      /**
       * The most the trash may hold: past it, the oldest items are removed for good when something new is trashed
       * (never the items just trashed, however large).
       */
      trashMaxBytes: z
        .number()
        .int()
        .min(0)
        .max(1024 * 1024 * MiB)
        .default(2048 * MiB),
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

/** The host tier as this machine allows it: whether an OS sandbox is there, and which programs it found. */
export const HostTierStatusSchema = z.object({
  /** Whether commands can run in the host tier now (an OS sandbox works here and the setting is on). */
  available: z.boolean(),
  /** The OS sandbox in use (`bubblewrap 0.8.0`), or null when there is none. */
  mechanism: z.string().nullable(),
  /** Why it is not available, and what to do about it. */
  problem: z.string().optional(),
  /** Well-known programs found on this machine's PATH (git, node, python3, …): the tool description names them. */
  programs: z.array(z.string()),
  /** How process and memory caps are enforced: cgroups where the runtime may create them, else rlimits. */
  caps: z.enum(['cgroup', 'rlimit']),
});
export type HostTierStatus = z.output<typeof HostTierStatusSchema>;

/**
 * `GET /api/sandbox`: the sandbox settings as they apply: each mount with whether its folder exists (a missing one
 * is not mounted), and the files kept read-only because host programs run code from them.
 */
export const SandboxOverviewSchema = SandboxSettingsObject.extend({
  mounts: z.array(MountSchema.extend({ exists: z.boolean() })),
  /** Read-only for tools whatever the settings say, unless listed in writableProtected. */
  protectedPaths: z.array(z.string()),
  /** Whether the host tier can run here, with what, and the programs found on this machine. */
  hostTier: HostTierStatusSchema,
});
export type SandboxOverview = z.output<typeof SandboxOverviewSchema>;
