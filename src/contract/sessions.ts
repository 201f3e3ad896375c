import { z } from 'zod';
import { StampedEventSchema } from './events';
import { InteractionSchema, TodoSchema } from './interactions';
import { PermissionModeSchema } from './permissions';

export const SpawnedBySchema = z.object({
  sessionId: z.string(),
  runId: z.string(),
  callId: z.string(),
  agentType: z.string(),
});
export type SpawnedBy = z.output<typeof SpawnedBySchema>;

/** A session as clients see it: what the listing knows of it, and whether a run is going on. */
export const SessionSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  /** `auto` titles (the first message, then the model's short title for it) last until the user names the session. */
  titleSource: z.enum(['default', 'auto', 'user']),
  createdAt: z.string(),
  updatedAt: z.string(),
  messageCount: z.number(),
  lastEventId: z.number(),
  parentId: z.string().optional(),
  /** A child run's session: the session and call of the `agent` call that started it, and its agent type. */
  spawnedBy: SpawnedBySchema.optional(),
  running: z.boolean(),
  /** Pinned by the user: no retention rule archives or deletes it. */
  pinned: z.boolean(),
  /** The scheduled job whose run this session is. */
  job: z.string().optional(),
  /** In `sessions/archive/`: read-only until restored. */
  archived: z.boolean(),
  /** In a search's answer: the words around the first hit in the session's messages. */
  snippet: z.string().optional(),
});
export type SessionSummary = z.output<typeof SessionSummarySchema>;

/** `GET /api/sessions`: newest first; `nextCursor` asks for the page after this one. */
export const SessionPageSchema = z.object({
  sessions: z.array(SessionSummarySchema),
  nextCursor: z.string().nullable(),
  total: z.number(),
});
export type SessionPage = z.output<typeof SessionPageSchema>;

/** `GET /api/sessions/:id`: the session, its run in progress, its events and the damaged lines that were skipped. */
export const SessionDetailSchema = z.object({
  session: SessionSummarySchema,
  runId: z.string().nullable(),
  events: z.array(StampedEventSchema),
  warnings: z.array(z.string()),
});
export type SessionDetail = z.output<typeof SessionDetailSchema>;

/** `GET /api/sessions/:id/state`: the session's permission mode, task list, grants and waiting requests. */
export const SessionStateViewSchema = z.object({
  /** null: the session follows the workspace's mode. */
  mode: PermissionModeSchema.nullable(),
  workspaceMode: PermissionModeSchema,
  todos: z.array(TodoSchema),
  grants: z.array(z.object({ id: z.string(), rule: z.string() })),
  interactions: z.array(InteractionSchema),
  /** The agent type of the session's runs (`manager`: managed mode); null: the plain agent. */
  agentType: z.string().nullable(),
  /** Rules granted until the run in progress ends by the skills it loaded (`allowed-tools`). */
  skillGrants: z.array(z.object({ skill: z.string(), rule: z.string() })),
});
export type SessionStateView = z.output<typeof SessionStateViewSchema>;

const Title = z.string().trim().min(1).max(200);

export const CreateSessionBodySchema = z.strictObject({
  title: Title.optional(),
  /** Runs of the new session take this agent type ("Try it" on the Agents page, managed mode). */
  agentType: z.string().min(1).max(64).optional(),
});
/** `PUT /api/sessions/:id/agent`: the agent type of the session's next runs; null for the plain agent. */
export const SessionAgentBodySchema = z.strictObject({ agentType: z.string().min(1).max(64).nullable() });
export const RenameSessionBodySchema = z.strictObject({ title: Title });
/** `PUT /api/sessions/:id/pin` */
export const PinSessionBodySchema = z.strictObject({ pinned: z.boolean() });
/** Forks at a message: the new session holds everything up to it. */
export const ForkSessionBodySchema = z.strictObject({ eventId: z.number().int().positive() });

/** `POST /api/sessions/:id/messages`: starts a run with this message. */
export const SendMessageBodySchema = z.strictObject({
  text: z
    .string()
    .refine((t) => t.trim().length > 0, 'must not be empty')
    .pipe(z.string().max(200_000)),
  /** `provider/model`; the workspace default when absent. */
  model: z.string().min(3).max(300).optional(),
  maxTurns: z.number().int().min(1).max(1000).optional(),
});
export type SendMessageBody = z.input<typeof SendMessageBodySchema>;

/** `GET /api/sessions/:id/export?format=`: a page to read offline, a Markdown transcript, or a file to import. */
export const ExportFormatSchema = z.enum(['html', 'markdown', 'json']);
export type ExportFormat = z.output<typeof ExportFormatSchema>;

/**
 * What an export recognises as a secret: a key or named secret of this workspace (`stored`), a credential as it is
 * sent (`Bearer …`, `x-api-key: …`, `?key=…`), or the shape of a common kind of key or token.
 */
export const SecretKindSchema = z.enum([
  'stored',
  'credential',
  'private-key',
  'api-key',
  'github-token',
  'slack-token',
  'aws-access-key',
  'google-api-key',
  'jwt',
]);
export type SecretKind = z.output<typeof SecretKindSchema>;

/**
 * One secret an export takes out: its kind, the text around it with it masked, and the event it is in (its id and
 * type; both null for the session's title).
 */
export const ExportFindingSchema = z.object({
  kind: SecretKindSchema,
  excerpt: z.string(),
  eventId: z.number().nullable(),
  eventType: z.string().nullable(),
});
export type ExportFinding = z.output<typeof ExportFindingSchema>;

/** `GET /api/sessions/:id/export/preview`: what every export of the session takes out; `total` counts past the list. */
export const ExportPreviewSchema = z.object({
  findings: z.array(ExportFindingSchema),
  total: z.number(),
});
export type ExportPreview = z.output<typeof ExportPreviewSchema>;
