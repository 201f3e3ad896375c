import { type TeamStatus, TeamStatusSchema } from '@contract/team';
import { z } from 'zod';
import { api } from '../lib/api';

export const loadTeam = (): Promise<TeamStatus> => api('/api/team', TeamStatusSchema);

const CancelAnswerSchema = z.object({ cancelled: z.boolean() });

/** Cancels a queued or running run; false when it had already ended. */
export const cancelRun = async (id: string): Promise<boolean> =>
  (await api(`/api/team/runs/${encodeURIComponent(id)}/cancel`, CancelAnswerSchema, { method: 'POST' })).cancelled;

/** The SSE route of a run's session events, stored ones first then live. */
export const runEventsUrl = (id: string): string => `/api/team/runs/${encodeURIComponent(id)}/events`;
