import { JOB_NAME, type JobView } from '@contract/automation';
import type { PermissionMode } from '@contract/permissions';
import { type ScheduleDraft, draftOfSchedule, emptySchedule, scheduleOf } from './schedule';

/** The job form as typed: numbers stay text until saved, so a half-typed value is kept. */
export interface JobDraft {
  name: string;
  prompt: string;
  schedule: ScheduleDraft;
  agentType: string;
  model: string;
  mode: PermissionMode;
  rules: string;
  unattended: 'deny' | 'park';
  maxTurns: string;
  maxCostUsd: string;
  maxWallMinutes: string;
  overlap: 'skip' | 'queue';
  missed: 'skip' | 'run-once';
  enabled: boolean;
}

export function emptyDraft(): JobDraft {
  return {
    name: '',
    prompt: '',
    schedule: emptySchedule(),
    agentType: '',
    model: '',
    mode: 'default',
    rules: '',
    unattended: 'deny',
    maxTurns: '',
    maxCostUsd: '',
    maxWallMinutes: '30',
    overlap: 'skip',
    missed: 'skip',
    enabled: true,
  };
}

export function draftOf(job: JobView): JobDraft {
  return {
    name: job.name,
    prompt: job.prompt,
    schedule: draftOfSchedule(job.schedule),
    agentType: job.agentType ?? '',
    model: job.model ?? '',
    mode: job.permissions.mode,
    rules: job.permissions.rules.join('\n'),
    unattended: job.unattended,
    maxTurns: job.limits.maxTurns?.toString() ?? '',
    maxCostUsd: job.limits.maxCostUsd?.toString() ?? '',
    maxWallMinutes: String(job.limits.maxWallMs / 60_000),
    overlap: job.overlap,
    missed: job.missed,
    enabled: job.enabled,
  };
}

/** Why a new job cannot take this name, checked before asking the server. */
export function nameProblem(name: string, taken: readonly string[]): string | undefined {
  if (!JOB_NAME.test(name))
    return 'Use lower-case letters, digits and hyphens, starting with a letter or digit (at most 40).';
  if (taken.includes(name)) return `There is already a job named ${name}: edit it instead.`;
  return undefined;
}

/**
 * The body to save (the job's fields as the API takes them). Numbers are sent as typed (a word becomes NaN) so the
 * server, which owns the rules, names what is wrong; empty optional fields are left out.
 */
export function bodyOf(draft: JobDraft) {
  const number = (text: string) => (text.trim() === '' ? undefined : Number(text));
  const wall = number(draft.maxWallMinutes);
  return {
    schedule: scheduleOf(draft.schedule),
    prompt: draft.prompt,
    agentType: draft.agentType || undefined,
    model: draft.model || undefined,
    permissions: {
      mode: draft.mode,
      rules: draft.rules
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean),
    },
    unattended: draft.unattended,
    limits: {
      maxTurns: number(draft.maxTurns),
      maxCostUsd: number(draft.maxCostUsd),
      maxWallMs: wall === undefined ? undefined : Math.round(wall * 60_000),
    },
    overlap: draft.overlap,
    missed: draft.missed,
    enabled: draft.enabled,
  };
}
