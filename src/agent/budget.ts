import type { BudgetLimit } from '../contract/events';
import type { RunLimits } from './run-spec';

/** Which budget a run reached, its value, and how much had been used. */
export interface BudgetReached {
  limit: BudgetLimit;
  max: number;
  used: number;
}

/** What model calls spent: tokens and cost. */
export interface Spending {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

type Counted = 'maxInputTokens' | 'maxOutputTokens' | 'maxCostUsd';

/** The budgets that count spending, each with the spending figure it counts. */
const COUNTED: readonly (readonly [Counted, keyof Spending])[] = [
  ['maxInputTokens', 'inputTokens'],
  ['maxOutputTokens', 'outputTokens'],
  ['maxCostUsd', 'costUsd'],
];

const none = (): Spending => ({ inputTokens: 0, outputTokens: 0, costUsd: 0 });

/** A share of a run's budgets held for a child run until it ends. */
export interface Reservation {
  /** The child's budgets: what it asked for, at most what was left. */
  limits: Pick<RunLimits, Counted | 'maxWallMs'>;
  release(): void;
}

/**
 * A run's spending against its budgets: tokens and cost as each model call reports them, and wall-clock time, whose
 * end aborts `signal` so that a model call or a tool in progress stops at once.
 *
 * A child run's budget has its parent's as `parent`: what the child spends is spent by the parent too, and the child
 * stops when either runs out. Each child holds a reservation of the parent's budget, so that the children together
 * can never be allowed more than the parent had left.
 */
export class RunBudget {
  private readonly used = none();
  private readonly held = none();
  private readonly started = Date.now();
  private readonly wall = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limits: RunLimits,
    private readonly parent?: RunBudget,
  ) {
    if (limits.maxWallMs !== undefined) this.timer = setTimeout(() => this.wall.abort(), limits.maxWallMs);
  }

  /** Aborted when the wall-clock budget runs out. */
  get signal(): AbortSignal {
    return this.wall.signal;
  }

  spend(usage: Spending): void {
    this.used.inputTokens += usage.inputTokens;
    this.used.outputTokens += usage.outputTokens;
    this.used.costUsd += usage.costUsd;
    this.parent?.spend(usage);
  }

  /** What this run and its children have spent. */
  spent(): Spending {
    return { ...this.used, costUsd: round(this.used.costUsd) };
  }

  /** The first budget reached, this run's or an ancestor's, if any. */
  reached(): BudgetReached | null {
    const { limits } = this;
    const elapsed = Date.now() - this.started;
    const checks: [BudgetLimit, number | undefined, number][] = [
      ['maxWallMs', limits.maxWallMs, this.wall.signal.aborted ? Math.max(elapsed, limits.maxWallMs ?? 0) : elapsed],
      ...COUNTED.map(([limit, figure]): [BudgetLimit, number | undefined, number] => [
        limit,
        limits[limit],
        this.used[figure],
      ]),
    ];
    for (const [limit, max, used] of checks)
      if (max !== undefined && used >= max) return { limit, max, used: round(used) };
    return this.parent?.reached() ?? null;
  }

  /**
   * Holds a share of each of this run's budgets for a child: what it asks for, at most what is left once the other
   * children's shares are held. A budget with nothing left makes the child's share 0, and the child stops at once.
   */
  reserve(asked: Pick<RunLimits, Counted>): Reservation {
    const limits: Reservation['limits'] = {};
    const taken = none();
    for (const [limit, figure] of COUNTED) {
      const max = this.limits[limit];
      const wanted = asked[limit];
      if (max === undefined) {
        if (wanted !== undefined) limits[limit] = wanted;
        continue;
      }
      const left = Math.max(0, max - this.used[figure] - this.held[figure]);
      const share = wanted === undefined ? left : Math.min(wanted, left);
      limits[limit] = share;
      taken[figure] = share;
    }
    if (this.limits.maxWallMs !== undefined)
      limits.maxWallMs = Math.max(0, this.limits.maxWallMs - (Date.now() - this.started));
    for (const [, figure] of COUNTED) this.held[figure] += taken[figure];
    let released = false;
    return {
      limits,
      release: () => {
        if (released) return;
        released = true;
        for (const [, figure] of COUNTED) this.held[figure] -= taken[figure];
      },
    };
  }

  /** Stops the wall-clock timer once the run is over. */
  close(): void {
    clearTimeout(this.timer);
  }
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
