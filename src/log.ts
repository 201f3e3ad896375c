import pino, { type Logger } from 'pino';

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

/**
 * JSON lines on stderr (stdout stays for what the user asked a command to print). Pretty output is a pipe away:
 * `boxagnts 2>&1 | npx pino-pretty`. Transports are not used because they do not survive bundling.
 */
export function createLogger(level = process.env.BOXAGNTS_LOG_LEVEL ?? 'info', destination: pino.DestinationStream = pino.destination(2)): Logger {
  return pino({ level, base: undefined, redact: { paths: REDACT, censor: '[redacted]' } }, destination);
}

export const silentLogger: Logger = pino({ level: 'silent' });
