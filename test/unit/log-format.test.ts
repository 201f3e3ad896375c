import { describe, expect, it } from 'vitest';
import { UsageError, parseLogFormat } from '../../src/cli/usage';
import { createLogger } from '../../src/log';
import { formatLogLine, prettyDestination, resolveLogFormat } from '../../src/log-pretty';
import { networkAbsence } from '../../src/models/network-absent';
import { Redactor } from '../../src/models/redaction';

const TIME = Date.UTC(2026, 0, 2, 3, 4, 5);
/** The record's time as the formatter shows it: local time, whatever zone the tests run in. */
const CLOCK = new Date(TIME).toTimeString().slice(0, 8);

describe('the pretty log format', () => {
  it('writes time, level, message and the fields compactly on one line', () => {
    const line = JSON.stringify({
      level: 30,
      time: TIME,
      msg: 'server ready',
      url: 'http://127.0.0.1:30001',
      workspace: '/home/me/my project',
      port: 30001,
      tags: ['a', 'b'],
    });
    expect(formatLogLine(line)).toBe(
      `${CLOCK} INFO  server ready url=http://127.0.0.1:30001 workspace="/home/me/my project" port=30001 tags=["a","b"]\n`,
    );
  });

  it('names every level and shows an error by its message, with the stack only at level error', () => {
    const err = {
      type: 'Error',
      message: 'no route',
      stack: 'Error: no route\n    at a (x.js:1:1)\n    at b (y.js:2:2)',
    };
    expect(formatLogLine(JSON.stringify({ level: 20, time: TIME, msg: 'tried' }))).toBe(`${CLOCK} DEBUG tried\n`);
    expect(formatLogLine(JSON.stringify({ level: 40, time: TIME, msg: 'odd', err }))).toBe(
      `${CLOCK} WARN  odd err="no route"\n`,
    );
    expect(formatLogLine(JSON.stringify({ level: 50, time: TIME, msg: 'failed', err }))).toBe(
      `${CLOCK} ERROR failed err="no route"\n    at a (x.js:1:1)\n    at b (y.js:2:2)\n`,
    );
  });

  it('colours the level when asked, and passes a line that is no record through unchanged', () => {
    expect(formatLogLine(JSON.stringify({ level: 40, time: TIME, msg: 'm' }), { colour: true })).toBe(
      `${CLOCK} \u001b[33mWARN \u001b[0m m\n`,
    );
    expect(formatLogLine('not json')).toBe('not json\n');
    expect(formatLogLine('{"no":"level"}')).toBe('{"no":"level"}\n');
  });

  it('formats what the logger writes, redacted as the JSON is', () => {
    const out: string[] = [];
    const redactor = new Redactor();
    redactor.bind(() => ['sk-secret-value-1234567890']);
    const logger = createLogger(redactor, {
      level: 'debug',
      destination: prettyDestination({ write: (text: string) => out.push(text) }),
    });
    logger.info({ sessionId: 'ses_1', key: 'sk-secret-value-1234567890' }, 'run started');
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^\d\d:\d\d:\d\d INFO {2}run started sessionId=ses_1 key=\[redacted\]\n$/);
  });
});

describe('--log-format', () => {
  it('is pretty on a terminal and JSON otherwise unless given; an unknown one is a usage error', () => {
    expect(resolveLogFormat(undefined, true)).toBe('pretty');
    expect(resolveLogFormat(undefined, false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
    expect(resolveLogFormat('yaml', true)).toBeUndefined();
    expect(parseLogFormat('json')).toBe('json');
    expect(() => parseLogFormat('yaml')).toThrow(UsageError);
    expect(() => parseLogFormat('yaml')).toThrow('--log-format must be one of json, pretty, not "yaml"');
  });
});

describe('networkAbsence', () => {
  const failed = (cause: unknown) => new TypeError('fetch failed', { cause });
  const code = (c: string) => Object.assign(new Error(c), { code: c });

  it('recognises a fetch that found no network: DNS, refused, unreachable, timed out', () => {
    for (const c of ['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'ETIMEDOUT'])
      expect(networkAbsence(failed(code(c)))).toBe(c);
    expect(networkAbsence(failed(new AggregateError([code('EACCES'), code('ENETUNREACH')])))).toBe('ENETUNREACH');
    expect(networkAbsence(new DOMException('timed out', 'TimeoutError'))).toBe('TimeoutError');
  });

  it('does not excuse a server that answered wrongly or any other failure', () => {
    expect(networkAbsence(new Error('models.dev answered 500'))).toBeUndefined();
    expect(networkAbsence(new SyntaxError('Unexpected token < in JSON'))).toBeUndefined();
    expect(networkAbsence(failed(code('EACCES')))).toBeUndefined();
    expect(networkAbsence('ECONNREFUSED')).toBeUndefined();
  });
});
