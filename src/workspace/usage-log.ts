import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { errnoCode } from '../fs/errors';
import { USAGE_FIGURES } from '../contract/events';

const UsageRecordSchema = z.object({
  time: z.string(),
  sessionId: z.string(),
  /** For a child run: the session of the run that started it, so its cost rolls up. */
  parentSessionId: z.string().optional(),
  /** The agent type of the run, when it took one. */
  agentType: z.string().optional(),
  ...USAGE_FIGURES,
});
export type UsageRecord = z.output<typeof UsageRecordSchema>;

export type UsageGroupBy = 'day' | 'model' | 'session';

export interface UsageTotals {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
}

export interface UsageGroup extends UsageTotals {
  key: string;
}

const emptyTotals = (): UsageTotals => ({
  calls: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  costUsd: 0,
});

function add(totals: UsageTotals, record: UsageRecord): void {
  totals.calls += 1;
  totals.inputTokens += record.inputTokens;
  totals.outputTokens += record.outputTokens;
  totals.cacheReadTokens += record.cacheReadTokens;
  totals.cacheWriteTokens += record.cacheWriteTokens;
  totals.costUsd += record.costUsd;
}

/** usage.jsonl: one line per model call, appended; read back in aggregate. */
export class UsageLog {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  append(record: UsageRecord): Promise<void> {
    const write = this.queue.then(async () => {
      const handle = await open(this.file, 'a', 0o600);
      try {
        await handle.write(`${JSON.stringify(record)}\n`);
        await handle.datasync();
      } finally {
        await handle.close();
      }
    });
    // The caller gets `write` and its error; the queue only waits for it to settle before the next write.
    this.queue = write.catch(() => undefined);
    return write;
  }

  /** Sums calls in [from, to) (ISO times or dates), grouped; streams the file so its size does not matter. */
  async query(options: {
    from?: string | undefined;
    to?: string | undefined;
    groupBy: UsageGroupBy;
  }): Promise<{ total: UsageTotals; groups: UsageGroup[] }> {
    const total = emptyTotals();
    const groups = new Map<string, UsageTotals>();
    const from = options.from ? Date.parse(options.from) : -Infinity;
    const to = options.to ? Date.parse(options.to) : Infinity;
    let lines;
    try {
      lines = createInterface({ input: createReadStream(this.file, 'utf8'), crlfDelay: Infinity });
      for await (const line of lines) {
        // A line a crash cut short, or one damaged by hand, counts no call: the totals stay numbers.
        const parsed = UsageRecordSchema.safeParse(jsonOrUndefined(line));
        if (!parsed.success) continue;
        const record = parsed.data;
        const time = Date.parse(record.time);
        if (!(time >= from && time < to)) continue;
        const key =
          options.groupBy === 'day'
            ? record.time.slice(0, 10)
            : options.groupBy === 'model'
              ? `${record.provider}/${record.model}`
              : record.sessionId;
        let group = groups.get(key);
        if (!group) groups.set(key, (group = emptyTotals()));
        add(group, record);
        add(total, record);
      }
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
    }
    const list = [...groups].map(([key, totals]) => ({ key, ...totals }));
    list.sort((a, b) =>
      options.groupBy === 'day' ? a.key.localeCompare(b.key) : b.costUsd - a.costUsd || b.inputTokens - a.inputTokens,
    );
    return { total, groups: list };
  }
}

function jsonOrUndefined(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    // Not JSON: the schema then refuses it, as it does any other damaged line.
    return undefined;
  }
}
