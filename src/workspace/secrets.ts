import { chmod, readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-write';
import { errnoCode } from '../fs/errors';
import { JsonFileError, parseJsonText, validateJson } from './json-file';

const SECRET_FILE_MODE = 0o600;

/** A named secret's name, as settings refer to it (`{"secret": "github-token"}`). */
export const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

const SecretsSchema = z.strictObject({
  providers: z.record(z.string(), z.strictObject({ apiKey: z.string().min(1) })).default({}),
  /** Named secrets that settings refer to (an MCP server's token or environment), never written into settings. */
  values: z.record(z.string().regex(SECRET_NAME), z.string().min(1)).default({}),
});

type Secrets = z.output<typeof SecretsSchema>;

/**
 * Provider keys and named secrets in secrets.json (mode 0600). Values never leave this class except to build a provider client and
 * to tell the redactor what to take out: no API returns them and no log line carries them.
 */
export class SecretsStore {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private data: Secrets,
  ) {}

  static async open(file: string): Promise<SecretsStore> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
      text = '{}\n';
      await writeFileAtomic(file, text, { mode: SECRET_FILE_MODE });
    }
    const { mode } = await stat(file);
    if ((mode & 0o077) !== 0) await chmod(file, SECRET_FILE_MODE);
    const raw = parseJsonText(file, text);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new JsonFileError(file, 'the top level must be a JSON object', 1);
    return new SecretsStore(file, validateJson(file, text, raw, SecretsSchema));
  }

  providerKey(providerId: string): string | undefined {
    return this.data.providers[providerId]?.apiKey;
  }

  /** Every stored key and secret, for redaction. */
  providerKeys(): string[] {
    return [...Object.values(this.data.providers).map((p) => p.apiKey), ...Object.values(this.data.values)];
  }

  /** A named secret's value. */
  secret(name: string): string | undefined {
    return Object.hasOwn(this.data.values, name) ? this.data.values[name] : undefined;
  }

  /** The names of the stored secrets (never their values). */
  secretNames(): string[] {
    return Object.keys(this.data.values).sort();
  }

  /** Stores a named secret, or removes it when `value` is undefined. */
  setSecret(name: string, value: string | undefined): Promise<void> {
    if (!SECRET_NAME.test(name)) return Promise.reject(new Error(`"${name}" is not a secret name`));
    const values = { ...this.data.values };
    if (value === undefined) delete values[name];
    else values[name] = value;
    return this.save({ ...this.data, values });
  }

  hasProviderKey(providerId: string): boolean {
    return this.providerKey(providerId) !== undefined;
  }

  /** Stores a key, or removes it when `apiKey` is undefined. */
  setProviderKey(providerId: string, apiKey: string | undefined): Promise<void> {
    const providers = { ...this.data.providers };
    if (apiKey === undefined) delete providers[providerId];
    else providers[providerId] = { apiKey };
    return this.save({ ...this.data, providers });
  }

  private save(next: Secrets): Promise<void> {
    const write = this.queue.then(async () => {
      await writeFileAtomic(this.file, `${JSON.stringify(next, null, 2)}\n`, { mode: SECRET_FILE_MODE });
      this.data = next;
    });
    // The caller gets `write` and its error; the queue only waits for it to settle before the next write.
    this.queue = write.catch(() => undefined);
    return write;
  }
}
