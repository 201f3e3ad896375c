import { randomBytes } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { access, open, readFile, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { EVENT_TYPES, type StampedEvent, StampedEventSchema } from '../contract/events';
import {
  type SessionSummary as PublicSummary,
  SessionSummarySchema,
  type SpawnedBy,
  SpawnedBySchema,
} from '../contract/sessions';
import { writeFileAtomic } from './atomic-write';
import { errnoCode } from '../fs/errors';
import { describeFirstIssue } from './json-file';
import { parseJsonl } from './jsonl';
import { processExists } from './process-alive';

export const SESSION_ID = /^ses_[0-9a-z]{16,40}$/;
const SESSION_FILE = /^(ses_[0-9a-z]{16,40})\.jsonl$/;
const LOCK_FILE = /^(ses_[0-9a-z]{16,40})\.lock$/;
const INDEX_FILE = 'index.json';
const INDEX_FLUSH_MS = 500;
const TITLE_MAX = 200;

export function newSessionId(): string {
  const time = Date.now().toString(36).padStart(9, '0');
  const random = BigInt(`0x${randomBytes(8).toString('hex')}`)
    .toString(36)
    .padStart(13, '0')
    .slice(0, 12);
  return `ses_${time}${random}`;
}

const HeaderSchema = z.object({
  type: z.literal('session'),
  version: z.literal(1),
  id: z.string().regex(SESSION_ID),
  createdAt: z.string(),
  title: z.string(),
  /** Event ids continue from here after a clear, so they stay monotonic for the life of the session. */
  baseEventId: z.number().int().min(0).optional(),
  parent: z.object({ sessionId: z.string(), eventId: z.number() }).optional(),
  spawnedBy: SpawnedBySchema.optional(),
  importedFrom: z.string().optional(),
  /** The scheduled job whose run this session is. */
  job: z.string().optional(),
});
export type SessionHeader = z.output<typeof HeaderSchema>;

/** A line as it is appended (or copied into a fork or an import): an event plus its id and time. Reading checks it against the contract. */
export interface StoredEvent {
  id: number;
  type: string;
  time: string;
  [key: string]: unknown;
}

/** An event to append: the store adds its id and time. */
export type NewEvent = { type: string; [key: string]: unknown };

const StoredEventShape = z.looseObject({ id: z.number().int().positive(), type: z.string().min(1), time: z.string() });

/** A session in the index: what clients are shown of it but whether it runs (the store knows no runs), and the file's size and time. */
export type SessionSummary = Omit<PublicSummary, 'running'> & { bytes: number; mtimeMs: number };

/** An entry of index.json as read back: one that does not fit is left out, and its file scanned again. */
const IndexEntrySchema = SessionSummarySchema.omit({ running: true }).extend({
  id: z.string().regex(SESSION_ID),
  bytes: z.number(),
  mtimeMs: z.number(),
});

const IndexFileSchema = z.object({
  version: z.literal(1),
  clean: z.boolean().optional(),
  sessions: z.array(z.unknown()),
});

/** A run lock: the process that holds it. */
const LockFileSchema = z.object({ pid: z.number().int() });

/** A session as clients see it: the index's bookkeeping (file size and time) stays inside. */
export function publicSummary(
  { bytes: _bytes, mtimeMs: _mtime, ...summary }: SessionSummary,
  running: boolean,
): PublicSummary {
  return { ...summary, running };
}

export interface LoadedSession {
  header: SessionHeader;
  summary: SessionSummary;
  /** The events this version knows; lines of types from a newer version stay in the file and are skipped here. */
  events: StampedEvent[];
  /** Lines that were damaged and skipped, for the user to see. */
  warnings: string[];
}

export type SessionChange = { type: 'created' | 'updated'; session: SessionSummary } | { type: 'deleted'; id: string };

/** How the layer above reads its own events: whether one is a message, and a title it suggests. */
export interface EventInterpreter {
  isMessage(event: StoredEvent): boolean;
  titleHint(event: StoredEvent): string | undefined;
}

export class SessionNotFoundError extends Error {
  override readonly name = 'SessionNotFoundError';
  constructor(readonly id: string) {
    super(`No session ${id}`);
  }
}

export class SessionLockedError extends Error {
  override readonly name = 'SessionLockedError';
}

const RENAMED = 'session.renamed';
const TITLED = 'session.titled';
const PINNED = 'session.pinned';

export const DEFAULT_TITLE = 'New session';

export function cleanTitle(title: string): string {
  const single = title.replace(/\s+/g, ' ').trim();
  return single.length > TITLE_MAX ? `${single.slice(0, TITLE_MAX - 1)}…` : single;
}

export interface SessionStoreOptions {
  /** Deletes what else belongs to a session (its saved tool output); runs before the session file goes. */
  onDelete?(id: string): Promise<void>;
  /** The store of archived sessions (`sessions/archive/`): its summaries say so. */
  archived?: boolean;
}

/**
 * Sessions as append-only JSONL files (`<id>.jsonl`: a header line, then one event per line, fsynced per append),
 * with `index.json` as a listing cache that is rebuilt from the files when missing or stale.
 */
export class SessionStore {
  private readonly index = new Map<string, SessionSummary>();
  private sorted: SessionSummary[] | null = null;
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly listeners = new Set<(change: SessionChange) => void>();
  /** Sessions whose file ends in a torn line: the next append starts with a newline so it stays separate. */
  private readonly tornTails = new Set<string>();
  private flushTimer: NodeJS.Timeout | null = null;
  private watcher: FSWatcher | null = null;
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly interpret: EventInterpreter,
    private readonly options: SessionStoreOptions,
  ) {}

  static async open(
    dir: string,
    interpret: EventInterpreter,
    options: SessionStoreOptions = {},
  ): Promise<SessionStore> {
    const store = new SessionStore(dir, interpret, options);
    await store.loadIndex();
    return store;
  }

  onChange(listener: (change: SessionChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(id: string): SessionSummary | undefined {
    return this.index.get(id);
  }

  /** Every session the store knows, in no order (for indexes kept beside it). */
  all(): SessionSummary[] {
    return [...this.index.values()];
  }

  /**
   * A page of sessions, newest first: all of them, or those whose title holds `query` or that `matches` names (the
   * full-text search's hits).
   */
  list(
    options: {
      limit?: number;
      cursor?: string | undefined;
      query?: string | undefined;
      matches?: ReadonlySet<string> | undefined;
      /** Only the runs of this scheduled job (`*`: of any job). */
      job?: string | undefined;
    } = {},
  ): {
    sessions: SessionSummary[];
    nextCursor: string | null;
    total: number;
  } {
    this.sorted ??= [...this.index.values()].sort((a, b) =>
      a.updatedAt === b.updatedAt ? (a.id < b.id ? 1 : -1) : a.updatedAt < b.updatedAt ? 1 : -1,
    );
    const query = options.query?.trim().toLowerCase();
    const { job } = options;
    const ofJob = job ? this.sorted.filter((s) => (job === '*' ? s.job !== undefined : s.job === job)) : this.sorted;
    const all = query
      ? ofJob.filter((s) => s.title.toLowerCase().includes(query) || options.matches?.has(s.id) === true)
      : ofJob;
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
    let start = 0;
    if (options.cursor) {
      const at = all.findIndex((s) => s.id === options.cursor);
      start = at === -1 ? all.length : at + 1;
    }
    const sessions = all.slice(start, start + limit);
    const more = start + limit < all.length;
    return { sessions, nextCursor: more ? sessions.at(-1)!.id : null, total: all.length };
  }

  /** Creates a session, optionally with events already stamped (a fork or an import). */
  async create(
    init: {
      title?: string;
      parent?: SessionHeader['parent'];
      spawnedBy?: SpawnedBy;
      importedFrom?: string;
      job?: string;
      events?: StoredEvent[];
    } = {},
  ): Promise<SessionSummary> {
    const id = newSessionId();
    const header: SessionHeader = {
      type: 'session',
      version: 1,
      id,
      createdAt: new Date().toISOString(),
      title: init.title ? cleanTitle(init.title) : DEFAULT_TITLE,
      ...(init.parent ? { parent: init.parent } : {}),
      ...(init.spawnedBy ? { spawnedBy: init.spawnedBy } : {}),
      ...(init.importedFrom ? { importedFrom: init.importedFrom } : {}),
      ...(init.job ? { job: init.job } : {}),
    };
    const lines = [header, ...(init.events ?? [])].map((l) => `${JSON.stringify(l)}\n`).join('');
    await writeFileAtomic(this.file(id), lines, { mode: 0o600 });
    const summary = await this.scan(id);
    this.put(summary);
    this.emit({ type: 'created', session: summary });
    return summary;
  }

  async read(id: string): Promise<LoadedSession> {
    this.assertId(id);
    let text: string;
    try {
      text = await readFile(this.file(id), 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') throw new SessionNotFoundError(id);
      throw error;
    }
    return this.parse(id, text);
  }

  /**
   * Appends stamped events in one write and fsyncs it. Ids continue from the file's last id, re-read if another
   * process (a headless run) appended meanwhile.
   */
  append<E extends NewEvent>(id: string, events: E[]): Promise<(E & { id: number; time: string })[]> {
    return this.serial(id, async () => {
      const summary = this.require(id);
      const handle = await open(this.file(id), 'a');
      try {
        const { size } = await handle.stat();
        if (size !== summary.bytes) {
          const fresh = await this.scan(id);
          Object.assign(summary, fresh, { lastEventId: Math.max(fresh.lastEventId, summary.lastEventId) });
        }
        const stamped = events.map((e) => this.stamp(summary, e));
        const prefix = this.tornTails.delete(id) ? '\n' : '';
        const text = prefix + stamped.map((e) => `${JSON.stringify(e)}\n`).join('');
        await handle.write(text);
        await handle.datasync();
        summary.bytes = size + Buffer.byteLength(text);
        summary.mtimeMs = Date.now();
        summary.updatedAt = new Date().toISOString();
        for (const event of stamped) this.absorb(summary, event);
        this.changed(summary);
        return stamped;
      } finally {
        await handle.close();
      }
    });
  }

  /** Gives an event that is only streamed (a delta) an id from the same sequence, without writing it. */
  stampEphemeral<E extends { type: string }>(id: string, event: E): E & { id: number; time: string } {
    return this.stamp(this.require(id), event);
  }

  /** Pins a session (no retention rule moves it) or unpins it. */
  pin(id: string, pinned: boolean): Promise<SessionSummary> {
    return this.append(id, [{ type: PINNED, pinned }]).then(() => this.require(id));
  }

  /**
   * Moves a session's file into another store's folder (archiving, restoring), under its run lock so no run of any
   * process is writing to it. The file's time is set to the move's (`at`): the archive counts a session's days from there.
   */
  transfer(id: string, to: SessionStore, at = new Date()): Promise<SessionSummary> {
    return this.serial(id, async () => {
      this.require(id);
      const release = await this.lock(id);
      try {
        const exists = await access(to.file(id)).then(
          () => true,
          () => false,
        );
        if (exists) throw new SessionLockedError(`session ${id} is already in ${to.dir}`);
        await utimes(this.file(id), at, at);
        await rename(this.file(id), to.file(id));
      } finally {
        await release();
      }
      this.index.delete(id);
      this.tornTails.delete(id);
      this.sorted = null;
      this.scheduleFlush();
      this.emit({ type: 'deleted', id });
      return to.adopt(id);
    });
  }

  rename(id: string, title: string): Promise<SessionSummary> {
    const clean = cleanTitle(title);
    if (!clean) throw new RangeError('a session title must not be empty');
    return this.append(id, [{ type: RENAMED, title: clean }]).then(() => this.require(id));
  }

  /** Empties a session's history, keeping its id, title and event numbering. */
  clear(id: string): Promise<SessionSummary> {
    return this.serial(id, async () => {
      const { header, summary } = await this.read(id);
      const title = summary.titleSource === 'user' ? summary.title : DEFAULT_TITLE;
      const cleared: SessionHeader = { ...header, title, baseEventId: summary.lastEventId };
      await writeFileAtomic(this.file(id), `${JSON.stringify(cleared)}\n`, { mode: 0o600 });
      this.tornTails.delete(id);
      const next = await this.scan(id);
      this.put(next);
      this.emit({ type: 'updated', session: next });
      return next;
    });
  }

  delete(id: string): Promise<void> {
    return this.serial(id, async () => {
      this.require(id);
      await this.options.onDelete?.(id);
      await rm(this.file(id), { force: true });
      await rm(this.lockFile(id), { force: true });
      this.index.delete(id);
      this.tornTails.delete(id);
      this.sorted = null;
      this.scheduleFlush();
      this.emit({ type: 'deleted', id });
    });
  }

  /**
   * Takes the session's run lock (a `<id>.lock` file naming this process), so two processes never run the same
   * session at once. A lock left by a process that no longer exists is taken over.
   */
  async lock(id: string): Promise<() => Promise<void>> {
    this.require(id);
    const file = this.lockFile(id);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writeFile(file, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }), {
          flag: 'wx',
          mode: 0o600,
        });
        return () => rm(file, { force: true });
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') throw error;
        const holder = await this.lockHolder(id);
        if (holder === process.pid) throw new SessionLockedError(`session ${id} is already running`);
        if (holder !== undefined && processExists(holder))
          throw new SessionLockedError(`session ${id} is running in another process (pid ${holder})`);
        await rm(file, { force: true });
      }
    }
    throw new SessionLockedError(`session ${id} is locked`);
  }

  /**
   * Sessions whose run lock was left by a process that no longer exists: the run it held died with it. Found from
   * the lock files alone; no session file is read.
   */
  async abandonedLocks(): Promise<string[]> {
    const ids = (await readdir(this.dir))
      .map((n) => LOCK_FILE.exec(n)?.[1])
      .filter((id): id is string => id !== undefined && this.index.has(id));
    const holders = await Promise.all(ids.map((id) => this.lockHolder(id)));
    return ids.filter((_, i) => {
      const holder = holders[i];
      return holder === undefined || (holder !== process.pid && !processExists(holder));
    });
  }

  /**
   * Follows session files written by other processes (a headless run in the same workspace), so the listing and
   * the live view stay true.
   */
  watchDisk(onExternalAppend: (id: string) => void): void {
    if (this.watcher) return;
    const pending = new Map<string, NodeJS.Timeout>();
    this.watcher = watch(this.dir, (_event, name) => {
      const match = name ? SESSION_FILE.exec(name.toString()) : null;
      if (!match) return;
      const id = match[1]!;
      clearTimeout(pending.get(id));
      pending.set(
        id,
        setTimeout(() => {
          pending.delete(id);
          void this.refresh(id).then((grew) => grew && onExternalAppend(id));
        }, 100),
      );
    });
    this.watcher.on('error', () => undefined);
  }

  /** Writes the index as clean; call once no more appends will come. */
  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.close();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    await Promise.allSettled([...this.queues.values()]);
    await this.flushIndex(true);
  }

  // ——— internals ———

  /** Takes in a session file another store moved here. */
  private adopt(id: string): Promise<SessionSummary> {
    return this.serial(id, async () => {
      const summary = await this.scan(id);
      this.put(summary);
      this.emit({ type: 'created', session: summary });
      return summary;
    });
  }

  private file(id: string): string {
    return join(this.dir, `${id}.jsonl`);
  }

  private lockFile(id: string): string {
    return join(this.dir, `${id}.lock`);
  }

  /** The pid a lock file names; undefined when it is unreadable (a crash cut its write short). */
  private lockHolder(id: string): Promise<number | undefined> {
    return readFile(this.lockFile(id), 'utf8')
      .then((text) => LockFileSchema.safeParse(JSON.parse(text)).data?.pid)
      .catch(
        // Gone meanwhile, or not JSON: no holder is named, which is what an unreadable lock means to the callers.
        () => undefined,
      );
  }

  private assertId(id: string): void {
    if (!SESSION_ID.test(id)) throw new SessionNotFoundError(id);
  }

  private require(id: string): SessionSummary {
    this.assertId(id);
    const summary = this.index.get(id);
    if (!summary) throw new SessionNotFoundError(id);
    return summary;
  }

  /** Runs one operation at a time per session. */
  private serial<T>(id: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(id) ?? Promise.resolve();
    const next = previous.then(operation, operation);
    // The caller gets `next` and its error; the queue only waits for it to settle before the next operation.
    const settled = next.catch(() => undefined);
    this.queues.set(id, settled);
    void settled.then(() => {
      if (this.queues.get(id) === settled) this.queues.delete(id);
    });
    return next;
  }

  private stamp<E extends { type: string }>(summary: SessionSummary, event: E): E & { id: number; time: string } {
    summary.lastEventId += 1;
    return { ...event, id: summary.lastEventId, time: new Date().toISOString() };
  }

  /** Folds one event into a summary: counts, titles. */
  private absorb(summary: SessionSummary, event: StoredEvent): void {
    if (event.type === RENAMED && typeof event.title === 'string') {
      summary.title = event.title;
      summary.titleSource = 'user';
      return;
    }
    // A title from the session's model replaces the first message, never a title the user gave.
    if (event.type === TITLED && typeof event.title === 'string') {
      if (summary.titleSource !== 'user') {
        summary.title = cleanTitle(event.title);
        summary.titleSource = 'auto';
      }
      return;
    }
    if (event.type === PINNED) {
      summary.pinned = event.pinned === true;
      return;
    }
    if (this.interpret.isMessage(event)) summary.messageCount += 1;
    if (summary.titleSource === 'default') {
      const hint = this.interpret.titleHint(event);
      if (hint) {
        summary.title = cleanTitle(hint).slice(0, 80);
        summary.titleSource = 'auto';
      }
    }
  }

  private parse(id: string, text: string): LoadedSession {
    const { lines, problems, tornTail } = parseJsonl(text);
    const first = lines[0];
    const header = first?.line === 1 ? HeaderSchema.safeParse(first.value) : undefined;
    if (!header?.success) throw new Error(`session ${id} has an unreadable header line`);
    const warnings = [...problems];
    const events: StampedEvent[] = [];
    let lastId = header.data.baseEventId ?? 0;
    for (const { line, value } of lines.slice(1)) {
      const shape = StoredEventShape.safeParse(value);
      if (!shape.success) warnings.push(`line ${line} is not an event and was skipped`);
      else if (shape.data.id <= lastId) warnings.push(`line ${line} repeats event id ${shape.data.id} and was skipped`);
      else {
        // Ids continue past every numbered line, even one skipped here, so an append never reuses its id.
        lastId = shape.data.id;
        if (!EVENT_TYPES.has(shape.data.type)) continue;
        const event = StampedEventSchema.safeParse(value);
        if (event.success) events.push(asWritten(event.data, shape.data));
        else {
          const { field, problem } = describeFirstIssue(event.error);
          warnings.push(
            `line ${line} is a damaged ${shape.data.type} event (${field ? `${field}: ` : ''}${problem}) and was skipped`,
          );
        }
      }
    }
    if (tornTail) this.tornTails.add(id);
    const summary: SessionSummary = {
      id,
      title: header.data.title,
      titleSource: header.data.title === DEFAULT_TITLE ? 'default' : 'user',
      createdAt: header.data.createdAt,
      updatedAt: events.at(-1)?.time ?? header.data.createdAt,
      messageCount: 0,
      lastEventId: lastId,
      pinned: false,
      archived: this.options.archived === true,
      ...(header.data.parent ? { parentId: header.data.parent.sessionId } : {}),
      ...(header.data.spawnedBy ? { spawnedBy: header.data.spawnedBy } : {}),
      ...(header.data.job ? { job: header.data.job } : {}),
      bytes: Buffer.byteLength(text),
      mtimeMs: 0,
    };
    for (const event of events) this.absorb(summary, event);
    return { header: header.data, summary, events, warnings };
  }

  /** Reads a session file into a fresh summary. */
  private async scan(id: string): Promise<SessionSummary> {
    const [text, info] = await Promise.all([readFile(this.file(id), 'utf8'), stat(this.file(id))]);
    const { summary } = this.parse(id, text);
    summary.mtimeMs = info.mtimeMs;
    return summary;
  }

  /** Re-reads a session whose file changed on disk; true when it gained events. */
  private async refresh(id: string): Promise<boolean> {
    if (this.closed) return false;
    return this.serial(id, async () => {
      const before = this.index.get(id);
      // Unreadable is taken as gone (deleted by another process): this runs from the file watcher, with no one to tell.
      const info = await stat(this.file(id)).catch(() => undefined);
      if (!info) {
        if (before) {
          this.index.delete(id);
          this.sorted = null;
          this.emit({ type: 'deleted', id });
        }
        return false;
      }
      if (before && before.bytes === info.size) return false;
      // Unreadable right now (its header damaged): the listing keeps what it had, and the next change tries again.
      const summary = await this.scan(id).catch(() => undefined);
      if (!summary) return false;
      this.put(summary);
      this.emit({ type: before ? 'updated' : 'created', session: summary });
      return (before?.lastEventId ?? 0) < summary.lastEventId;
    });
  }

  private put(summary: SessionSummary): void {
    this.index.set(summary.id, summary);
    this.sorted = null;
    this.scheduleFlush();
  }

  private changed(summary: SessionSummary): void {
    this.sorted = null;
    this.scheduleFlush();
    this.emit({ type: 'updated', session: summary });
  }

  private emit(change: SessionChange): void {
    for (const listener of this.listeners) listener(change);
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.closed) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      // The index is a cache: a failed write leaves the previous one, marked unclean, checked against the files next start.
      void this.flushIndex(false).catch(() => undefined);
    }, INDEX_FLUSH_MS);
    this.flushTimer.unref();
  }

  private async flushIndex(clean: boolean): Promise<void> {
    const body = JSON.stringify({ version: 1, clean, sessions: [...this.index.values()] });
    await writeFileAtomic(join(this.dir, INDEX_FILE), body, { mode: 0o600 });
  }

  /**
   * Loads index.json. Entries are checked against the folder: files the index lacks are scanned, entries without a
   * file are dropped, and after an unclean stop every entry whose file size or time changed is scanned again.
   */
  private async loadIndex(): Promise<void> {
    const names = (await readdir(this.dir))
      .map((n) => SESSION_FILE.exec(n)?.[1])
      .filter((n): n is string => n !== undefined);
    let clean = false;
    try {
      const index = IndexFileSchema.safeParse(JSON.parse(await readFile(join(this.dir, INDEX_FILE), 'utf8')));
      if (index.success) {
        for (const entry of index.data.sessions) {
          const s = IndexEntrySchema.safeParse(entry);
          if (s.success) this.index.set(s.data.id, s.data);
        }
        clean = index.data.clean === true;
      }
    } catch {
      // Missing or unreadable: rebuilt from the files below.
    }
    const onDisk = new Set(names);
    for (const id of [...this.index.keys()]) if (!onDisk.has(id)) this.index.delete(id);
    const toScan = names.filter((id) => !this.index.has(id));
    if (!clean) {
      // A file that cannot be stat'ed is scanned again below, and left out of the listing if that fails too.
      const infos = await Promise.all(
        [...this.index.values()].map(async (s) => ({ s, info: await stat(this.file(s.id)).catch(() => undefined) })),
      );
      for (const { s, info } of infos)
        if (!info || info.size !== s.bytes || info.mtimeMs !== s.mtimeMs) toScan.push(s.id);
    }
    for (let i = 0; i < toScan.length; i += 64) {
      const batch = toScan.slice(i, i + 64);
      // A file whose header cannot be read is left out of the listing; the file itself stays on disk, untouched.
      const scanned = await Promise.all(batch.map((id) => this.scan(id).catch(() => undefined)));
      scanned.forEach((summary, j) => {
        if (summary) this.index.set(summary.id, summary);
        else this.index.delete(batch[j]!);
      });
    }
    // Written unclean at once, so a crash from here on is detected at the next start.
    await this.flushIndex(false);
  }
}

/**
 * A line the contract accepted, as it was written rather than as parsed: fields a newer version added to a known
 * event (at any depth) survive a fork or an export. The line's own values are laid over the parsed copy; the event
 * schemas transform nothing, so each is the same value the schema checked.
 */
function asWritten(parsed: StampedEvent, line: z.output<typeof StoredEventShape>): StampedEvent {
  return Object.assign(parsed, line);
}
