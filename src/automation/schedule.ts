import { Cron } from 'croner';
import type { Job, JobSchedule } from '../contract/automation';

/** A schedule that cannot run: the expression or time zone croner refused, in its words. */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
}

const MINUTE_MS = 60_000;

/** Checks a schedule; throws ScheduleError with the reason when croner cannot read it. */
export function checkSchedule(schedule: JobSchedule): void {
  if (schedule.kind !== 'cron') return;
  try {
    new Cron(schedule.expr, { paused: true, ...(schedule.timezone ? { timezone: schedule.timezone } : {}) });
  } catch (error) {
    throw new ScheduleError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * The first tick of a schedule strictly after `after`: a cron expression's next match in its time zone; every N
 * minutes counted from `anchor` (when the job was saved); a one-off date once. Null when there is none.
 */
export function nextTick(schedule: JobSchedule, after: Date, anchor: Date): Date | null {
  switch (schedule.kind) {
    case 'cron':
      return new Cron(schedule.expr, {
        paused: true,
        ...(schedule.timezone ? { timezone: schedule.timezone } : {}),
      }).nextRun(after);
    case 'every': {
      const step = schedule.minutes * MINUTE_MS;
      const elapsed = after.getTime() - anchor.getTime();
      const ticks = elapsed < 0 ? 0 : Math.floor(elapsed / step) + 1;
      return new Date(anchor.getTime() + ticks * step);
    }
    case 'once': {
      const at = new Date(schedule.at);
      return at.getTime() > after.getTime() ? at : null;
    }
  }
}

/** The next `count` ticks after `after`, for the schedule builder. */
export function nextTicks(schedule: JobSchedule, after: Date, anchor: Date, count: number): Date[] {
  const ticks: Date[] = [];
  let from = after;
  while (ticks.length < count) {
    const tick = nextTick(schedule, from, anchor);
    if (!tick) break;
    ticks.push(tick);
    from = tick;
  }
  return ticks;
}

export const jobNextTick = (job: Job, after: Date) => nextTick(job.schedule, after, new Date(job.createdAt));
