import type { BudgetLimit } from '../contract/events';
import type { RunLimits } from './run-spec';

/** Which budget a run reached, its value, and how much had been used. */
export interface BudgetReached {
  limit: BudgetLimit;
  max: number;
  used: number;
}

/**
 * A run's spending against its budgets: tokens and cost as each model call reports them, and wall-clock time, whose
 * end aborts `signal` so that a model call or a tool in progress stops at once.
 */
export class RunBudget {
  private inputTokens = 0;
  private outputTokens = 0;
  private costUsd = 0;
  private readonly started = Date.now();
  private readonly wall = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(private readonly limits: RunLimits) {
    if (limits.maxWallMs !== undefined) this.timer = setTimeout(() => this.wall.abort(), limits.maxWallMs);
  }

  /** Aborted when the wall-clock budget runs out. */
  get signal(): AbortSignal {
    return this.wall.signal;
  }

  spend(usage: { inputTokens: number; outputTokens: number; costUsd: number }): void {
    this.inputTokens += usage.inputTokens;
    this.outputTokens += usage.outputTokens;
    this.costUsd += usage.costUsd;
  }

  /** The first budget reached, if any. */
  reached(): BudgetReached | null {
    const { limits } = this;
    const elapsed = Date.now() - this.started;
    const checks: [BudgetLimit, number | undefined, number][] = [
      ['maxWallMs', limits.maxWallMs, this.wall.signal.aborted ? Math.max(elapsed, limits.maxWallMs ?? 0) : elapsed],
      ['maxCostUsd', limits.maxCostUsd, this.costUsd],
      ['maxInputTokens', limits.maxInputTokens, this.inputTokens],
      ['maxOutputTokens', limits.maxOutputTokens, this.outputTokens],
    ];
    for (const [limit, max, used] of checks)
      if (max !== undefined && used >= max) return { limit, max, used: round(used) };
    return null;
  }

  /** Stops the wall-clock timer once the run is over. */
  close(): void {
    clearTimeout(this.timer);
  }
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
