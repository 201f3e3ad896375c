import { join } from 'node:path';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../src/log';
import { configuredKeys } from '../../src/models/providers';
import { Redactor, replaceSpans } from '../../src/models/redaction';
import { ApprovalBroker } from '../../src/permissions/approvals';
import { ApiError, handleError } from '../../src/server/errors';
import { SecretsStore } from '../../src/workspace/secrets';
import { SettingsSchema } from '../../src/workspace/settings';
import { SHAPES } from '../helpers/secret-shapes';
import { tempDir } from '../helpers/workspace';

const KEY = 'sk-live-Qm7Tz2Vb9Xc4Rn8Lp1Kd';

describe('Redactor', () => {
  const redactor = new Redactor(() => [KEY]);

  it('replaces a known secret wherever it stands', () => {
    expect(redactor.redact(`key ${KEY}, again:${KEY}.`)).toBe('key [redacted], again:[redacted].');
    expect(redactor.redact(`{"message":"Incorrect key ${KEY}"}`)).toBe('{"message":"Incorrect key [redacted]"}');
  });

  it('replaces a piece of a secret of 10 characters or more: a truncated or split echo', () => {
    expect(redactor.redact('Incorrect key: sk-live-Qm7Tz2…')).toBe('Incorrect key: [redacted]…');
    expect(redactor.redact('starts sk-live-Qm7T and ends Rn8Lp1Kd')).toBe('starts [redacted] and ends Rn8Lp1Kd');
    expect(redactor.redact('glued:xx9Xc4Rn8Lp1Kdyy')).toBe('glued:xx[redacted]yy');
    // Two pieces apart are two redactions; nine characters are too few to be called a piece.
    expect(redactor.redact('Qm7Tz2Vb9X Xc4Rn8Lp1K sk-live-Q')).toBe('[redacted] [redacted] sk-live-Q');
  });

  it('replaces what looks like a sent credential, known or not', () => {
    const cases: [string, string][] = [
      ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc', 'Authorization: Bearer [redacted]'],
      ['Authorization: Basic dXNlcjpwYXNzd29yZA==.', 'Authorization: Basic [redacted].'],
      ['x-api-key: sk-ant-api03-unknown0123', 'x-api-key: [redacted]'],
      ['X-Goog-Api-Key: AIzaSyD-unknown012345', 'X-Goog-Api-Key: [redacted]'],
      ['{"headers":{"x-api-key":"sk-ant-api03-unknown0123"}}', '{"headers":{"x-api-key":"[redacted]"}}'],
      [
        'GET https://api.example.com/v1/models?key=AIzaSyD-unknown012345&pageSize=1',
        'GET https://api.example.com/v1/models?key=[redacted]&pageSize=1',
      ],
      ['POST /v1/chat?api_key=abcdefgh12345678', 'POST /v1/chat?api_key=[redacted]'],
      ['api_key=abcdefghijkl', 'api_key=[redacted]'],
    ];
    for (const [text, expected] of cases) expect(new Redactor().redact(text), text).toBe(expected);
  });

  it('leaves prose, short values and ordinary long words alone', () => {
    const plain = new Redactor();
    for (const text of [
      'Use Bearer authentication or Basic auth.',
      'a Bearer token',
      'api_key=short',
      'monkey=bananas123',
      'internationalization',
    ]) {
      expect(plain.redact(text)).toBe(text);
    }
  });

  it('ignores configured values shorter than 8 characters, so they cannot blank out ordinary text', () => {
    const short = new Redactor(() => ['local', 'abc1234', '12345678']);
    expect(short.redact('local model abc1234 at port 12345678')).toBe('local model abc1234 at port [redacted]');
  });

  it('deep-redacts a JSON value: strings in objects and arrays, keys left alone, untouched parts shared', () => {
    const clean = { type: 'tool.completed', result: { content: [{ type: 'text', text: 'nothing here' }] } };
    const event = {
      type: 'run.completed',
      error: { code: 'auth', message: `rejected ${KEY}` },
      list: ['ok', `Bearer ${KEY}`, 3, null],
      [KEY]: 1,
      clean,
    };
    const redacted = redactor.redactValue(event);
    expect(redacted).toEqual({
      type: 'run.completed',
      error: { code: 'auth', message: 'rejected [redacted]' },
      list: ['ok', 'Bearer [redacted]', 3, null],
      [KEY]: 1,
      clean,
    });
    expect(event.error.message).toBe(`rejected ${KEY}`);
    expect(redacted.clean).toBe(clean);
    expect(redactor.redactValue(clean)).toBe(clean);
  });

  it('redacts an error and keeps its class, message, stack, cause and fields', () => {
    class ProviderError extends Error {
      override readonly name = 'ProviderError';
      readonly responseBody = `{"error":"bad key ${KEY}"}`;
    }
    const error = new ProviderError(`rejected ${KEY}`, { cause: new Error(`inner Bearer ${KEY}`) });
    const redacted = redactor.redactValue(error);
    expect(redacted).toBeInstanceOf(ProviderError);
    expect(redacted.message).toBe('rejected [redacted]');
    expect(redacted.stack).toMatch(/Error: rejected \[redacted\]\n\s+at /);
    expect((redacted.cause as Error).message).toBe('inner Bearer [redacted]');
    expect(redacted.responseBody).toBe('{"error":"bad key [redacted]"}');
    expect(error.message).toBe(`rejected ${KEY}`);
  });

  it('walks a cyclic value without looping', () => {
    const value: Record<string, unknown> = { text: `key ${KEY}` };
    value.self = value;
    expect(redactor.redactValue(value).text).toBe('key [redacted]');
  });

  it('knows a key from the moment it is stored until it is removed, and the env values providers read', async () => {
    const secrets = await SecretsStore.open(join(await tempDir(), 'secrets.json'));
    const settings = SettingsSchema.parse({
      providers: {
        proxy: { kind: 'openai-compatible', baseURL: 'http://127.0.0.1:1/v1', apiKeyEnv: 'PROXY_KEY' },
        openai: { kind: 'openai', preset: 'openai' },
      },
    });
    const env = {
      PROXY_KEY: 'proxy-key-0123456789',
      OPENAI_API_KEY: 'sk-openai-from-env-42',
      UNRELATED_TOKEN: 'not-a-provider-key-99',
    };
    const live = new Redactor(() => configuredKeys(settings, { secrets, env }));
    const text = `${KEY} proxy-key-0123456789 sk-openai-from-env-42 not-a-provider-key-99`;
    expect(live.redact(text)).toBe(`${KEY} [redacted] [redacted] not-a-provider-key-99`);
    await secrets.setProviderKey('openai', KEY);
    expect(live.redact(text)).toBe('[redacted] [redacted] [redacted] not-a-provider-key-99');
    await secrets.setProviderKey('openai', undefined);
    expect(live.redact(text)).toBe(`${KEY} [redacted] [redacted] not-a-provider-key-99`);
  });

  it('redacts with the source it is bound to', () => {
    const late = new Redactor();
    expect(late.redact(`key ${KEY}`)).toBe(`key ${KEY}`);
    late.bind(() => [KEY]);
    expect(late.redact(`key ${KEY}`)).toBe('key [redacted]');
  });
});

describe('what an export takes out', () => {
  const exporter = new Redactor(() => [KEY]);
  const redactForExport = (text: string) => replaceSpans(text, exporter.findForExport(text)).text;

  it('recognises each common shape of key and token, known or not, and names its kind', () => {
    for (const [kind, secret] of Object.entries(SHAPES)) {
      const text = `before ${secret} after`;
      expect(exporter.findForExport(text), kind).toEqual([{ start: 7, end: 7 + secret.length, kind }]);
      expect(redactForExport(text), kind).toBe('before [redacted] after');
    }
  });

  it('takes out what redact does too: known secrets, pieces of them and sent credentials', () => {
    expect(exporter.findForExport(`key ${KEY}`)).toEqual([{ start: 4, end: 4 + KEY.length, kind: 'stored' }]);
    expect(redactForExport('echo: sk-live-Qm7Tz2…')).toBe('echo: [redacted]…');
    expect(exporter.findForExport('Authorization: Bearer abc123def456ghi789')).toEqual([
      { start: 22, end: 40, kind: 'credential' },
    ]);
  });

  it('makes one span of overlapping finds, of the most telling kind', () => {
    // The known key is shaped like an API key and follows Bearer: it is one stored secret.
    expect(exporter.findForExport(`Bearer ${KEY}`)).toEqual([{ start: 7, end: 7 + KEY.length, kind: 'stored' }]);
    expect(exporter.findForExport(`x-api-key: ${SHAPES['api-key']}`)).toEqual([
      { start: 11, end: 11 + SHAPES['api-key'].length, kind: 'api-key' },
    ]);
  });

  it('takes a private key cut short to the end of its base64 lines', () => {
    const cut = 'id_ed25519:\n-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIG\nxyz+/=\n… (output cut)';
    expect(redactForExport(cut)).toBe('id_ed25519:\n[redacted]… (output cut)');
  });

  it('leaves prose, identifiers and short look-alikes alone', () => {
    for (const text of [
      'We use sk-learn and the ghp_ prefix; xoxb- tokens are Slack bot tokens.',
      'task-runner-for-the-build sk-short AKIA1234 AKIAIOSFODNN7EXAMPLEXTRA',
      'eyJhbGciOiJIUzI1NiJ9 is a header alone',
      'if (pem.startsWith("-----BEGIN")) return;',
      'internationalization Bearer authentication',
    ])
      expect(exporter.findForExport(text), text).toEqual([]);
  });
});

describe('the logger', () => {
  it('redacts every string of a record: message, arguments, nested fields, error message and stack', () => {
    const lines: string[] = [];
    const redactor = new Redactor();
    const logger = createLogger(redactor, {
      level: 'debug',
      destination: { write: (line: string) => void lines.push(line) },
    });
    // Bound after the logger exists, as the workspace opens after the logger is made.
    redactor.bind(() => [KEY]);
    logger.error(
      { err: new Error(`provider said ${KEY}`), request: { url: `https://x/v1?key=${KEY}`, note: [`Bearer ${KEY}`] } },
      'call failed for %s',
      KEY,
    );
    logger.warn(new Error(`quoted ${KEY.slice(0, 14)}…`));
    const records = lines.map((line) => JSON.parse(line));
    expect(records[0]).toMatchObject({
      msg: 'call failed for [redacted]',
      err: { type: 'Error', message: 'provider said [redacted]' },
      request: { url: 'https://x/v1?key=[redacted]', note: ['Bearer [redacted]'] },
    });
    expect(records[0].err.stack).toMatch(/^Error: provider said \[redacted\]\n/);
    expect(records[1]).toMatchObject({ msg: 'quoted [redacted]…', err: { message: 'quoted [redacted]…' } });
    expect(lines.join('')).not.toContain(KEY.slice(0, 10));
  });
});

describe('API error responses', () => {
  it('are redacted as a last line, whatever worded them', async () => {
    const app = new Hono();
    app.onError(handleError(silentLogger, new Redactor(() => [KEY])));
    app.get('/api', () => {
      throw new ApiError(502, 'discovery_failed', `provider answered: bad key ${KEY}`, { hint: `Bearer ${KEY}` });
    });
    app.get('/http', () => {
      throw new HTTPException(400, { message: `rejected x-api-key: ${KEY}` });
    });
    const api = await app.request('/api');
    expect(api.status).toBe(502);
    expect(await api.json()).toEqual({
      error: { code: 'discovery_failed', message: 'provider answered: bad key [redacted]', hint: 'Bearer [redacted]' },
    });
    const http = await app.request('/http');
    expect(http.status).toBe(400);
    expect(await http.json()).toEqual({ error: { code: 'http_error', message: 'rejected x-api-key: [redacted]' } });
  });
});

describe('approval requests', () => {
  it('are kept and shown without a key the model put in its input', async () => {
    const key = 'sk-live-0123456789abcdefXYZ';
    const redactor = new Redactor(() => [key]);
    const broker = new ApprovalBroker((interaction) => redactor.redactValue(interaction));
    const opened: unknown[] = [];
    broker.onChange((change) => opened.push(change));
    const controller = new AbortController();
    const waiting = broker.open(
      {
        kind: 'approval',
        sessionId: 'ses_x',
        runId: 'run_x',
        callId: 'call_x',
        tool: 'bash',
        level: 'execute',
        input: { command: `curl -H "token: ${key}" x` },
        reason: 'asks',
      },
      controller.signal,
    );
    expect(JSON.stringify(broker.list())).not.toContain(key.slice(0, 12));
    expect(JSON.stringify(opened)).not.toContain(key.slice(0, 12));
    controller.abort();
    await expect(waiting).rejects.toThrow();
  });
});
