/** Numbers as the dashboard shows them: thousands separated, with their unit, on one line. */

const count = new Intl.NumberFormat('en', { maximumFractionDigits: 3 });
const oneDecimal = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

const KB = 1024;
const MB = 1024 * KB;
const GB = 1024 * MB;

/** 15000000 → "15,000,000"; fractions keep up to three decimals. */
export const formatCount = (n: number): string => count.format(n);

/** A number and its unit, joined by a no-break space so they never wrap apart: "15,000,000 steps". */
export const formatAmount = (n: number, unit: string): string => `${count.format(n)}\u00a0${unit}`;

/** A byte count as people read it: 812 B, 14 KB, 3.1 MB, 2 GB (one decimal below ten, none from ten up). */
export function formatBytes(bytes: number): string {
  if (bytes < KB) return formatAmount(bytes, 'B');
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / KB;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? oneDecimal.format(value) : count.format(Math.round(value))}\u00a0${units[unit]}`;
}

/** A duration of milliseconds in the largest unit that keeps it readable: 250 ms, 30 s, 1.5 s, 5 min, 2 h. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return formatAmount(ms, 'ms');
  const s = ms / 1000;
  if (s < 60 || s % 60 !== 0) return formatAmount(s, 's');
  const min = s / 60;
  if (min < 60 || min % 60 !== 0) return formatAmount(min, 'min');
  return formatAmount(min / 60, 'h');
}

export const UNIT_BYTES = { KB, MB, GB } as const;
