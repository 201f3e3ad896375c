import { type FileHandle, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { RunEvent } from '../contract/events';

const Header = z.object({ runId: z.string(), messageId: z.string() });

/** The text a message had streamed when its process died, and which message of which run it was. */
export interface PartialText {
  runId: string;
  messageId: string;
  text: string;
}

interface Streaming {
  messageId: string;
  /** Text not written yet; the first write of a message also carries the header and starts the file over. */
  pending: string;
  /** The file, open for the whole message: opening it for every write cost more than the writes. */
  handle: FileHandle | null;
  /** The next write, due FLUSH_INTERVAL_MS after the first delta it carries. */
  timer: NodeJS.Timeout | null;
}

/**
 * Deltas are gathered this long before they are written: a crash may lose what arrived in the last interval, and
 * fifty sessions streaming at once no longer cost a write per delta each.
 */
const FLUSH_INTERVAL_MS = 50;

/**
 * The text of the assistant message being streamed, kept in `<session id>.partial` beside the session. Deltas are
 * streamed, never stored in the session, so without this copy a crash would lose what the user had already read. It
 * is cheap: appended without fsync (a process that dies loses nothing the kernel already has) through a handle kept
 * open while the message streams, the deltas of each FLUSH_INTERVAL_MS in one write; it is started over when a failed
 * model call is retried (its text is void), and removed once the message or the run is stored as complete. The file is a JSON line naming the run and message, then the text.
 */
export class PartialTextLog {
  private readonly streaming = new Map<string, Streaming>();
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly dir: string) {}

  /** Follows a run's events for the session, in the order they are stored. */
  note(sessionId: string, event: RunEvent): void {
    if (event.type === 'message.delta' && event.kind === 'text') this.append(sessionId, event.runId, event.messageId, event.text);
    else if (event.type === 'model.retry' || event.type === 'message.completed' || event.type === 'run.completed') void this.discard(sessionId);
  }

  /** What a session's file holds, or undefined when there is none (or only a torn header). */
  async read(sessionId: string): Promise<PartialText | undefined> {
    await this.chains.get(sessionId);
    const content = await readFile(this.file(sessionId), 'utf8').catch(() => undefined);
    const end = content?.indexOf('\n') ?? -1;
    if (content === undefined || end < 0) return undefined;
    const header = Header.safeParse(safeJson(content.slice(0, end)));
    return header.success ? { ...header.data, text: content.slice(end + 1) } : undefined;
  }

  discard(sessionId: string): Promise<void> {
    const stream = this.streaming.get(sessionId);
    if (stream?.timer) clearTimeout(stream.timer);
    this.streaming.delete(sessionId);
    return this.enqueue(sessionId, async () => {
      await this.close(stream);
      await rm(this.file(sessionId), { force: true });
    });
  }

  /** Resolves once every write started so far has finished. */
  async settle(): Promise<void> {
    await Promise.all(this.chains.values());
  }

  private append(sessionId: string, runId: string, messageId: string, text: string): void {
    const current = this.streaming.get(sessionId);
    if (current?.messageId === messageId) {
      current.pending += text;
      current.timer ??= setTimeout(() => {
        current.timer = null;
        void this.enqueue(sessionId, () => this.flush(sessionId, current));
      }, FLUSH_INTERVAL_MS).unref();
      return;
    }
    // A new message starts the file over at once, so it never names the previous one for longer than a write.
    if (current?.timer) clearTimeout(current.timer);
    const fresh: Streaming = { messageId, pending: `${JSON.stringify({ runId, messageId })}\n${text}`, handle: null, timer: null };
    this.streaming.set(sessionId, fresh);
    void this.enqueue(sessionId, async () => {
      await this.close(current);
      await this.flush(sessionId, fresh);
    });
  }

  private async flush(sessionId: string, stream: Streaming): Promise<void> {
    if (stream.pending === '') return;
    const text = stream.pending;
    stream.pending = '';
    stream.handle ??= await open(this.file(sessionId), 'w', 0o600);
    await stream.handle.write(text);
  }

  private async close(stream: Streaming | undefined): Promise<void> {
    const handle = stream?.handle;
    if (!stream || !handle) return;
    stream.handle = null;
    await handle.close();
  }

  /** File operations of a session, one after another; a failed one (a full disk) loses only this copy. */
  private enqueue(sessionId: string, operation: () => Promise<unknown>): Promise<void> {
    const next = (this.chains.get(sessionId) ?? Promise.resolve()).then(operation).then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(sessionId, next);
    void next.then(() => {
      if (this.chains.get(sessionId) === next) this.chains.delete(sessionId);
    });
    return next;
  }

  private file(sessionId: string): string {
    return join(this.dir, `${sessionId}.partial`);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
