import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { SettingsSchema as SettingsShape } from '../contract/settings';
import { PermissionSettingsSchema } from '../permissions/settings';
import { SandboxSettingsSchema } from '../sandbox/settings';
import { writeFileAtomic } from './atomic-write';
import { errnoCode } from '../fs/errors';
import { JsonFileError, describeFirstIssue, fieldPath, parseJsonText, validateJson } from './json-file';
import { type JsonObject, isPlainObject, mergePatchObject } from './merge-patch';
import { PrototypeKeyError } from './prototype-keys';

/**
 * The contract's shape of settings.json, with the checks of the layers whose parts it holds: the sandbox's (net
 * entries, mount paths) and the permissions' (rules). Its output is the contract's `Settings`.
 */
export const SettingsSchema = SettingsShape.extend({
  permissions: PermissionSettingsSchema,
  sandbox: SandboxSettingsSchema,
});

export type Settings = z.output<typeof SettingsSchema>;

/** A settings change that would make the file invalid; names the field so the caller can point at it. */
export class InvalidSettingsError extends Error {
  override readonly name = 'InvalidSettingsError';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(field ? `${field}: ${problem}` : problem);
  }
}

type Listener = (settings: Settings) => void;

/**
 * The workspace's settings.json. The file on disk holds only what the user set; defaults fill the rest in memory.
 * A file that fails to parse or validate is reported and never rewritten.
 */
export class SettingsStore {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<Listener>();

  private constructor(
    readonly file: string,
    private current: Settings,
  ) {}

  /** Loads and validates the file, creating it as `{}` when it does not exist. Throws JsonFileError when invalid. */
  static async open(file: string): Promise<SettingsStore> {
    const { settings } = await readSettingsFile(file, { createIfMissing: true });
    return new SettingsStore(file, settings);
  }

  get(): Settings {
    return this.current;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies a JSON merge patch (RFC 7386) to the settings; see `update`. */
  patch(patch: unknown): Promise<Settings> {
    if (!isPlainObject(patch))
      return Promise.reject(new InvalidSettingsError('', 'the body must be a JSON object of the settings to change'));
    return this.update((raw) => {
      try {
        return mergePatchObject(raw, patch);
      } catch (error) {
        if (error instanceof PrototypeKeyError) throw new InvalidSettingsError(fieldPath(error.path), error.message);
        throw error;
      }
    });
  }

  /**
   * Changes what is on disk now (so hand edits made meanwhile are kept) through `change`, validates the result and
   * writes it atomically. Updates are applied one at a time.
   */
  update(change: (raw: JsonObject) => JsonObject): Promise<Settings> {
    const next = this.queue.then(() => this.applyUpdate(change));
    // The caller gets `next` and its error; the queue only waits for it to settle before the next update.
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async applyUpdate(change: (raw: JsonObject) => JsonObject): Promise<Settings> {
    const { raw } = await readSettingsFile(this.file, { createIfMissing: false });
    const merged = change(structuredClone(raw));
    const result = SettingsSchema.safeParse(merged);
    if (!result.success) {
      const { field, problem } = describeFirstIssue(result.error);
      throw new InvalidSettingsError(field, problem);
    }
    await writeFileAtomic(this.file, `${JSON.stringify(merged, null, 2)}\n`);
    this.current = result.data;
    for (const listener of this.listeners) listener(this.current);
    return this.current;
  }
}

async function readSettingsFile(
  file: string,
  options: { createIfMissing: boolean },
): Promise<{ raw: JsonObject; settings: Settings }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT' || !options.createIfMissing) throw error;
    text = '{}\n';
    await writeFileAtomic(file, text);
  }
  const raw = parseJsonText(file, text);
  if (!isPlainObject(raw)) throw new JsonFileError(file, 'the top level must be a JSON object such as {}', 1);
  return { raw, settings: validateJson(file, text, raw, SettingsSchema) };
}
