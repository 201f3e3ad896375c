import type { UsageGroup } from '@contract/usage';
import { useCallback, useId, useState } from 'react';
import { Segmented, cx } from '../components/ui';
import { compact, costNote, costText, dollars, exact, hitRate } from './format';
import { formatDay } from './range';

type Metric = 'cost' | 'tokens';
type Day = { day: string; totals: UsageGroup | undefined };

const HEIGHT = 220;
const MARGIN = { top: 12, right: 8, bottom: 26, left: 52 };
/** The cap that marks a day with calls of unknown price: their cost cannot be drawn, only flagged. */
const UNKNOWN_CAP = 6;

/** The smallest of 1, 2, 2.5 and 5 times a power of ten that is at least `value`: a tick step people can read. */
function niceStep(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((step) => step >= value)!;
}

/** The width of the element given `ref`, followed as the window or the sidebar changes it. */
function useWidth() {
  const [width, setWidth] = useState(0);
  // A callback ref: the chart's container is a new element each time the chart view comes back from the table.
  const ref = useCallback((element: HTMLDivElement | null) => {
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.floor(entry!.contentRect.width)));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return { ref, width };
}

/** The segments of one day's bar, bottom up, in the chart's units. */
function segments(metric: Metric, t: UsageGroup | undefined): { value: number; className: string }[] {
  if (!t) return [];
  if (metric === 'cost') return [{ value: t.costUsd, className: 'fill-teal-700 dark:fill-teal-400' }];
  return [
    { value: t.cacheReadTokens, className: 'fill-indigo-500 dark:fill-indigo-400' },
    { value: t.inputTokens - t.cacheReadTokens, className: 'fill-teal-700 dark:fill-teal-400' },
    { value: t.outputTokens, className: 'fill-amber-600 dark:fill-amber-400' },
  ];
}

/** The unknown-price cap's hatching, as a legend swatch. */
const HATCH_SWATCH =
  'border border-zinc-500 bg-[repeating-linear-gradient(45deg,var(--color-zinc-500)_0_2px,transparent_2px_4px)]';

const LEGEND: Record<Metric, { label: string; swatch: string; unknownOnly?: true }[]> = {
  cost: [
    { label: 'Cost', swatch: 'bg-teal-700 dark:bg-teal-400' },
    { label: 'Calls of unknown price', swatch: HATCH_SWATCH, unknownOnly: true },
  ],
  tokens: [
    { label: 'Input read from cache', swatch: 'bg-indigo-500 dark:bg-indigo-400' },
    { label: 'Other input', swatch: 'bg-teal-700 dark:bg-teal-400' },
    { label: 'Output', swatch: 'bg-amber-600 dark:bg-amber-400' },
  ],
};

const dayTip = (metric: Metric, { day, totals: t }: Day) => {
  const date = formatDay(day, true);
  if (!t) return `${date}: no calls`;
  if (metric === 'tokens')
    return `${date}: ${exact.format(t.inputTokens)} tokens in (${exact.format(t.cacheReadTokens)} from cache), ${exact.format(t.outputTokens)} out`;
  return `${date}: ${costText(t)} over ${exact.format(t.calls)} call${t.calls === 1 ? '' : 's'}${t.unpricedCalls ? ` (${costNote(t)})` : ''}`;
};

function Bars({ metric, days, width }: { metric: Metric; days: Day[]; width: number }) {
  const hatch = useId();
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const stacks = days.map((d) => segments(metric, d.totals));
  const peak = Math.max(0, ...stacks.map((s) => s.reduce((sum, seg) => sum + seg.value, 0)));
  const step = niceStep(peak > 0 ? peak / 4 : metric === 'cost' ? 0.0025 : 250);
  // Gridlines up to the first at or above the highest bar: two to five of them.
  const lines = Math.max(1, Math.ceil(peak / step));
  const top = step * lines;
  const y = (value: number) => MARGIN.top + plotH - (value / top) * plotH;
  const slot = plotW / days.length;
  const barW = Math.max(2, Math.min(36, slot * 0.7));
  // Labels about 48 px wide: every nth day, counted from the last so today always has one.
  const every = Math.ceil(48 / slot);
  const tick = (value: number) => (metric === 'cost' ? dollars(value) : compact.format(value));
  const total = days.reduce((sum, d) => sum + (d.totals?.calls ?? 0), 0);
  const summary =
    metric === 'cost'
      ? `Cost per day from ${formatDay(days[0]!.day, true)} to ${formatDay(days.at(-1)!.day, true)}, ${total} calls`
      : `Tokens per day from ${formatDay(days[0]!.day, true)} to ${formatDay(days.at(-1)!.day, true)}`;
  return (
    <svg width={width} height={HEIGHT} role="img" aria-label={summary} className="block text-zinc-500">
      <defs>
        <pattern id={hatch} width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <rect width="4" height="4" className="fill-white dark:fill-zinc-900" />
          <line x1="0" y1="0" x2="0" y2="4" stroke="currentColor" strokeWidth="2" />
        </pattern>
      </defs>
      {Array.from({ length: lines + 1 }, (_, i) => (
        <g key={i}>
          <line
            x1={MARGIN.left}
            x2={width - MARGIN.right}
            y1={y(step * i)}
            y2={y(step * i)}
            className={i === 0 ? 'stroke-zinc-400 dark:stroke-zinc-600' : 'stroke-zinc-200 dark:stroke-zinc-800'}
          />
          <text
            x={MARGIN.left - 6}
            y={y(step * i)}
            dy="0.32em"
            textAnchor="end"
            className="fill-zinc-600 text-[11px] tabular-nums dark:fill-zinc-400"
          >
            {tick(step * i)}
          </text>
        </g>
      ))}
      {days.map((d, i) => {
        const x = MARGIN.left + i * slot + (slot - barW) / 2;
        let base = 0;
        const unknown = metric === 'cost' && (d.totals?.unpricedCalls ?? 0) > 0;
        const known = stacks[i]!.reduce((sum, seg) => sum + seg.value, 0);
        return (
          <g key={d.day} className="group">
            <title>{dayTip(metric, d)}</title>
            <rect
              x={MARGIN.left + i * slot}
              y={MARGIN.top}
              width={slot}
              height={plotH}
              className="fill-transparent group-hover:fill-zinc-500/10"
            />
            {stacks[i]!.map((seg, s) => {
              const rect = (
                <rect
                  key={s}
                  x={x}
                  y={y(base + seg.value)}
                  width={barW}
                  height={Math.max(0, y(base) - y(base + seg.value))}
                  className={seg.className}
                />
              );
              base += seg.value;
              return rect;
            })}
            {unknown && (
              <rect
                x={x}
                y={y(known) - UNKNOWN_CAP}
                width={barW}
                height={UNKNOWN_CAP}
                fill={`url(#${hatch})`}
                stroke="currentColor"
              />
            )}
            {(days.length - 1 - i) % every === 0 && (
              <text
                x={MARGIN.left + i * slot + slot / 2}
                y={HEIGHT - 8}
                textAnchor="middle"
                className="fill-zinc-600 text-[11px] dark:fill-zinc-400"
              >
                {formatDay(d.day)}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

function DayTable({ days }: { days: Day[] }) {
  const cell = 'px-3 py-1.5 text-right tabular-nums';
  return (
    <div className="max-h-80 overflow-auto">
      <table className="w-full text-sm">
        <caption className="sr-only">Usage per day</caption>
        <thead className="sticky top-0 bg-white text-xs text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400">
          <tr>
            <th scope="col" className="px-3 py-1.5 text-left font-medium">
              Day
            </th>
            {['Calls', 'Tokens in', 'Tokens out', 'Cache hits', 'Cost'].map((h) => (
              <th key={h} scope="col" className={cx(cell, 'font-medium')}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {days.map(({ day, totals: t }) => (
            <tr key={day}>
              <th scope="row" className="px-3 py-1.5 text-left font-normal whitespace-nowrap">
                {formatDay(day, true)}
              </th>
              <td className={cell}>{exact.format(t?.calls ?? 0)}</td>
              <td className={cell}>{exact.format(t?.inputTokens ?? 0)}</td>
              <td className={cell}>{exact.format(t?.outputTokens ?? 0)}</td>
              <td className={cell}>{hitRate(t?.cacheHitRate ?? null)}</td>
              <td className={cell} title={t && costNote(t)}>
                {t ? costText(t) : dollars(0)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Cost or tokens per day of the range, as bars drawn in SVG (no chart library: a few dozen bars need none), with the
 * same figures as a table for anyone who cannot or would rather not read a chart. Loaded only when it is shown.
 */
export default function DailyChart({ days, groups }: { days: string[]; groups: UsageGroup[] }) {
  const [metric, setMetric] = useState<Metric>('cost');
  const [view, setView] = useState<'chart' | 'table'>('chart');
  const { ref, width } = useWidth();
  const byDay = new Map(groups.map((g) => [g.key, g]));
  const rows = days.map((day) => ({ day, totals: byDay.get(day) }));
  return (
    <div>
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <Segmented
          label="What the chart shows"
          value={metric}
          options={[
            { value: 'cost', label: 'Cost' },
            { value: 'tokens', label: 'Tokens' },
          ]}
          onChange={setMetric}
        />
        <Segmented
          label="Show the days as"
          value={view}
          options={[
            { value: 'chart', label: 'Chart' },
            { value: 'table', label: 'Table' },
          ]}
          onChange={setView}
        />
      </div>
      {view === 'table' ? (
        <DayTable days={rows} />
      ) : (
        <>
          <div ref={ref} data-testid="usage-chart">
            {width > 0 && <Bars metric={metric} days={rows} width={width} />}
          </div>
          <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400">
            {LEGEND[metric]
              .filter((item) => !item.unknownOnly || groups.some((g) => g.unpricedCalls > 0))
              .map((item) => (
                <li key={item.label} className="flex items-center gap-1.5">
                  <span aria-hidden className={cx('inline-block h-2.5 w-2.5 rounded-sm', item.swatch)} />
                  {item.label}
                </li>
              ))}
          </ul>
        </>
      )}
    </div>
  );
}
