/** The date ranges the Usage page offers; custom takes two dates from the user. */
export type RangePreset = '7d' | '30d' | 'month' | 'custom';

/** A range of whole local days: `from` and `to` are YYYY-MM-DD, both included. */
export interface DayRange {
  from: string;
  to: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A local date as YYYY-MM-DD. */
export const dayKey = (date: Date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;

/** Local midnight of a YYYY-MM-DD day, `plus` days later. */
function midnight(day: string, plus = 0): Date {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(year!, month! - 1, date! + plus);
}

/** The days a preset covers, up to and including today. */
export function presetRange(preset: Exclude<RangePreset, 'custom'>, today = new Date()): DayRange {
  const to = dayKey(today);
  if (preset === 'month') return { from: dayKey(new Date(today.getFullYear(), today.getMonth(), 1)), to };
  return { from: dayKey(midnight(to, preset === '7d' ? -6 : -29)), to };
}

/** Every day of the range in order, so the chart shows a day without calls as an empty one. */
export function daysOf(range: DayRange): string[] {
  const days: string[] = [];
  for (let day = range.from, i = 1; day <= range.to && days.length < 3660; day = dayKey(midnight(range.from, i++)))
    days.push(day);
  return days;
}

/** The query of /api/usage for the range: local midnights as instants, and the browser's time zone for the days. */
export function rangeQuery(range: DayRange): string {
  return new URLSearchParams({
    from: midnight(range.from).toISOString(),
    to: midnight(range.to, 1).toISOString(),
    tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
  }).toString();
}

const shortDate = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const longDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** A day as the page shows it: "Mar 4", or with its year. */
export const formatDay = (day: string, long = false) => (long ? longDate : shortDate).format(midnight(day));
