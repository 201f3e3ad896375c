import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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
  /** The file, open for the whole message; null once a write failed (a full disk loses only this copy). */
  fd: number | null;
  /** Text not written yet. */
  pending: string;
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
 * streamed, never stored in the session, so without this copy a crash would lose what the user had already read.
 *
 * It is cheap. Writes go to a descriptor kept open while the message streams, without fsync (a process that dies
 * loses nothing the kernel already has), and the deltas of each FLUSH_INTERVAL_MS go in one write. The writes are
 * synchronous: a few bytes into the page cache cost less than a trip through the thread pool, and they stay in order
 * with the file's removal without a queue. The file is started over when a failed model call is retried (its text is
 * void) and removed once the message or the run is stored as complete. It holds a JSON line naming the run and
 * message, then the text.
 */
export class PartialTextLog {
  private readonly streaming = new Map<string, Streaming>();

  constructor(private readonly dir: string) {}

  /** Follows a run's events for the session, in the order they are stored. */
  note(sessionId: string, event: RunEvent): void {
    if (event.type === 'message.delta' && event.kind === 'text')
      this.append(sessionId, event.runId, event.messageId, event.text);
    else if (event.type === 'model.retry' || event.type === 'message.completed' || event.type === 'run.completed')
      this.discard(sessionId);
  }

  /** What a session's file holds, with what this process has still to write, or undefined when there is none. */
  async read(sessionId: string): Promise<PartialText | undefined> {
    const stream = this.streaming.get(sessionId);
    if (stream) this.flush(stream);
    // No file is the usual case (nothing was streaming); an unreadable one loses only the partial text it held.
    const content = await readFile(this.file(sessionId), 'utf8').catch(() => undefined);
    const end = content?.indexOf('\n') ?? -1;
    if (content === undefined || end < 0) return undefined;
    const header = Header.safeParse(safeJson(content.slice(0, end)));
    return header.success ? { ...header.data, text: content.slice(end + 1) } : undefined;
  }

  discard(sessionId: string): void {
    this.close(this.streaming.get(sessionId));
    this.streaming.delete(sessionId);
    rmSync(this.file(sessionId), { force: true });
  }

  /** Writes what is still pending, as a process does before it exits. */
  flushAll(): void {
    for (const stream of this.streaming.values()) this.flush(stream);
  }

  private append(sessionId: string, runId: string, messageId: string, text: string): void {
    const current = this.streaming.get(sessionId);
    if (current?.messageId === messageId) {
      current.pending += text;
      current.timer ??= setTimeout(() => this.flush(current), FLUSH_INTERVAL_MS).unref();
      return;
    }
    // A new message starts the file over at once, so it never names the previous one for longer than a write.
    this.close(current);
    const fresh: Streaming = {
      messageId,
      fd: null,
      pending: `${JSON.stringify({ runId, messageId })}\n${text}`,
      timer: null,
    };
    this.streaming.set(sessionId, fresh);
    try {
      fresh.fd = openSync(this.file(sessionId), 'w', 0o600);
    } catch {
      return;
    }
    this.flush(fresh);
  }

  private flush(stream: Streaming): void {
    if (stream.timer) clearTimeout(stream.timer);
    stream.timer = null;
    if (stream.fd === null || stream.pending === '') return;
    const text = stream.pending;
    stream.pending = '';
    try {
      writeSync(stream.fd, text);
    } catch {
      this.close(stream);
    }
  }

  private close(stream: Streaming | undefined): void {
    if (!stream) return;
    if (stream.timer) clearTimeout(stream.timer);
    stream.timer = null;
    if (stream.fd !== null) closeSync(stream.fd);
    stream.fd = null;
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
