import { PLAIN_AGENT_KEY, type UsageChild, type UsageGroup, type UsageTotals } from '@contract/usage';
import { ChevronRight } from 'lucide-react';
import { type ReactNode, useState } from 'react';
import { Badge, Button, cx } from '../components/ui';
import { onLinkClick } from '../lib/router';
import { compact, costNote, costText, exact, hitRate } from './format';

const NUMBER_CELL = 'px-3 py-2 text-right tabular-nums whitespace-nowrap';
/** Columns a phone leaves out: their figures go on one line under the name instead. */
const WIDE_ONLY = 'hidden sm:table-cell';
const LAST_CELL = 'pr-4 sm:pr-5';
const COLUMNS = ['Calls', 'Tokens in', 'Tokens out', 'Cache hits'];

/** The figures of a row: calls, tokens, cache hit rate and cost ("unknown" or "≥ $X" when prices are missing). */
function Figures({ totals }: { totals: UsageTotals }) {
  const note = costNote(totals);
  return (
    <>
      <td className={cx(NUMBER_CELL, WIDE_ONLY)}>{exact.format(totals.calls)}</td>
      <td className={cx(NUMBER_CELL, WIDE_ONLY)}>{exact.format(totals.inputTokens)}</td>
      <td className={cx(NUMBER_CELL, WIDE_ONLY)}>{exact.format(totals.outputTokens)}</td>
      <td
        className={cx(NUMBER_CELL, WIDE_ONLY)}
        title={`${exact.format(totals.cacheReadTokens)} input tokens read from cache`}
      >
        {hitRate(totals.cacheHitRate)}
      </td>
      <td
        className={cx(NUMBER_CELL, LAST_CELL, 'font-medium', note && 'text-amber-800 dark:text-amber-300')}
        title={note}
      >
        {costText(totals)}
      </td>
    </>
  );
}

/** On a phone, the figures of the columns it leaves out. */
function NarrowFigures({ totals }: { totals: UsageTotals }) {
  const cached = totals.cacheHitRate === null ? '' : ` · ${hitRate(totals.cacheHitRate)} cached`;
  return (
    <div className="mt-0.5 text-xs text-zinc-600 sm:hidden dark:text-zinc-400">
      {exact.format(totals.calls)} call{totals.calls === 1 ? '' : 's'} · {compact.format(totals.inputTokens)} in ·{' '}
      {compact.format(totals.outputTokens)} out{cached}
    </div>
  );
}

/** A table of groups; on a phone only the name and the cost keep a column of their own. */
function GroupTable({ caption, nameHeader, children }: { caption: string; nameHeader: string; children: ReactNode }) {
  return (
    <div className="-mx-4 overflow-x-auto sm:-mx-5">
      <table className="w-full text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="text-xs text-zinc-600 dark:text-zinc-400">
          <tr className="border-b border-zinc-200 dark:border-zinc-800">
            <th scope="col" className="py-2 pr-3 pl-4 text-left font-medium sm:pl-5">
              {nameHeader}
            </th>
            {COLUMNS.map((column) => (
              <th key={column} scope="col" className={cx(NUMBER_CELL, WIDE_ONLY, 'font-medium')}>
                {column}
              </th>
            ))}
            <th scope="col" className={cx(NUMBER_CELL, LAST_CELL, 'font-medium')}>
              Cost
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">{children}</tbody>
      </table>
    </div>
  );
}

const NAME_CELL = 'py-2 pr-3 pl-4 text-left font-normal sm:pl-5';

export function ModelTable({ groups }: { groups: UsageGroup[] }) {
  return (
    <GroupTable caption="Usage per model" nameHeader="Model">
      {groups.map((g) => (
        <tr key={g.key}>
          <th scope="row" className={NAME_CELL}>
            <span className="font-mono text-xs break-all">{g.key}</span>
            <NarrowFigures totals={g} />
          </th>
          <Figures totals={g} />
        </tr>
      ))}
    </GroupTable>
  );
}

export function AgentTable({ groups }: { groups: UsageGroup[] }) {
  return (
    <GroupTable caption="Usage per agent type" nameHeader="Agent type">
      {groups.map((g) => (
        <tr key={g.key}>
          <th scope="row" className={NAME_CELL}>
            {g.key === PLAIN_AGENT_KEY ? (
              <span className="text-zinc-700 dark:text-zinc-300">The plain agent (no agent type)</span>
            ) : (
              <code className="text-xs font-semibold">{g.key}</code>
            )}
            <NarrowFigures totals={g} />
          </th>
          <Figures totals={g} />
        </tr>
      ))}
    </GroupTable>
  );
}

function SessionName({ id, title }: { id: string; title: string | undefined }) {
  if (title === undefined)
    return (
      <span className="text-zinc-600 dark:text-zinc-400">
        Deleted session <code className="text-xs">{id}</code>
      </span>
    );
  const to = `/chat/${id}`;
  return (
    <a
      href={to}
      onClick={onLinkClick(to)}
      className="break-words text-teal-800 underline-offset-2 hover:underline dark:text-teal-300"
    >
      {title}
    </a>
  );
}

/** A child's depth under the top-level session: 1 for a child, 2 for a grandchild. */
function depthOf(child: UsageChild, children: UsageChild[]): number {
  let depth = 1;
  for (let p = child.parentSessionId; depth < 10; depth++) {
    const parent = children.find((c) => c.sessionId === p);
    if (!parent) break;
    p = parent.parentSessionId;
  }
  return depth;
}

function SessionRows({ group }: { group: UsageGroup }) {
  const [open, setOpen] = useState(false);
  const children = group.children ?? [];
  return (
    <>
      <tr>
        <th scope="row" className={NAME_CELL}>
          <div className="flex items-start gap-1.5">
            {children.length > 0 ? (
              <button
                type="button"
                aria-expanded={open}
                aria-label={`${open ? 'Hide' : 'Show'} the ${children.length} agent session${children.length === 1 ? '' : 's'} of ${group.title ?? group.key}`}
                onClick={() => setOpen(!open)}
                className="mt-0.5 shrink-0 rounded p-0.5 text-zinc-500 hover:bg-zinc-100 dark:hover:bg-zinc-800"
              >
                <ChevronRight aria-hidden size={15} className={cx('transition-transform', open && 'rotate-90')} />
              </button>
            ) : (
              <span aria-hidden className="w-5 shrink-0" />
            )}
            <div className="min-w-0">
              <SessionName id={group.key} title={group.title} />
              {children.length > 0 && (
                <div className="text-xs text-zinc-600 dark:text-zinc-400">
                  with {children.length} agent session{children.length === 1 ? '' : 's'}
                </div>
              )}
              <NarrowFigures totals={group} />
            </div>
          </div>
        </th>
        <Figures totals={group} />
      </tr>
      {open &&
        children.map((child) => (
          <tr key={child.sessionId} className="bg-zinc-50 dark:bg-zinc-950/40">
            <th scope="row" className={NAME_CELL}>
              <div
                className="flex flex-wrap items-center gap-1.5"
                style={{ paddingLeft: `${1.25 + depthOf(child, children) * 1}rem` }}
              >
                {child.agentType && <Badge>{child.agentType}</Badge>}
                <SessionName id={child.sessionId} title={child.title} />
                <div className="basis-full">
                  <NarrowFigures totals={child} />
                </div>
              </div>
            </th>
            <Figures totals={child} />
          </tr>
        ))}
    </>
  );
}

const FIRST_SESSIONS = 20;

/** Top-level sessions, each with what its agents spent rolled in; a row opens to list those agent sessions. */
export function SessionTable({ groups }: { groups: UsageGroup[] }) {
  const [all, setAll] = useState(false);
  const shown = all ? groups : groups.slice(0, FIRST_SESSIONS);
  return (
    <>
      <GroupTable caption="Usage per session, agent sessions included" nameHeader="Session">
        {shown.map((g) => (
          <SessionRows key={g.key} group={g} />
        ))}
      </GroupTable>
      {groups.length > shown.length && (
        <Button variant="ghost" className="mt-2" onClick={() => setAll(true)}>
          Show all {groups.length} sessions
        </Button>
      )}
    </>
  );
}
