import {
  type JobFields,
  type JobList,
  JobListSchema,
  JobRunListSchema,
  type JobRun,
  type JobSchedule,
  type JobView,
  JobViewSchema,
  SchedulePreviewSchema,
} from '@contract/automation';
import { ApiError, api, apiSend } from '../lib/api';

export const loadJobs = (): Promise<JobList> => api('/api/jobs', JobListSchema);

export const loadRuns = async (name: string): Promise<JobRun[]> =>
  (await api(`/api/jobs/${name}/runs`, JobRunListSchema)).runs;

/** The body is the job's fields as typed (`z.input`), so the server fills the defaults and names what is wrong. */
export const saveJob = (name: string, body: unknown): Promise<JobView> =>
  api(`/api/jobs/${name}`, JobViewSchema, { method: 'PUT', body });

export const deleteJob = (name: string): Promise<void> => apiSend(`/api/jobs/${name}`, { method: 'DELETE' });

/** "Run now": the run's id comes back, but the page follows the run through `job.run` events, not by its id. */
export const runJob = (name: string): Promise<void> => apiSend(`/api/jobs/${name}/run`, { method: 'POST' });

/** Pause or resume: the job saved again with only `enabled` changed. */
export const setEnabled = (job: JobView, enabled: boolean): Promise<JobView> =>
  saveJob(job.name, { ...fieldsOf(job), enabled });

export const previewSchedule = (schedule: JobSchedule, signal: AbortSignal) =>
  api('/api/jobs/preview', SchedulePreviewSchema, { method: 'POST', body: { schedule, count: 5 }, signal });

/** The fields of a job, without what the server adds to show it. */
function fieldsOf(job: JobView): JobFields {
  return {
    schedule: job.schedule,
    prompt: job.prompt,
    agentType: job.agentType,
    model: job.model,
    permissions: job.permissions,
    unattended: job.unattended,
    limits: job.limits,
    overlap: job.overlap,
    missed: job.missed,
    enabled: job.enabled,
  };
}

/** The form's fields an error can be shown at. */
export type FormField =
  | 'name'
  | 'prompt'
  | 'schedule'
  | 'agentType'
  | 'model'
  | 'mode'
  | 'rules'
  | 'unattended'
  | 'maxTurns'
  | 'maxCostUsd'
  | 'maxWallMs'
  | 'overlap'
  | 'missed';
export type FormErrors = Partial<Record<FormField | 'form', string>>;

const FIELD_OF: Record<string, FormField> = {
  'permissions.mode': 'mode',
  'permissions.rules': 'rules',
  'limits.maxTurns': 'maxTurns',
  'limits.maxCostUsd': 'maxCostUsd',
  'limits.maxWallMs': 'maxWallMs',
};
const TOP_FIELDS: readonly string[] = [
  'name',
  'prompt',
  'schedule',
  'agentType',
  'model',
  'unattended',
  'overlap',
  'missed',
] satisfies FormField[];

/** Places a server error beside the field it names (`schedule.expr`, `permissions.rules.2`, `limits.maxTurns`). */
export function placeError(error: unknown): FormErrors {
  const message = error instanceof Error ? error.message : String(error);
  const path = error instanceof ApiError ? error.field : undefined;
  if (!path) return { form: message };
  const two = path
    .split(/[.[\]]/)
    .filter(Boolean)
    .slice(0, 2)
    .join('.');
  const field = FIELD_OF[two] ?? TOP_FIELDS.find((f) => path === f || path.startsWith(`${f}.`));
  return field ? { [field]: message } : { form: message };
}
