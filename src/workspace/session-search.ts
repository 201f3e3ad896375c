import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { errnoCode } from '../fs/errors';
import { writeFileAtomic } from './atomic-write';
import { SessionNotFoundError, type SessionStore } from './sessions';

/** What one session contributes to the index at most (its newest text): titles and messages, not tool outputs. */
const MAX_TEXT = 64 * 1024;
/** Characters shown on each side of a hit. */
const SNIPPET = 60;

const IndexFile = z.object({
  version: z.literal(1),
  entries: z.record(z.string(), z.object({ bytes: z.number(), text: z.string() })),
});

/** The words of a session that search looks through: its messages, the user's and the agent's. */
function textOf(events: readonly { type: string; text?: unknown; command?: unknown }[]): string {
  const parts: string[] = [];
  for (const event of events) {
    if (event.type !== 'message.user' && event.type !== 'message.completed') continue;
    const text = typeof event.command === 'string' ? event.command : event.text;
    if (typeof text === 'string' && text) parts.push(text);
  }
  const joined = parts.join('\n').toLowerCase();
  return joined.length > MAX_TEXT ? joined.slice(-MAX_TEXT) : joined;
}

/**
 * Full-text search over the sessions' messages, from an index kept in `.boxagnts/cache/` beside the session files
 * (which stay the truth): an entry is read again when its session's file has grown, dropped when the session is
 * gone, and the whole index is rebuilt when the file is missing or unreadable. A search scans the index in memory.
 */
export class SessionSearch {
  private entries = new Map<string, { bytes: number; text: string }>();
  private refreshing: Promise<void> | null = null;

  /** Read from disk at the first search, not when the runtime opens: start-up never waits for it. */
  private loaded = false;

  constructor(
    private readonly file: string,
    private readonly stores: SessionStore[],
  ) {}

  private async load(): Promise<void> {
    this.loaded = true;
    try {
      const parsed = IndexFile.safeParse(JSON.parse(await readFile(this.file, 'utf8')));
      // An index that does not fit is rebuilt from the sessions: it holds nothing they do not.
      if (parsed.success) this.entries = new Map(Object.entries(parsed.data.entries));
    } catch (error) {
      if (!(error instanceof SyntaxError) && errnoCode(error) !== 'ENOENT') throw error;
    }
  }

  /**
   * The sessions whose messages hold `query` (case-insensitive), each with a snippet around the first hit. Sessions
   * changed since the last search are read first.
   */
  async search(query: string): Promise<Map<string, string>> {
    await this.refresh();
    const needle = query.trim().toLowerCase();
    const hits = new Map<string, string>();
    if (!needle) return hits;
    for (const [id, entry] of this.entries) {
      const at = entry.text.indexOf(needle);
      if (at === -1) continue;
      const start = Math.max(0, at - SNIPPET);
      const end = Math.min(entry.text.length, at + needle.length + SNIPPET);
      const snippet = entry.text.slice(start, end).replace(/\s+/g, ' ').trim();
      hits.set(id, `${start > 0 ? '…' : ''}${snippet}${end < entry.text.length ? '…' : ''}`);
    }
    return hits;
  }

  /** Brings the index in line with the sessions, one refresh at a time; saves it when it changed. */
  refresh(): Promise<void> {
    this.refreshing ??= this.update().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async update(): Promise<void> {
    if (!this.loaded) await this.load();
    const sessions = this.stores.flatMap((store) => store.all().map((summary) => ({ store, summary })));
    const known = new Set(sessions.map((s) => s.summary.id));
    let changed = false;
    for (const id of this.entries.keys())
      if (!known.has(id)) {
        this.entries.delete(id);
        changed = true;
      }
    const stale = sessions.filter(({ summary }) => this.entries.get(summary.id)?.bytes !== summary.bytes);
    for (const { store, summary } of stale) {
      try {
        const { events } = await store.read(summary.id);
        this.entries.set(summary.id, {
          bytes: summary.bytes,
          text: `${summary.title.toLowerCase()}\n${textOf(events)}`,
        });
        changed = true;
      } catch (error) {
        // A session deleted meanwhile is simply not indexed; anything else is a real problem.
        if (!(error instanceof SessionNotFoundError)) throw error;
      }
    }
    if (changed)
      await writeFileAtomic(this.file, JSON.stringify({ version: 1, entries: Object.fromEntries(this.entries) }), {
        mode: 0o600,
      });
  }
}
