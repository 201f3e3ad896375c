import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { errnoCode } from '../fs/errors';
import { USAGE_FIGURES } from '../contract/events';
import type { UsageGroup, UsageTotals } from '../contract/usage';
import { UsageSummary, type UsageSummaryOptions } from './usage-summary';

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
  async query(
    options: UsageSummaryOptions & { from?: string | undefined; to?: string | undefined },
  ): Promise<{ total: UsageTotals; groups: UsageGroup[] }> {
    const summary = new UsageSummary(options);
    const from = options.from ? Date.parse(options.from) : -Infinity;
    const to = options.to ? Date.parse(options.to) : Infinity;
    try {
      const lines = createInterface({ input: createReadStream(this.file, 'utf8'), crlfDelay: Infinity });
      for await (const line of lines) {
        // A line a crash cut short, or one damaged by hand, counts no call: the totals stay numbers.
        const parsed = UsageRecordSchema.safeParse(jsonOrUndefined(line));
        if (!parsed.success) continue;
        const time = Date.parse(parsed.data.time);
        if (time >= from && time < to) summary.count(parsed.data, time);
        else summary.see(parsed.data);
      }
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
    }
    return summary.result();
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
