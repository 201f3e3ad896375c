import type { JobView } from '@contract/automation';
import { costOf } from './format';

const WIDTH = 80;
const HEIGHT = 24;

/** What the sparkline shows, in words: its accessible name and its tooltip. */
function summary(recent: JobView['recent']): string {
  if (recent.length === 0) return 'No runs yet';
  const known = recent.flatMap((r) => (r.costUsd === null || r.costUsd === undefined ? [] : [r.costUsd]));
  const runs = `${recent.length} recent run${recent.length === 1 ? '' : 's'}`;
  if (known.length === 0) return `Cost of ${runs}: unknown`;
  const total = known.reduce((a, b) => a + b, 0);
  const unknown = recent.length - known.length;
  return (
    `Cost of ${runs}: last ${costOf(recent.at(-1)?.costUsd)}, highest ${costOf(Math.max(...known))}, ` +
    `total ${unknown ? '≥ ' : ''}${costOf(total)}${unknown ? ` (${unknown} of unknown cost)` : ''}`
  );
}

/**
 * The cost of a job's recent runs, oldest to newest, as bars: a run of unknown cost is a hollow marker at the
 * baseline (not a zero bar), so "unknown" never reads as free.
 */
export function Sparkline({ recent }: { recent: JobView['recent'] }) {
  const label = summary(recent);
  if (recent.length === 0) return <span className="text-xs text-zinc-600 dark:text-zinc-400">{label}</span>;
  const max = Math.max(...recent.map((r) => r.costUsd ?? 0));
  const slot = WIDTH / recent.length;
  const bar = Math.max(2, slot - 2);
  return (
    <svg
      role="img"
      aria-label={label}
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      className="shrink-0 text-teal-700 dark:text-teal-400"
    >
      <title>{label}</title>
      <line x1={0} x2={WIDTH} y1={HEIGHT - 0.5} y2={HEIGHT - 0.5} className="stroke-zinc-400 dark:stroke-zinc-600" />
      {recent.map((run, i) => {
        const x = i * slot + (slot - bar) / 2;
        if (run.costUsd === null || run.costUsd === undefined)
          return (
            <rect
              key={i}
              x={x + 0.5}
              y={HEIGHT - 6.5}
              width={bar - 1}
              height={5}
              fill="none"
              className="stroke-amber-700 dark:stroke-amber-400"
            />
          );
        const h = max > 0 ? Math.max(1.5, (run.costUsd / max) * (HEIGHT - 2)) : 1.5;
        return <rect key={i} x={x} y={HEIGHT - h} width={bar} height={h} fill="currentColor" />;
      })}
    </svg>
  );
}
