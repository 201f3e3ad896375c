import { z } from 'zod';

/**
 * How much a tool can change: reading < writing files < running code < reaching the network < running a program of
 * this machine (in the host tier's OS sandbox, which every mode but bypass asks for).
 */
export const PERMISSION_LEVELS = ['read', 'write', 'execute', 'network', 'host'] as const;
export const PermissionLevelSchema = z.enum(PERMISSION_LEVELS);
export type PermissionLevel = z.output<typeof PermissionLevelSchema>;

export const PERMISSION_MODES = ['default', 'acceptEdits', 'plan', 'bypass'] as const;
export const PermissionModeSchema = z.enum(PERMISSION_MODES);
export type PermissionMode = z.output<typeof PermissionModeSchema>;

/** A standing grant made by "Always allow in this workspace": kept in `.boxagnts/permissions.json`, listed on Security. */
export const GrantSchema = z.object({
  id: z.string(),
  /** An allow rule, as written in settings (`allow write(notes.md)`). */
  rule: z.string(),
  createdAt: z.string(),
  /** Where it came from: the approval that created it. */
  origin: z.object({
    sessionId: z.string(),
    sessionTitle: z.string().optional(),
    tool: z.string(),
    subject: z.string().optional(),
  }),
});
export type Grant = z.output<typeof GrantSchema>;

/** `GET /api/permissions`: the workspace's mode, its rules and its standing grants. */
export const PermissionsOverviewSchema = z.object({
  mode: PermissionModeSchema,
  rules: z.array(z.string()),
  grants: z.array(GrantSchema),
});
export type PermissionsOverview = z.output<typeof PermissionsOverviewSchema>;

/** `PUT /api/sessions/:id/mode`: the session's own mode; null follows the workspace's. */
export const SessionModeBodySchema = z.strictObject({ mode: PermissionModeSchema.nullable() });
export type SessionModeBody = z.input<typeof SessionModeBodySchema>;

/** One command of a shell line that runs a program of this machine, as its approval card shows it. */
export const HostCommandPreviewSchema = z.object({
  /** The command as it will run: the program and its arguments. */
  command: z.string(),
  program: z.string(),
  /** The folder it runs in, relative to the workspace (`.` for its root; a worktree's folder for a child run). */
  folder: z.string(),
  /** Whether it gets network (through the sandbox's allowlist); otherwise it has none at all. */
  network: z.boolean(),
});
export type HostCommandPreview = z.output<typeof HostCommandPreviewSchema>;
