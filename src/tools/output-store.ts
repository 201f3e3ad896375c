import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TOOL_OUTPUT_GUEST_DIR } from '../sandbox/settings';

/** Where a saved output can be read from inside the sandbox, and whether the file holds all of it. */
export interface SavedOutput {
  guestPath: string;
  complete: boolean;
}

export interface ToolOutputStoreOptions {
  /** `.boxagnts/tool-output/`, mounted read-only in the sandbox at TOOL_OUTPUT_GUEST_DIR. */
  dir: string;
  /** The most a saved file may hold (`tools.maxSavedOutputBytes`); 0 keeps nothing. */
  maxBytes(): number;
}

/** Ids name files here; one from the model (a call id) that is not a plain name is replaced by its hash. */
const PLAIN_NAME = /^[A-Za-z0-9_-]{1,100}$/;

function fileName(id: string): string {
  return PLAIN_NAME.test(id) ? id : `id-${createHash('sha256').update(id).digest('hex').slice(0, 32)}`;
}

/** Bytes of UTF-8 up to `max`, ending on a character boundary. */
function utf8Prefix(bytes: Buffer, max: number): Buffer {
  if (bytes.length <= max) return bytes;
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

/**
 * The whole output of tool calls whose result was cut for the model, one file per call
 * (`<sessionId>/<callId>.txt`), so the model can read the rest in pages. Files go with their session.
 */
export class ToolOutputStore {
  constructor(private readonly options: ToolOutputStoreOptions) {}

  /** Saves `text` (cut at the size limit, saying so); null when nothing may be kept or the write failed. */
  async save(sessionId: string, callId: string, text: string): Promise<SavedOutput | null> {
    const max = this.options.maxBytes();
    if (max <= 0) return null;
    const bytes = Buffer.from(text, 'utf8');
    const kept = utf8Prefix(bytes, max);
    const complete = kept.length === bytes.length;
    const folder = fileName(sessionId);
    const name = `${fileName(callId)}.txt`;
    try {
      await mkdir(join(this.options.dir, folder), { recursive: true, mode: 0o700 });
      const ending = complete
        ? ''
        : `\n[… cut here: the output was ${bytes.length.toLocaleString('en')} bytes; the first ${kept.length.toLocaleString('en')} are kept]\n`;
      await writeFile(
        join(this.options.dir, folder, name),
        complete ? kept : Buffer.concat([kept, Buffer.from(ending)]),
        { mode: 0o600 },
      );
    } catch {
      return null;
    }
    return { guestPath: `${TOOL_OUTPUT_GUEST_DIR}/${folder}/${name}`, complete };
  }

  /** Deletes a session's saved outputs. */
  removeSession(sessionId: string): Promise<void> {
    return rm(join(this.options.dir, fileName(sessionId)), { recursive: true, force: true });
  }
}
