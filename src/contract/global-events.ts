import { z } from 'zod';
import { FileChangeSchema } from './files';
import { JobRunSchema } from './automation';
import { InteractionSchema } from './interactions';
import { SessionSummarySchema } from './sessions';

/**
 * What the global stream (`/api/events`) carries: changes to the session list, to which sessions are running, to
 * open requests, to the tool list and to the folders the dashboard shows.
 */
export const GlobalPayloadSchema = z.discriminatedUnion('type', [
  z.object({ type: z.enum(['session.created', 'session.updated']), session: SessionSummarySchema }),
  z.object({ type: z.literal('session.deleted'), sessionId: z.string() }),
  z.object({ type: z.literal('run.status'), sessionId: z.string(), runId: z.string(), running: z.boolean() }),
  z.object({ type: z.literal('interaction.opened'), interaction: InteractionSchema }),
  z.object({ type: z.literal('interaction.closed'), interactionId: z.string(), sessionId: z.string() }),
  z.object({ type: z.literal('tools.changed') }),
  /** A job's run started, ended or was skipped (the Cron page follows it; a failure is a notification). */
  z.object({ type: z.literal('job.run'), run: JobRunSchema }),
  /** jobs.json changed (a job saved, removed, paused). */
  z.object({ type: z.literal('jobs.changed') }),
  /** Team mode: a run was queued, leased, ended or interrupted, or a worker came or went, on any machine. */
  z.object({ type: z.literal('team.changed') }),
  /** `truncated`: more changed than one event lists; reload what is shown. */
  z.object({ type: z.literal('file.changed'), changes: z.array(FileChangeSchema), truncated: z.boolean() }),
]);
/** A global event before the hub numbers it. */
export type GlobalPayload = z.output<typeof GlobalPayloadSchema>;

export const GlobalEventSchema = z.intersection(GlobalPayloadSchema, z.object({ id: z.number() }));
export type GlobalEvent = z.output<typeof GlobalEventSchema>;
