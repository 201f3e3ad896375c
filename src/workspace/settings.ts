import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-write';
import { JsonFileError, describeFirstIssue, parseJsonText, validateJson } from './json-file';
import { type JsonObject, applyMergePatch, isPlainObject } from './merge-patch';

/** A host name as it may appear in a Host header: letters, digits, dots, dashes; no scheme, path or port. */
const HostName = z
  .string()
  .regex(/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i, 'must be a bare host name such as "box.example.com"');

export const SettingsSchema = z.strictObject({
  $schema: z.string().optional(),
  ui: z
    .strictObject({
      theme: z.enum(['system', 'light', 'dark']).default('system'),
    })
    .prefault({}),
  server: z
    .strictObject({
      /** Extra names the dashboard may be reached by (a tunnel, a reverse proxy), beyond loopback and this machine's addresses. */
      allowedHosts: z.array(HostName).default([]),
    })
    .prefault({}),
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

  /**
   * Applies a JSON merge patch to what is on disk now (so hand edits made meanwhile are kept), validates the result
   * and writes it atomically. Patches are applied one at a time.
   */
  patch(patch: unknown): Promise<Settings> {
    const next = this.queue.then(() => this.applyPatch(patch));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async applyPatch(patch: unknown): Promise<Settings> {
    if (!isPlainObject(patch)) throw new InvalidSettingsError('', 'the body must be a JSON object of the settings to change');
    const { raw } = await readSettingsFile(this.file, { createIfMissing: false });
    const merged = applyMergePatch(raw, patch) as JsonObject;
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

async function readSettingsFile(file: string, options: { createIfMissing: boolean }): Promise<{ raw: JsonObject; settings: Settings }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !options.createIfMissing) throw error;
    text = '{}\n';
    await writeFileAtomic(file, text);
  }
  const raw = parseJsonText(file, text);
  if (!isPlainObject(raw)) throw new JsonFileError(file, 'the top level must be a JSON object such as {}', 1);
  return { raw, settings: validateJson(file, text, raw, SettingsSchema) };
}
