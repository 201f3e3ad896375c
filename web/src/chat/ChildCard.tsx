import {
  Bot,
  Check,
  ChevronRight,
  CircleAlert,
  CircleHelp,
  CircleStop,
  Clock,
  ExternalLink,
  GitBranch,
  GitMerge,
  Loader2,
  Square,
  Trash2,
  TriangleAlert,
} from 'lucide-react';
import { useCallback, useState } from 'react';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Badge, Button, cx } from '../components/ui';
import { apiSend, errorMessage } from '../lib/api';
import { onLinkClick } from '../lib/router';
import { Markdown } from './Markdown';
import type { ChildView, TimelineItem } from './timeline';
import { formatCost, formatTokens } from './usage';

type ToolItem = Extract<TimelineItem, { kind: 'tool' }>;

const ENDED: Record<string, { text: string; icon: typeof Check; tone: string }> = {
  finished: { text: 'Finished', icon: Check, tone: 'text-teal-700 dark:text-teal-400' },
  cancelled: { text: 'Stopped', icon: CircleStop, tone: 'text-zinc-600 dark:text-zinc-400' },
  max_turns: { text: 'Turn limit reached', icon: TriangleAlert, tone: 'text-amber-700 dark:text-amber-400' },
  budget: { text: 'Budget reached', icon: TriangleAlert, tone: 'text-amber-700 dark:text-amber-400' },
  error: { text: 'Error', icon: CircleAlert, tone: 'text-red-700 dark:text-red-400' },
};

/** The child's state in a few words, with its icon. */
function Status({ child }: { child: ChildView }) {
  let text: string;
  let Icon: typeof Check;
  let tone = 'text-zinc-600 dark:text-zinc-400';
  let spin = false;
  if (child.state === 'queued') {
    text = 'Queued';
    Icon = Clock;
  } else if (child.state === 'running') {
    text = child.tool ? `Running ${child.tool}` : 'Running';
    Icon = Loader2;
    tone = 'text-teal-700 dark:text-teal-400';
    spin = true;
  } else if (child.state === 'interrupted') {
    text = 'Interrupted';
    Icon = CircleHelp;
  } else {
    const ended = ENDED[child.status ?? 'error']!;
    ({ text, icon: Icon, tone } = ended);
  }
  return (
    <span className={cx('flex min-w-0 items-center gap-1 text-xs font-medium', tone)} data-testid="child-status">
      <Icon size={14} aria-hidden className={cx('shrink-0', spin && 'animate-spin')} />
      <span className="truncate">{text}</span>
    </span>
  );
}

/** The task the `agent` call gave the child, from the call's input. */
function promptOf(item: ToolItem): string | null {
  const input = item.input;
  return typeof input === 'object' && input !== null && 'prompt' in input && typeof input.prompt === 'string'
    ? input.prompt
    : null;
}

/** A kept worktree: its branch and diff stat, merged into the checkout or discarded from here. */
function Worktree({ child }: { child: ChildView }) {
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<'merged' | 'discarded' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  // Stable: the dialog focuses its Cancel button whenever this changes, and live progress re-renders the card.
  const cancel = useCallback(() => setConfirming(false), []);
  const worktree = child.worktree!;
  if (worktree.clean)
    return (
      <p className="border-t border-zinc-200 px-3 py-1.5 text-xs text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
        Worktree: nothing changed; removed.
      </p>
    );
  const action = child.worktreeAction ?? done;
  const act = async (what: 'merge' | 'discard') => {
    setConfirming(false);
    setBusy(true);
    setError(null);
    try {
      await apiSend(`/api/agents/children/${child.childId}/${what}`, { method: 'POST' });
      setDone(what === 'merge' ? 'merged' : 'discarded');
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="space-y-2 border-t border-zinc-200 px-3 py-2 dark:border-zinc-800" data-testid="child-worktree">
      <p className="flex min-w-0 items-center gap-1.5 text-xs text-zinc-600 dark:text-zinc-400">
        <GitBranch size={14} aria-hidden className="shrink-0" />
        <span className="shrink-0">Branch</span>
        <code className="truncate font-mono text-zinc-800 dark:text-zinc-200">{worktree.branch}</code>
      </p>
      <pre className="overflow-x-auto whitespace-pre rounded-md border border-zinc-200 bg-white p-2 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-950">
        {worktree.diffStat}
      </pre>
      {action ? (
        <p className="flex items-center gap-1.5 text-sm text-teal-700 dark:text-teal-400" role="status">
          <Check size={14} aria-hidden />
          {action === 'merged' ? `Merged ${worktree.branch} into the checkout.` : `Discarded ${worktree.branch}.`}
        </p>
      ) : (
        <div className="flex flex-wrap gap-2">
          <Button variant="primary" disabled={busy} onClick={() => void act('merge')}>
            <GitMerge size={14} aria-hidden /> Merge
          </Button>
          <Button variant="danger-ghost" disabled={busy} onClick={() => setConfirming(true)}>
            <Trash2 size={14} aria-hidden /> Discard
          </Button>
        </div>
      )}
      {error && (
        <p role="alert" className="whitespace-pre-wrap text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
      {confirming && (
        <ConfirmDialog
          title="Discard this worktree?"
          message={`The branch ${worktree.branch} and its worktree will be removed, with the changes on it. This cannot be undone.`}
          confirmLabel="Discard"
          onConfirm={() => void act('discard')}
          onCancel={cancel}
        />
      )}
    </div>
  );
}

/**
 * The card of an `agent` call: the child run it started, live (state, the tool it calls, turns, tokens, cost), a link
 * to its session, Stop while it goes on, and once it ended its answer, the files it changed and its kept worktree.
 */
export function ChildCard({ child, item }: { child: ChildView; item: ToolItem }) {
  const [open, setOpen] = useState(false);
  const [stopping, setStopping] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const going = child.state === 'queued' || child.state === 'running';
  const prompt = promptOf(item);
  const tokens = child.usage.inputTokens + child.usage.outputTokens;
  const stop = async () => {
    setStopping(true);
    setError(null);
    try {
      await apiSend(`/api/agents/children/${child.childId}/stop`, { method: 'POST' });
    } catch (e) {
      setError(errorMessage(e));
      setStopping(false);
    }
  };
  return (
    <section
      data-testid="child-card"
      aria-label={`Agent: ${child.description}`}
      className="rounded-lg border border-zinc-200 bg-zinc-50 text-sm dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1 px-3 pt-2">
        <Bot size={16} aria-hidden className="shrink-0 text-teal-700 dark:text-teal-400" />
        <h3 className="min-w-0 truncate font-medium">{child.description}</h3>
        <Badge title="Agent type">{child.agentType}</Badge>
        {child.background && (
          <Badge tone="teal" title="The manager goes on while this agent works; its result arrives as a message">
            background
          </Badge>
        )}
        <span className="ml-auto">
          <Status child={child} />
        </span>
      </div>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 pb-2 pt-1 text-xs text-zinc-600 dark:text-zinc-400">
        <span className="tabular-nums" data-testid="child-usage">
          {child.turns} turn{child.turns === 1 ? '' : 's'} · {formatTokens(tokens)} tokens ·{' '}
          {formatCost(child.usage.costUsd)}
        </span>
        <span className="ml-auto flex items-center gap-1">
          <a
            href={`/chat/${child.childId}`}
            onClick={onLinkClick(`/chat/${child.childId}`)}
            aria-label={`Open session of ${child.description}`}
            className="flex items-center gap-1 rounded px-1.5 py-1 font-medium text-teal-700 hover:bg-zinc-200 hover:underline dark:text-teal-400 dark:hover:bg-zinc-800"
          >
            <ExternalLink size={13} aria-hidden /> Open session
          </a>
          {going && (
            <Button
              variant="danger-ghost"
              className="px-2 py-1 text-xs"
              disabled={stopping}
              onClick={() => void stop()}
              aria-label={`Stop ${child.description}`}
            >
              <Square size={12} aria-hidden /> Stop
            </Button>
          )}
          <button
            type="button"
            aria-expanded={open}
            onClick={() => setOpen(!open)}
            className="flex items-center gap-1 rounded px-1.5 py-1 font-medium text-zinc-700 hover:bg-zinc-200 dark:text-zinc-300 dark:hover:bg-zinc-800"
          >
            <ChevronRight size={13} aria-hidden className={cx('transition-transform', open && 'rotate-90')} />
            Details
          </button>
        </span>
      </div>
      {child.error && (
        <p className="border-t border-zinc-200 px-3 py-1.5 text-xs text-red-700 dark:border-zinc-800 dark:text-red-400">
          {child.error}
        </p>
      )}
      {error && (
        <p
          role="alert"
          className="border-t border-zinc-200 px-3 py-1.5 text-xs text-red-700 dark:border-zinc-800 dark:text-red-400"
        >
          {error}
        </p>
      )}
      {open && (
        <div className="space-y-3 border-t border-zinc-200 px-3 py-2.5 dark:border-zinc-800">
          {prompt && (
            <section>
              <h4 className="mb-1 text-xs font-medium uppercase tracking-wide text-zinc-500">Task</h4>
              <pre className="whitespace-pre-wrap break-words font-mono text-xs">{prompt}</pre>
            </section>
          )}
          {child.state === 'done' && (
            <section>
              <h4 className="mb-1 text-xs font-medium uppercase tracking-wide text-zinc-500">Answer</h4>
              {child.text ? <Markdown text={child.text} /> : <p className="text-xs text-zinc-500">(no text)</p>}
            </section>
          )}
          {child.filesChanged.length > 0 && (
            <section>
              <h4 className="mb-1 text-xs font-medium uppercase tracking-wide text-zinc-500">Files changed</h4>
              <ul className="font-mono text-xs">
                {child.filesChanged.map((file) => (
                  <li key={file}>{file}</li>
                ))}
              </ul>
            </section>
          )}
        </div>
      )}
      {child.worktree && <Worktree child={child} />}
    </section>
  );
}
