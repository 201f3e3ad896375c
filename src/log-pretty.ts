import { z } from 'zod';

/** How log records are written: one JSON object a line, or one short line a record for a person at a terminal. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * `--log-format` when given (undefined when it names no format); otherwise pretty when the log goes to a terminal,
 * JSON when it goes to a file or a pipe, where a program is likelier to read it.
 */
export function resolveLogFormat(flag: string | undefined, isTTY: boolean): LogFormat | undefined {
  if (flag === undefined) return isTTY ? 'pretty' : 'json';
  return LOG_FORMATS.find((f) => f === flag);
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** ANSI colours by level: dim for the chatter, yellow and red for what needs a look. */
const COLOURS: Record<number, string> = { 10: '2', 20: '2', 30: '36', 40: '33', 50: '31', 60: '31;1' };
const ERROR_LEVEL = 50;

const RecordSchema = z.looseObject({
  level: z.number(),
  time: z.number(),
  msg: z.string().optional(),
  err: z.looseObject({ message: z.string().optional(), stack: z.string().optional() }).optional(),
});

/**
 * One pino JSON line as `HH:MM:SS LEVEL message key=value …` (local time, values compact; a string with spaces is
 * quoted). An error shows its message, and at level error its stack on the lines below. A line that is not a pino
 * record passes through as it came, so nothing is lost.
 */
export function formatLogLine(line: string, options: { colour?: boolean } = {}): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    // Not JSON: written as it came rather than dropped.
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const record = RecordSchema.safeParse(parsed);
  if (!record.success) return line.endsWith('\n') ? line : `${line}\n`;
  const { level, time, msg, err, ...fields } = record.data;
  const name = (LEVELS[level] ?? String(level)).padEnd(5);
  const shown = options.colour ? `\u001b[${COLOURS[level] ?? '0'}m${name}\u001b[0m` : name;
  const parts = [clock(time), shown, msg ?? ''];
  if (err?.message !== undefined) parts.push(`err=${compact(err.message)}`);
  for (const [key, value] of Object.entries(fields)) parts.push(`${key}=${compact(value)}`);
  const head = parts.filter((p) => p !== '').join(' ');
  const stack = level >= ERROR_LEVEL && err?.stack ? `\n${indentStack(err.stack)}` : '';
  return `${head}${stack}\n`;
}

function clock(time: number): string {
  const d = new Date(time);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

function compact(value: unknown): string {
  if (typeof value === 'string') return value === '' || /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

/** The stack's frames, without the first line that repeats the message already shown. */
function indentStack(stack: string): string {
  return stack
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .map((l) => `    ${l.trim()}`)
    .join('\n');
}

/** A pino destination that writes each record to `out` as `formatLogLine` shapes it. */
export function prettyDestination(
  out: { write(text: string): unknown },
  options: { colour?: boolean } = {},
): { write(line: string): void } {
  return {
    write(chunk: string) {
      // pino writes one record a call; split all the same, should a chunk ever hold several.
      for (const line of chunk.split('\n')) if (line !== '') out.write(formatLogLine(line, options));
    },
  };
}
