import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { RetentionItem, RetentionRule, RetentionView } from '../contract/retention';
import { errnoCode, errorMessage } from '../fs/errors';
import { writeFileAtomic } from './atomic-write';
import type { SessionStore, SessionSummary } from './sessions';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How often the server applies the rule while it runs (it also applies it at start and when the rule changes). */
export const SWEEP_INTERVAL_MS = 60 * 60 * 1000;
/** The errors of a sweep kept for the dashboard to show. */
const MAX_REPORTED_ERRORS = 20;

/** `.boxagnts/retention.json`: the delete rule the user allowed after its preview, and the last sweep's outcome. */
const StateSchema = z.object({
  version: z.literal(1),
  deletesAllowedFor: z.number().nullable(),
  lastSweep: z
    .object({ at: z.string(), archived: z.number(), deleted: z.number(), errors: z.array(z.string()) })
    .nullable(),
});
type State = z.output<typeof StateSchema>;

export interface RetentionDeps {
  active: SessionStore;
  archive: SessionStore;
  rule(): RetentionRule;
  stateFile: string;
  /** Whether a run of this process is going on in the session (a run of another process holds its lock). */
  isRunning(id: string): boolean;
  /** The kept worktree folder of a child run's session, workspace-relative, when there is one. */
  worktreeOf(id: string): string | undefined;
  now?: () => number;
}

export interface SweepReport {
  archived: string[];
  deleted: string[];
  errors: string[];
}

/**
 * A session and the child runs it started (`spawnedBy`, at any depth): they expire together, so an archived
 * conversation never loses the runs it delegated to, and none is kept alive alone.
 */
function families(sessions: SessionSummary[]): SessionSummary[][] {
  const byId = new Map(sessions.map((s) => [s.id, s]));
  const rootOf = (session: SessionSummary) => {
    let current = session;
    const seen = new Set<string>();
    while (current.spawnedBy && !seen.has(current.id)) {
      seen.add(current.id);
      const parent = byId.get(current.spawnedBy.sessionId);
      if (!parent) break;
      current = parent;
    }
    return current.id;
  };
  const groups = new Map<string, SessionSummary[]>();
  for (const session of sessions) {
    const root = rootOf(session);
    groups.set(root, [...(groups.get(root) ?? []), session]);
  }
  return [...groups.values()];
}

/**
 * `sessions.retention` applied: sessions untouched for N days move to the archive, archived ones are deleted M days
 * later. Nothing happens without a rule; pinned sessions and sessions with a run going on are left alone; and a delete
 * rule deletes nothing until the user has allowed it after seeing its preview (again whenever its days change).
 */
export class Retention {
  private state: State | null = null;
  private sweeping: Promise<SweepReport> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private scheduled: (() => void) | null = null;
  private lastRule: string;

  constructor(private readonly deps: RetentionDeps) {
    this.lastRule = JSON.stringify(deps.rule());
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** What the rule would archive and delete at `now`. */
  plan(now = this.now()): { archive: RetentionItem[]; delete: RetentionItem[] } {
    const { archiveAfterDays, deleteArchivedAfterDays } = this.deps.rule();
    const item = (s: SessionSummary, archivedAt?: number): RetentionItem => {
      const worktree = this.deps.worktreeOf(s.id);
      return {
        id: s.id,
        title: s.title,
        updatedAt: s.updatedAt,
        ...(archivedAt !== undefined ? { archivedAt: new Date(archivedAt).toISOString() } : {}),
        ...(worktree ? { worktree } : {}),
      };
    };
    const archive =
      archiveAfterDays === undefined
        ? []
        : families(this.deps.active.all())
            .filter(
              (family) =>
                family.every((s) => !s.pinned && !this.deps.isRunning(s.id)) &&
                Math.max(...family.map((s) => Date.parse(s.updatedAt))) <= now - archiveAfterDays * DAY_MS,
            )
            .flat()
            .map((s) => item(s));
    const remove =
      deleteArchivedAfterDays === undefined
        ? []
        : families(this.deps.archive.all())
            .filter(
              (family) =>
                family.every((s) => !s.pinned) &&
                Math.max(...family.map((s) => s.mtimeMs)) <= now - deleteArchivedAfterDays * DAY_MS,
            )
            .flat()
            .map((s) => item(s, s.mtimeMs));
    return { archive, delete: remove };
  }

  /** A sweep going on is waited for: the preview never lists what it is moving, and `lastSweep` is its outcome. */
  async view(now = this.now()): Promise<RetentionView> {
    // A failed sweep is reported to its own caller; the view only waits for it to end.
    await this.sweeping?.catch(() => undefined);
    const state = await this.load();
    return {
      rule: this.deps.rule(),
      ...this.plan(now),
      deletesAllowed: this.deletesAllowed(state),
      lastSweep: state.lastSweep,
    };
  }

  /** The user saw the preview of a delete rule of `days` and allows it; refused when the rule has changed since. */
  async allowDeletes(days: number): Promise<void> {
    if (this.deps.rule().deleteArchivedAfterDays !== days)
      throw new RangeError(`the retention rule no longer deletes after ${days} days; look at its preview again`);
    await this.save({ ...(await this.load()), deletesAllowedFor: days });
  }

  /** Applies the rule once; a sweep asked for while one runs gets that one's report. */
  sweep(now = this.now()): Promise<SweepReport> {
    this.sweeping ??= this.apply(now).finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  /** Sweeps now, every hour, and when the rule changes (see `ruleChanged`) until `stop`; each outcome goes to `report`. */
  start(report: (outcome: { report: SweepReport } | { error: unknown }) => void): void {
    this.scheduled = () =>
      void this.sweep().then(
        (done) => report({ report: done }),
        (error: unknown) => report({ error }),
      );
    this.scheduled();
    this.timer = setInterval(this.scheduled, SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  /** The settings changed: a new rule applies at once (a sweep with the same rule finds nothing new to do). */
  ruleChanged(): void {
    const rule = JSON.stringify(this.deps.rule());
    if (rule === this.lastRule) return;
    this.lastRule = rule;
    this.scheduled?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.scheduled = null;
  }

  private deletesAllowed(state: State): boolean {
    const days = this.deps.rule().deleteArchivedAfterDays;
    return days !== undefined && state.deletesAllowedFor === days;
  }

  private async apply(now: number): Promise<SweepReport> {
    const state = await this.load();
    const plan = this.plan(now);
    const report: SweepReport = { archived: [], deleted: [], errors: [] };
    for (const { id } of plan.archive) {
      try {
        await this.deps.active.transfer(id, this.deps.archive, new Date(now));
        report.archived.push(id);
      } catch (error) {
        // Locked by a run that started meanwhile, or a file that could not move: it stays, and the next sweep tries again.
        report.errors.push(`${id}: ${errorMessage(error)}`);
      }
    }
    if (this.deletesAllowed(state))
      for (const { id } of plan.delete) {
        try {
          await this.deps.archive.delete(id);
          report.deleted.push(id);
        } catch (error) {
          report.errors.push(`${id}: ${errorMessage(error)}`);
        }
      }
    await this.save({
      ...state,
      lastSweep: {
        at: new Date(now).toISOString(),
        archived: report.archived.length,
        deleted: report.deleted.length,
        errors: report.errors.slice(0, MAX_REPORTED_ERRORS),
      },
    });
    return report;
  }

  private async load(): Promise<State> {
    if (this.state) return this.state;
    try {
      const parsed = StateSchema.safeParse(JSON.parse(await readFile(this.deps.stateFile, 'utf8')));
      // Unreadable: no deletion is allowed until the user allows it again, which is the safe side.
      this.state = parsed.success ? parsed.data : { version: 1, deletesAllowedFor: null, lastSweep: null };
    } catch (error) {
      if (!(error instanceof SyntaxError) && errnoCode(error) !== 'ENOENT') throw error;
      this.state = { version: 1, deletesAllowedFor: null, lastSweep: null };
    }
    return this.state;
  }

  private async save(state: State): Promise<void> {
    await writeFileAtomic(this.deps.stateFile, JSON.stringify(state), { mode: 0o600 });
    this.state = state;
  }
}
