import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type JobRun, JobRunSchema } from '../contract/automation';
import { errnoCode } from '../fs/errors';
import { parseJsonl } from '../workspace/jsonl';

/** Where each job's runs are recorded as they end (or are skipped), and read back newest first. */
export interface JobHistory {
  append(run: JobRun): Promise<void>;
  read(job: string, limit?: number): Promise<JobRun[]>;
}

/** The history of each job: `.boxagnts/automation/runs/<job>.jsonl`, a line per run as it ended (or was skipped). */
export class RunLog implements JobHistory {
  constructor(private readonly dir: string) {}

  async append(run: JobRun): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await appendFile(join(this.dir, `${run.job}.jsonl`), `${JSON.stringify(run)}\n`, { mode: 0o600 });
  }

  /** The job's runs, newest first; damaged lines are skipped. */
  async read(job: string, limit = 200): Promise<JobRun[]> {
    let text: string;
    try {
      text = await readFile(join(this.dir, `${job}.jsonl`), 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return [];
      throw error;
    }
    return parseJsonl(text)
      .lines.flatMap(({ value }) => {
        const run = JobRunSchema.safeParse(value);
        return run.success ? [run.data] : [];
      })
      .reverse()
      .slice(0, limit);
  }
}
