import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { type Grant, GrantSchema } from '../contract/permissions';
import { writeFileAtomic } from './atomic-write';
import { errnoCode } from '../fs/errors';
import { JsonFileError, parseJsonText, validateJson } from './json-file';

const FileSchema = z.object({ version: z.literal(1), grants: z.array(GrantSchema) });

/**
 * Standing grants made by "Always allow in this workspace" (`.boxagnts/permissions.json`): allow rules that apply
 * after the settings rules, each with its origin, each revocable.
 */
export class GrantStore {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private grants: Grant[],
  ) {}

  static async open(file: string): Promise<GrantStore> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return new GrantStore(file, []);
      throw error;
    }
    const raw = parseJsonText(file, text);
    if (typeof raw !== 'object' || raw === null)
      throw new JsonFileError(file, 'the top level must be a JSON object', 1);
    return new GrantStore(file, validateJson(file, text, raw, FileSchema).grants);
  }

  list(): readonly Grant[] {
    return this.grants;
  }

  add(rule: string, origin: Grant['origin']): Promise<Grant> {
    const grant: Grant = {
      id: `grt_${Date.now().toString(36)}${randomBytes(4).toString('hex')}`,
      rule,
      createdAt: new Date().toISOString(),
      origin,
    };
    return this.save([...this.grants, grant]).then(() => grant);
  }

  /** False when there was no such grant. */
  async revoke(id: string): Promise<boolean> {
    if (!this.grants.some((g) => g.id === id)) return false;
    await this.save(this.grants.filter((g) => g.id !== id));
    return true;
  }

  private save(next: Grant[]): Promise<void> {
    const write = this.queue.then(async () => {
      await writeFileAtomic(this.file, `${JSON.stringify({ version: 1, grants: next }, null, 2)}\n`, { mode: 0o600 });
      this.grants = next;
    });
    // The caller gets `write` and its error; the queue only waits for it to settle before the next write.
    this.queue = write.catch(() => undefined);
    return write;
  }
}
