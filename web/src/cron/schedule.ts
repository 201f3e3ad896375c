import type { JobSchedule } from '@contract/automation';

export type ScheduleKind = JobSchedule['kind'];
export type Preset = 'hourly' | 'daily' | 'weekdays' | 'weekly' | 'custom';

/** The schedule builder as typed: every kind's fields are kept, so switching kinds back and forth loses nothing. */
export interface ScheduleDraft {
  kind: ScheduleKind;
  preset: Preset;
  /** `HH:MM`, for the daily, weekday and weekly presets. */
  time: string;
  /** 0 (Sunday) to 6. */
  weekday: string;
  expr: string;
  timezone: string;
  minutes: string;
  /** A `datetime-local` value, in the browser's time zone. */
  at: string;
}

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export const browserTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

export function emptySchedule(): ScheduleDraft {
  return {
    kind: 'cron',
    preset: 'daily',
    time: '09:00',
    weekday: '1',
    expr: '0 9 * * *',
    timezone: browserTimeZone(),
    minutes: '60',
    at: '',
  };
}

const two = (n: number) => String(n).padStart(2, '0');

/** The preset a cron expression is, with its time and day; undefined for any other expression. */
function presetOf(expr: string): Pick<ScheduleDraft, 'preset' | 'time' | 'weekday'> | undefined {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) return undefined;
  const [minute = '', hour = '', dom, month, dow = ''] = parts;
  if (dom !== '*' || month !== '*' || !/^\d{1,2}$/.test(minute)) return undefined;
  if (hour === '*' && dow === '*' && minute === '0') return { preset: 'hourly', time: '09:00', weekday: '1' };
  if (!/^\d{1,2}$/.test(hour)) return undefined;
  const time = `${two(Number(hour))}:${two(Number(minute))}`;
  if (dow === '*') return { preset: 'daily', time, weekday: '1' };
  if (dow === '1-5') return { preset: 'weekdays', time, weekday: '1' };
  if (/^[0-6]$/.test(dow)) return { preset: 'weekly', time, weekday: dow };
  return undefined;
}

export function draftOfSchedule(schedule: JobSchedule): ScheduleDraft {
  const draft = emptySchedule();
  if (schedule.kind === 'every') return { ...draft, kind: 'every', minutes: String(schedule.minutes) };
  if (schedule.kind === 'once') return { ...draft, kind: 'once', at: localInput(new Date(schedule.at)) };
  const preset = presetOf(schedule.expr) ?? { preset: 'custom' as const, time: draft.time, weekday: draft.weekday };
  // A job saved without a zone runs in the server's; the form shows it as "Server's time zone", not the browser's.
  return { ...draft, ...preset, expr: schedule.expr, timezone: schedule.timezone ?? '' };
}

/** A date as a `datetime-local` input takes it, in the browser's time zone. */
function localInput(date: Date): string {
  if (Number.isNaN(date.getTime())) return '';
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}`;
}

/** The cron expression a preset stands for. */
export function exprOf(draft: ScheduleDraft): string {
  const [hour = '9', minute = '0'] = draft.time.split(':').map((p) => String(Number(p)));
  switch (draft.preset) {
    case 'hourly':
      return '0 * * * *';
    case 'daily':
      return `${minute} ${hour} * * *`;
    case 'weekdays':
      return `${minute} ${hour} * * 1-5`;
    case 'weekly':
      return `${minute} ${hour} * * ${draft.weekday}`;
    case 'custom':
      return draft.expr.trim();
  }
}

/**
 * The schedule to send. Values are sent as typed (a word in "minutes" becomes NaN) so that the server, which owns
 * the rules, says what is wrong with them.
 */
export function scheduleOf(draft: ScheduleDraft): JobSchedule {
  if (draft.kind === 'every') return { kind: 'every', minutes: Number(draft.minutes) };
  if (draft.kind === 'once') {
    const at = new Date(draft.at);
    return { kind: 'once', at: Number.isNaN(at.getTime()) ? draft.at : at.toISOString() };
  }
  return { kind: 'cron', expr: exprOf(draft), ...(draft.timezone ? { timezone: draft.timezone } : {}) };
}

const timeWords = (hour: string, minute: string) => `${two(Number(hour))}:${two(Number(minute))}`;

/** A schedule in words: "Every day at 09:00", "Every 15 minutes", "Once, on 3 Jun 2025, 14:00". */
export function scheduleWords(schedule: JobSchedule): string {
  if (schedule.kind === 'every') {
    const m = schedule.minutes;
    if (m === 1) return 'Every minute';
    if (m % 1440 === 0) return m === 1440 ? 'Every day' : `Every ${m / 1440} days`;
    if (m % 60 === 0) return m === 60 ? 'Every hour' : `Every ${m / 60} hours`;
    return `Every ${m} minutes`;
  }
  if (schedule.kind === 'once') return `Once, on ${absolute(schedule.at)}`;
  const zone = schedule.timezone && schedule.timezone !== browserTimeZone() ? ` (${schedule.timezone})` : '';
  const named: Record<string, string> = {
    '@hourly': 'Every hour',
    '@daily': 'Every day at 00:00',
    '@midnight': 'Every day at 00:00',
    '@weekly': 'Every Sunday at 00:00',
    '@monthly': 'On the 1st of every month at 00:00',
    '@yearly': 'Every 1 January at 00:00',
    '@annually': 'Every 1 January at 00:00',
  };
  const expr = schedule.expr.trim();
  if (named[expr]) return named[expr] + zone;
  const preset = presetOf(expr);
  if (!preset) return `Cron ${expr}${zone}`;
  const [hour = '0', minute = '0'] = preset.time.split(':');
  const at = timeWords(hour, minute);
  switch (preset.preset) {
    case 'hourly':
      return `Every hour${zone}`;
    case 'daily':
      return `Every day at ${at}${zone}`;
    case 'weekdays':
      return `Weekdays at ${at}${zone}`;
    default:
      return `Every ${WEEKDAYS[Number(preset.weekday)]} at ${at}${zone}`;
  }
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** A moment in the browser's time zone: "Mon, 2 Jun 2025, 09:00". */
export const absolute = (iso: string): string => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
};

/** "in 3 hours", "5 minutes ago": the largest unit that fits. */
export function relative(iso: string, now = Date.now()): string {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  if (Number.isNaN(seconds)) return '';
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['day', 86_400],
    ['hour', 3600],
    ['minute', 60],
  ];
  for (const [unit, size] of units)
    if (Math.abs(seconds) >= size) return relativeFormat.format(Math.round(seconds / size), unit);
  return seconds >= 0 ? 'in less than a minute' : 'just now';
}
