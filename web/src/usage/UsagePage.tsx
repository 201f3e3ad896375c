import type { UsageGroupBy, UsageTotals } from '@contract/usage';
import { BarChart3, Download } from 'lucide-react';
import { type ReactNode, Suspense, lazy, useMemo, useState } from 'react';
import { EmptyState } from '../components/EmptyState';
import { FieldError, PageHeader, cx } from '../components/ui';
import { onLinkClick } from '../lib/router';
import { compact, costNote, costText, exact, hitRate } from './format';
import { type DayRange, type RangePreset, daysOf, formatDay, presetRange } from './range';
import { RangePicker } from './RangePicker';
import { AgentTable, ModelTable, SessionTable } from './UsageTables';
import { csvHref, useUsage } from './use-usage';

// The chart is the page's only drawing code: it loads when there is something to draw.
const DailyChart = lazy(() => import('./DailyChart'));

function Stat({ label, value, detail, testId }: { label: string; value: string; detail?: ReactNode; testId: string }) {
  return (
    <div className="rounded-lg border border-zinc-200 bg-white p-3 sm:p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <dt className="text-xs font-medium text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="mt-1 text-xl font-semibold tabular-nums" data-testid={testId}>
        {value}
      </dd>
      {detail && <dd className="mt-0.5 text-xs text-zinc-600 dark:text-zinc-400">{detail}</dd>}
    </div>
  );
}

function Totals({ total }: { total: UsageTotals }) {
  const note = costNote(total);
  return (
    <dl className="mb-6 grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5" aria-label="Totals of the range">
      <div className="col-span-2 sm:col-span-1">
        <Stat
          label="Cost"
          value={costText(total)}
          testId="usage-total-cost"
          detail={
            note ? <span className="text-amber-800 dark:text-amber-300">Some prices unknown</span> : 'All calls priced'
          }
        />
      </div>
      <Stat
        label="Tokens in"
        value={compact.format(total.inputTokens)}
        testId="usage-total-in"
        detail={`${exact.format(total.inputTokens)} tokens`}
      />
      <Stat
        label="Tokens out"
        value={compact.format(total.outputTokens)}
        testId="usage-total-out"
        detail={`${exact.format(total.outputTokens)} tokens`}
      />
      <Stat
        label="Cache hit rate"
        value={hitRate(total.cacheHitRate)}
        testId="usage-total-cache"
        detail={`${compact.format(total.cacheReadTokens)} read, ${compact.format(total.cacheWriteTokens)} written`}
      />
      <Stat label="Model calls" value={exact.format(total.calls)} testId="usage-total-calls" />
    </dl>
  );
}

/** A titled part of the page with a link that downloads its grouping as CSV. */
function Section({
  title,
  description,
  csv,
  children,
}: {
  title: string;
  description?: ReactNode;
  csv: { href: string; label: string };
  children: ReactNode;
}) {
  return (
    <section
      aria-label={title}
      className="mb-6 rounded-lg border border-zinc-200 bg-white p-4 sm:p-5 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="mb-3">
        <div className="flex items-center justify-between gap-2">
          <h2 className="text-base font-semibold">{title}</h2>
          <a
            href={csv.href}
            download
            aria-label={csv.label}
            className="-my-1 -mr-2 inline-flex shrink-0 items-center gap-1.5 rounded-md px-2 py-1 text-sm font-medium text-teal-800 hover:bg-teal-50 dark:text-teal-300 dark:hover:bg-teal-950/60"
          >
            <Download aria-hidden size={14} /> CSV
          </a>
        </div>
        {description && <p className="mt-0.5 text-sm text-zinc-600 dark:text-zinc-400">{description}</p>}
      </div>
      {children}
    </section>
  );
}

const PRICES_LINK = '/settings/models';

/**
 * What the model calls of a date range used and cost: totals, a chart per day, and tables per model, per session
 * (agent sessions rolled into the session that started them) and per agent type, each downloadable as CSV. A call
 * whose model has no known price counts as unknown, never as $0.
 */
export function UsagePage() {
  const [preset, setPreset] = useState<RangePreset>('7d');
  const [custom, setCustom] = useState<DayRange>(() => presetRange('7d'));
  const range = useMemo(() => (preset === 'custom' ? custom : presetRange(preset)), [preset, custom]);
  const { reports, loading, error } = useUsage(range);
  const shown = reports?.range;
  const days = useMemo(() => (shown ? daysOf(shown) : []), [shown]);
  const csv = (groupBy: UsageGroupBy, what: string) => ({
    href: shown ? csvHref(shown, groupBy) : '',
    label: `Download usage per ${what} as CSV`,
  });
  const total = reports?.day.total;
  const unpriced = total !== undefined && total.unpricedCalls > 0;

  return (
    <>
      <PageHeader
        title="Usage"
        description="Tokens and cost of every model call, from .boxagnts/usage.jsonl. What an agent spends counts under the session that started it."
      />
      <div className="mb-5 flex flex-wrap items-center justify-between gap-3">
        <RangePicker
          preset={preset}
          custom={custom}
          onPreset={(next) => {
            // A custom range starts from the days on screen.
            if (next === 'custom') setCustom(range);
            setPreset(next);
          }}
          onCustom={setCustom}
        />
        <p className={cx('text-sm text-zinc-600 dark:text-zinc-400', loading && 'animate-pulse')} aria-live="polite">
          {formatDay(range.from, true)} – {formatDay(range.to, true)}
          {loading && <span className="sr-only"> loading</span>}
        </p>
      </div>
      <FieldError message={error} />
      {reports && total && total.calls === 0 && (
        <EmptyState icon={BarChart3} title="No model calls in this range">
          <p>
            Every call the agent makes to a model is counted here, with its tokens and cost. Pick a longer range, or
            start a chat.
          </p>
        </EmptyState>
      )}
      {reports && total && total.calls > 0 && (
        <>
          <Totals total={total} />
          {unpriced && (
            <p className="mb-6 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200">
              {costNote(total)} Costs marked “unknown” or “≥” leave them out. Set a model&apos;s price on{' '}
              <a href={PRICES_LINK} onClick={onLinkClick(PRICES_LINK)} className="font-medium underline">
                Settings → Models
              </a>{' '}
              to count its next calls.
            </p>
          )}
          <Section title="Per day" csv={csv('day', 'day')}>
            <Suspense fallback={<div className="h-[220px]" aria-hidden />}>
              <DailyChart days={days} groups={reports.day.groups} />
            </Suspense>
          </Section>
          <Section title="Per model" csv={csv('model', 'model')}>
            <ModelTable groups={reports.model.groups} />
          </Section>
          <Section
            title="Per session"
            description="An agent's session counts under the session that started it; open a row to see them."
            csv={csv('session', 'session')}
          >
            <SessionTable groups={reports.session.groups} />
          </Section>
          <Section title="Per agent type" csv={csv('agent', 'agent type')}>
            <AgentTable groups={reports.agent.groups} />
          </Section>
        </>
      )}
    </>
  );
}
