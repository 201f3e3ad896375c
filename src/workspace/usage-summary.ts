import {
  PLAIN_AGENT_KEY,
  type UsageChild,
  type UsageGroup,
  type UsageGroupBy,
  type UsageTotals,
} from '../contract/usage';
import type { UsageRecord } from './usage-log';

type Sums = Omit<UsageTotals, 'cacheHitRate'>;

const emptySums = (): Sums => ({
  calls: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  costUsd: 0,
  unpricedCalls: 0,
});

function add(sums: Sums, record: UsageRecord | Sums): void {
  const isRecord = 'sessionId' in record;
  sums.calls += isRecord ? 1 : record.calls;
  sums.inputTokens += record.inputTokens;
  sums.outputTokens += record.outputTokens;
  sums.cacheReadTokens += record.cacheReadTokens;
  sums.cacheWriteTokens += record.cacheWriteTokens;
  sums.costUsd += record.costUsd;
  sums.unpricedCalls += isRecord ? (record.costKnown === false ? 1 : 0) : record.unpricedCalls;
}

const totals = (sums: Sums): UsageTotals => ({
  ...sums,
  cacheHitRate: sums.inputTokens > 0 ? sums.cacheReadTokens / sums.inputTokens : null,
});

const byCost = (a: UsageGroup | UsageChild, b: UsageGroup | UsageChild) =>
  b.costUsd - a.costUsd || b.unpricedCalls - a.unpricedCalls || b.inputTokens - a.inputTokens;

/** The calendar day of an instant in a time zone, as YYYY-MM-DD. */
function dayIn(timeZone: string): (time: number) => string {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  // Every zone's offset and every change of it falls on a quarter hour, so one answer serves a whole quarter.
  const days = new Map<number, string>();
  return (time) => {
    const quarter = Math.floor(time / 900_000);
    let day = days.get(quarter);
    if (day === undefined) {
      const parts = Object.fromEntries(format.formatToParts(time).map((p) => [p.type, p.value]));
      days.set(quarter, (day = `${parts.year}-${parts.month}-${parts.day}`));
    }
    return day;
  };
}

/** Whether `timeZone` is an IANA time zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    // A RangeError: the runtime knows no such zone.
    return false;
  }
}

export interface UsageSummaryOptions {
  groupBy: UsageGroupBy;
  /** Days are counted in this IANA time zone; UTC when absent. */
  timeZone?: string | undefined;
  /** The session that started a session, when the usage records do not say (the session index knows). */
  parentOf?: ((sessionId: string) => string | undefined) | undefined;
}

/**
 * Sums usage records into totals and groups. The session grouping counts a child run's calls under the top-level
 * session that started it (through any depth of children) and lists the children under it.
 */
export class UsageSummary {
  private readonly total = emptySums();
  private readonly groups = new Map<string, Sums>();
  /** Parents learnt from records, also from those outside the range: a grandchild's chain goes through them. */
  private readonly parents = new Map<string, string>();
  private readonly agentTypes = new Map<string, string>();
  private readonly dayOf: (time: number) => string;

  constructor(private readonly options: UsageSummaryOptions) {
    this.dayOf = dayIn(options.timeZone ?? 'UTC');
  }

  /** Learns from a record that is outside the range: who started its session. */
  see(record: UsageRecord): void {
    if (record.parentSessionId) this.parents.set(record.sessionId, record.parentSessionId);
    if (record.agentType) this.agentTypes.set(record.sessionId, record.agentType);
  }

  /** Counts a record in the range. */
  count(record: UsageRecord, time: number): void {
    this.see(record);
    const { groupBy } = this.options;
    const key =
      groupBy === 'day'
        ? this.dayOf(time)
        : groupBy === 'model'
          ? `${record.provider}/${record.model}`
          : groupBy === 'agent'
            ? (record.agentType ?? PLAIN_AGENT_KEY)
            : record.sessionId;
    let group = this.groups.get(key);
    if (!group) this.groups.set(key, (group = emptySums()));
    add(group, record);
    add(this.total, record);
  }

  result(): { total: UsageTotals; groups: UsageGroup[] } {
    const { groupBy } = this.options;
    if (groupBy === 'session') return { total: totals(this.total), groups: this.sessionGroups() };
    const groups = [...this.groups].map(([key, sums]) => ({ key, ...totals(sums) }));
    groups.sort(groupBy === 'day' ? (a, b) => a.key.localeCompare(b.key) : byCost);
    return { total: totals(this.total), groups };
  }

  private parentOf(sessionId: string): string | undefined {
    return this.parents.get(sessionId) ?? this.options.parentOf?.(sessionId);
  }

  /** The top-level session above a session; in a loop of damaged records, the loop's first session by id. */
  private rootOf(sessionId: string): string {
    const path = [sessionId];
    for (let parent = this.parentOf(sessionId); parent; parent = this.parentOf(parent)) {
      const at = path.indexOf(parent);
      if (at !== -1) return path.slice(at).sort()[0]!;
      path.push(parent);
    }
    return path.at(-1)!;
  }

  private sessionGroups(): UsageGroup[] {
    const roots = new Map<string, { sums: Sums; children: UsageChild[] }>();
    for (const [sessionId, sums] of this.groups) {
      const rootId = this.rootOf(sessionId);
      let root = roots.get(rootId);
      if (!root) roots.set(rootId, (root = { sums: emptySums(), children: [] }));
      add(root.sums, sums);
      if (rootId === sessionId) continue;
      const agentType = this.agentTypes.get(sessionId);
      root.children.push({
        sessionId,
        parentSessionId: this.parentOf(sessionId) ?? rootId,
        ...(agentType ? { agentType } : {}),
        ...totals(sums),
      });
    }
    const groups = [...roots].map(([key, { sums, children }]) => ({
      key,
      ...totals(sums),
      children: children.sort(byCost),
    }));
    return groups.sort(byCost);
  }
}
