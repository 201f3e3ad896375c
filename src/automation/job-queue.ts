import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { errnoCode } from '../fs/errors';
import { writeFileAtomic } from '../workspace/atomic-write';
import { parseJsonl } from '../workspace/jsonl';

/** The id of a job's run: when it was made, and randomness against a clash in the same millisecond. */
export function newRunId(now = Date.now()): string {
  return `jr_${now.toString(36)}${randomBytes(4).toString('hex')}`;
}

/** A run waiting for (or holding) a worker: what to run, and why. */
export interface QueuedRun {
  id: string;
  job: string;
  trigger: 'schedule' | 'manual' | 'missed';
  scheduledFor?: string | undefined;
  enqueuedAt: string;
}

export interface QueueEntry {
  item: QueuedRun;
  state: 'queued' | 'running';
  /** When its worker last said it is alive (a running entry). */
  heartbeatAt?: string | undefined;
}

/**
 * The one path runs of scheduled jobs (and later background agents) take to a worker. Narrow on purpose: a later
 * backend puts the same interface on a distributed engine so that several machines share the work.
 */
export interface JobQueue {
  enqueue(item: Omit<QueuedRun, 'id' | 'enqueuedAt'>): Promise<QueuedRun>;
  /**
   * Claims one tick of a job's schedule for this machine before it is queued: false when another machine fired it
   * already (several schedulers share one queue), so each tick is queued once.
   */
  claim(job: string, tick: Date): Promise<boolean>;
  /** The oldest queued entry `accept` takes, now running under this lease; null when there is none. */
  lease(accept: (item: QueuedRun) => boolean): Promise<QueuedRun | null>;
  heartbeat(id: string): Promise<void>;
  complete(id: string): Promise<void>;
  fail(id: string, error: string): Promise<void>;
  /** Takes a queued entry out; a running one is stopped by whoever runs it. */
  cancel(id: string): Promise<boolean>;
  list(): QueueEntry[];
}

const JournalLine = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('enqueue'),
    item: z.object({
      id: z.string(),
      job: z.string(),
      trigger: z.enum(['schedule', 'manual', 'missed']),
      scheduledFor: z.string().optional(),
      enqueuedAt: z.string(),
    }),
  }),
  z.object({ op: z.literal('lease'), id: z.string(), at: z.string() }),
  z.object({ op: z.enum(['complete', 'cancel']), id: z.string() }),
  z.object({ op: z.literal('fail'), id: z.string(), error: z.string() }),
]);
type JournalLine = z.output<typeof JournalLine>;

/**
 * The queue in this process, journaled to `.boxagnts/automation/queue.jsonl` (an append per change, rewritten short
 * when opened): entries that were running when the process died come back from `open` as interrupted, for the
 * scheduler to record and re-queue or not as their job says; queued ones are still queued.
 */
export class EmbeddedJobQueue implements JobQueue {
  private readonly entries = new Map<string, QueueEntry>();

  private constructor(private readonly file: string) {}

  static async open(file: string): Promise<{ queue: EmbeddedJobQueue; interrupted: QueuedRun[] }> {
    const queue = new EmbeddedJobQueue(file);
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
    }
    // A line a crash cut short is skipped: the entry it would have changed keeps its state before it.
    for (const { value } of parseJsonl(text).lines) {
      const line = JournalLine.safeParse(value);
      if (line.success) queue.replay(line.data);
    }
    const interrupted = [...queue.entries.values()].filter((e) => e.state === 'running').map((e) => e.item);
    for (const item of interrupted) queue.entries.delete(item.id);
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const kept = [...queue.entries.values()].map((e) => JSON.stringify({ op: 'enqueue', item: e.item }));
    await writeFileAtomic(file, kept.map((l) => `${l}\n`).join(''), { mode: 0o600 });
    return { queue, interrupted };
  }

  async enqueue(fields: Omit<QueuedRun, 'id' | 'enqueuedAt'>): Promise<QueuedRun> {
    const item: QueuedRun = {
      ...fields,
      id: newRunId(),
      enqueuedAt: new Date().toISOString(),
    };
    await this.record({ op: 'enqueue', item });
    return item;
  }

  /** One process, one scheduler: every tick it reaches is its own. */
  async claim(): Promise<boolean> {
    return true;
  }

  async lease(accept: (item: QueuedRun) => boolean): Promise<QueuedRun | null> {
    const next = [...this.entries.values()].find((e) => e.state === 'queued' && accept(e.item));
    if (!next) return null;
    await this.record({ op: 'lease', id: next.item.id, at: new Date().toISOString() });
    return next.item;
  }

  async heartbeat(id: string): Promise<void> {
    const entry = this.entries.get(id);
    // In one process the worker and the queue live and die together: the beat is kept in memory only.
    if (entry) entry.heartbeatAt = new Date().toISOString();
  }

  complete(id: string): Promise<void> {
    return this.record({ op: 'complete', id });
  }

  fail(id: string, error: string): Promise<void> {
    return this.record({ op: 'fail', id, error });
  }

  async cancel(id: string): Promise<boolean> {
    if (this.entries.get(id)?.state !== 'queued') return false;
    await this.record({ op: 'cancel', id });
    return true;
  }

  list(): QueueEntry[] {
    return [...this.entries.values()];
  }

  /** Applied at once, so two leases can never take the same entry; then journaled. */
  private async record(line: JournalLine): Promise<void> {
    this.replay(line);
    await appendFile(this.file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
  }

  private replay(line: JournalLine): void {
    if (line.op === 'enqueue') this.entries.set(line.item.id, { item: line.item, state: 'queued' });
    else if (line.op === 'lease') {
      const entry = this.entries.get(line.id);
      if (entry) Object.assign(entry, { state: 'running', heartbeatAt: line.at });
    } else this.entries.delete(line.id);
  }
}
