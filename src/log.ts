import pino, { type Logger } from 'pino';
import { type LogFormat, prettyDestination } from './log-pretty';
import { REDACTED, type Redactor } from './models/redaction';

export type { Logger };

/** Keys that may hold a secret anywhere in a log record; pino replaces their values before anything is written. */
const REDACT = [
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
];

export interface LoggerOptions {
  level?: string;
  destination?: pino.DestinationStream;
  /** `pretty` writes short lines for a person; JSON lines when absent. Applies to stderr, not to `destination`. */
  format?: LogFormat;
}

/**
 * Records on stderr (stdout stays for what the user asked a command to print): JSON lines, or with `format: 'pretty'`
 * one short line each, coloured unless NO_COLOR is set. Transports are not used because they do not survive bundling.
 *
 * Besides the fields named above, every string of a record (message, error message and stack, nested fields) goes
 * through `redactor` before it is written: a provider's words can carry a key under any name.
 */
export function createLogger(redactor: Redactor, options: LoggerOptions = {}): Logger {
  const { level = process.env.BOXAGNTS_LOG_LEVEL ?? 'info', format = 'json' } = options;
  const destination = options.destination ?? stderrDestination(format);
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: REDACT, censor: REDACTED },
      hooks: {
        logMethod(args, method) {
          method.apply(this, redactor.redactValue(args));
        },
      },
    },
    destination,
  );
}

function stderrDestination(format: LogFormat): pino.DestinationStream {
  const stderr = pino.destination(2);
  if (format === 'json') return stderr;
  return prettyDestination(stderr, { colour: process.stderr.isTTY && process.env.NO_COLOR === undefined });
}

export const silentLogger: Logger = pino({ level: 'silent' });
