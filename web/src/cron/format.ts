import type { JobRun, JobRunStatus } from '@contract/automation';
import { dollars } from '../usage/format';

type Tone = 'neutral' | 'teal' | 'green' | 'amber' | 'red';

export const STATUS: Record<JobRunStatus, { label: string; tone: Tone }> = {
  queued: { label: 'Queued', tone: 'neutral' },
  running: { label: 'Running', tone: 'teal' },
  finished: { label: 'Finished', tone: 'green' },
  error: { label: 'Error', tone: 'red' },
  refused: { label: 'Refused', tone: 'red' },
  skipped: { label: 'Skipped', tone: 'neutral' },
  interrupted: { label: 'Interrupted', tone: 'red' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
  budget: { label: 'Over budget', tone: 'amber' },
  max_turns: { label: 'Turn limit', tone: 'amber' },
};

/** What started a run (a team run's trigger is one of these too). */
export const TRIGGERS: Record<JobRun['trigger'], string> = {
  schedule: 'Scheduled',
  manual: 'Run now',
  missed: 'Missed tick',
};

/** A run's cost: "unknown" when its model has no price (null) or nothing was recorded, never $0 for that. */
export const costOf = (cost: number | null | undefined): string =>
  cost === null || cost === undefined ? 'unknown' : dollars(cost);

export function duration(startedAt: string, endedAt: string | undefined): string {
  if (!endedAt) return '—';
  const seconds = Math.max(0, Math.round((Date.parse(endedAt) - Date.parse(startedAt)) / 1000));
  if (Number.isNaN(seconds)) return '—';
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
