import pino, { type Logger } from 'pino';
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
}

/**
 * JSON lines on stderr (stdout stays for what the user asked a command to print). Pretty output is a pipe away:
 * `boxagnts 2>&1 | npx pino-pretty`. Transports are not used because they do not survive bundling.
 *
 * Besides the fields named above, every string of a record (message, error message and stack, nested fields) goes
 * through `redactor` before it is written: a provider's words can carry a key under any name.
 */
export function createLogger(redactor: Redactor, options: LoggerOptions = {}): Logger {
  const { level = process.env.BOXAGNTS_LOG_LEVEL ?? 'info', destination = pino.destination(2) } = options;
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

export const silentLogger: Logger = pino({ level: 'silent' });
