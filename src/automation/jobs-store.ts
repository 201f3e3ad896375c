import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Job, type JobFields, JobsFileSchema } from '../contract/automation';
import { errnoCode } from '../fs/errors';
import { writeFileAtomic } from '../workspace/atomic-write';
import { JsonFileError, parseJsonText, validateJson } from '../workspace/json-file';
import { parseRule } from '../permissions/policy';
import { checkSchedule } from './schedule';

/**
 * The jobs of `.boxagnts/automation/jobs.json`, validated on load like the settings: a file that does not parse or
 * fit is reported (`problem`, with its line and field) and no job of it runs; nothing else stops. Saves are atomic.
 */
export class JobsStore {
  private jobs: Job[] = [];
  private problemText: string | null = null;
  /** The file's text as last read or written: a change event for the store's own write reads nothing new. */
  private text: string | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly file: string) {}

  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
      this.text = null;
      this.set([], null);
      return;
    }
    if (text === this.text) return;
    this.text = text;
    try {
      const parsed = validateJson(this.file, text, parseJsonText(this.file, text), JobsFileSchema);
      for (const job of parsed.jobs) checkSchedule(job.schedule);
      this.set(parsed.jobs, null);
    } catch (error) {
      if (!(error instanceof JsonFileError) && !(error instanceof Error && error.name === 'ScheduleError')) throw error;
      this.set([], error.message);
    }
  }

  list(): readonly Job[] {
    return this.jobs;
  }

  get(name: string): Job | undefined {
    return this.jobs.find((job) => job.name === name);
  }

  /** What was wrong with jobs.json when it was last read; null when it was fine (or absent). */
  problem(): string | null {
    return this.problemText;
  }

  /** Creates or replaces a job; a replaced job keeps its creation time (its `every` anchor). */
  async save(name: string, fields: JobFields, now: Date): Promise<Job> {
    if (this.problemText) throw new JsonFileError(this.file, `fix the file first: ${this.problemText}`);
    checkSchedule(fields.schedule);
    for (const rule of fields.permissions.rules) parseRule(rule);
    const previous = this.get(name);
    const job: Job = { ...fields, name, createdAt: previous?.createdAt ?? now.toISOString() };
    await this.write(previous ? this.jobs.map((j) => (j.name === name ? job : j)) : [...this.jobs, job]);
    return job;
  }

  async remove(name: string): Promise<boolean> {
    if (!this.get(name)) return false;
    await this.write(this.jobs.filter((job) => job.name !== name));
    return true;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async write(jobs: Job[]): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    const text = `${JSON.stringify({ jobs }, null, 2)}\n`;
    await writeFileAtomic(this.file, text, { mode: 0o600 });
    this.text = text;
    this.set(jobs, null);
  }

  private set(jobs: Job[], problem: string | null): void {
    this.jobs = jobs;
    this.problemText = problem;
    for (const listener of this.listeners) listener();
  }
}
