import { z } from 'zod';

/** How much a tool can change: reading < writing files < running code < reaching the network. */
export const PERMISSION_LEVELS = ['read', 'write', 'execute', 'network'] as const;
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
