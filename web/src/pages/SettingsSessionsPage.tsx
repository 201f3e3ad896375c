import {
  type RetentionItem,
  type RetentionRule,
  type RetentionView,
  RetentionViewSchema,
  type SweepAnswer,
  SweepAnswerSchema,
} from '@contract/retention';
import { SettingsSchema } from '@contract/settings';
import { TriangleAlert } from 'lucide-react';
import { type FormEvent, useCallback, useEffect, useId, useState } from 'react';
import { Button, Card, FieldError, PageHeader, Switch, cx, inputClass } from '../components/ui';
import { ApiError, api, errorMessage } from '../lib/api';
import { formatCount } from '../lib/format';
import { onGlobalEvents } from '../lib/global-events';
import { onLinkClick } from '../lib/router';
import { useStore } from '../lib/store';
import { appStore, applySettings } from '../state';

/** What a stage of the rule starts at when it is switched on. */
const DEFAULT_DAYS = { archiveAfterDays: 30, deleteArchivedAfterDays: 90 } as const;
type Stage = keyof typeof DEFAULT_DAYS;

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const sessions = (n: number) => `${formatCount(n)} ${n === 1 ? 'session' : 'sessions'}`;

/** One stage of the rule: a checkbox that switches it on and its number of days. */
function StageField({
  label,
  on,
  days,
  error,
  onOn,
  onDays,
}: {
  label: string;
  on: boolean;
  days: string;
  error: string | null;
  onOn: (on: boolean) => void;
  onDays: (days: string) => void;
}) {
  const id = useId();
  return (
    <div>
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm">
        <input id={`${id}-on`} type="checkbox" checked={on} onChange={(e) => onOn(e.target.checked)} />
        <label htmlFor={`${id}-on`}>{label}</label>
        <label htmlFor={`${id}-days`} className="sr-only">
          {`${label} (days)`}
        </label>
        <input
          id={`${id}-days`}
          type="number"
          inputMode="numeric"
          disabled={!on}
          value={days}
          onChange={(e) => onDays(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          className={cx(inputClass.replace('w-full', 'w-24'), 'disabled:opacity-50')}
        />
        <span>days</span>
      </div>
      {error && (
        <p id={`${id}-error`} role="alert" className="mt-1.5 text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}

/** The rule's form: each stage switched off is absent from settings (sessions are kept forever). */
function RuleCard({ rule, onSaved }: { rule: RetentionRule; onSaved: () => void }) {
  const saved = {
    archiveAfterDays: rule.archiveAfterDays,
    deleteArchivedAfterDays: rule.deleteArchivedAfterDays,
  };
  const [on, setOn] = useState({
    archiveAfterDays: saved.archiveAfterDays !== undefined,
    deleteArchivedAfterDays: saved.deleteArchivedAfterDays !== undefined,
  });
  const [days, setDays] = useState({
    archiveAfterDays: String(saved.archiveAfterDays ?? DEFAULT_DAYS.archiveAfterDays),
    deleteArchivedAfterDays: String(saved.deleteArchivedAfterDays ?? DEFAULT_DAYS.deleteArchivedAfterDays),
  });
  const [errors, setErrors] = useState<Partial<Record<Stage | 'form', string>>>({});
  const [saving, setSaving] = useState(false);
  const [done, setDone] = useState(false);

  const value = (stage: Stage) => (on[stage] ? days[stage] : null);
  const changed = (['archiveAfterDays', 'deleteArchivedAfterDays'] as const).some(
    (stage) => value(stage) !== (saved[stage] === undefined ? null : String(saved[stage])),
  );

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    const found: typeof errors = {};
    const patch: Record<Stage, number | null> = { archiveAfterDays: null, deleteArchivedAfterDays: null };
    for (const stage of ['archiveAfterDays', 'deleteArchivedAfterDays'] as const) {
      if (!on[stage]) continue;
      const n = Number(days[stage]);
      // An empty or unreadable field would be sent as null, which switches the stage off: say so instead.
      if (days[stage].trim() === '' || !Number.isFinite(n)) found[stage] = 'Enter a number of days.';
      else patch[stage] = n;
    }
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setSaving(true);
    try {
      applySettings(
        await api('/api/settings', SettingsSchema, { method: 'PATCH', body: { sessions: { retention: patch } } }),
      );
      setDone(true);
      onSaved();
    } catch (e) {
      // The server names the field it refused (`sessions.retention.archiveAfterDays`): shown under that stage.
      const field = e instanceof ApiError ? e.field : undefined;
      const stage = (['archiveAfterDays', 'deleteArchivedAfterDays'] as const).find((s) => field?.endsWith(s));
      setErrors({ [stage ?? 'form']: errorMessage(e) });
    } finally {
      setSaving(false);
    }
  };
  const edit = <K extends 'on' | 'days'>(kind: K, stage: Stage, next: K extends 'on' ? boolean : string) => {
    setDone(false);
    setErrors((e) => ({ ...e, [stage]: undefined, form: undefined }));
    if (kind === 'on') setOn((o) => ({ ...o, [stage]: next }));
    else setDays((d) => ({ ...d, [stage]: next }));
  };

  return (
    <Card
      title="Retention rule"
      description="Sessions are kept forever unless you switch on a stage below. Saving applies it at once."
    >
      <form onSubmit={(e) => void save(e)} noValidate className="space-y-3">
        <StageField
          label="Archive sessions untouched for"
          on={on.archiveAfterDays}
          days={days.archiveAfterDays}
          error={errors.archiveAfterDays ?? null}
          onOn={(v) => edit('on', 'archiveAfterDays', v)}
          onDays={(v) => edit('days', 'archiveAfterDays', v)}
        />
        <StageField
          label="Delete archived sessions after"
          on={on.deleteArchivedAfterDays}
          days={days.deleteArchivedAfterDays}
          error={errors.deleteArchivedAfterDays ?? null}
          onOn={(v) => edit('on', 'deleteArchivedAfterDays', v)}
          onDays={(v) => edit('days', 'deleteArchivedAfterDays', v)}
        />
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Pinned sessions never expire. Archived sessions stay searchable in the chat's Archived list and can be
          restored; a session's child runs go with it.
        </p>
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" variant="primary" disabled={saving || !changed}>
            Save rule
          </Button>
          {done && (
            <span role="status" className="text-sm text-zinc-600 dark:text-zinc-400">
              Saved.
            </span>
          )}
        </div>
        <FieldError message={errors.form} />
      </form>
    </Card>
  );
}

function Items({ label, items, dated }: { label: string; items: RetentionItem[]; dated: 'updated' | 'archived' }) {
  if (items.length === 0) return <p className="text-sm text-zinc-600 dark:text-zinc-400">Nothing.</p>;
  return (
    <ul
      aria-label={label}
      className="divide-y divide-zinc-200 rounded-md border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800"
    >
      {items.map((item) => (
        <li key={item.id} className="px-3 py-2 text-sm">
          <a
            href={`/chat/${item.id}`}
            onClick={onLinkClick(`/chat/${item.id}`)}
            className="font-medium text-teal-700 hover:underline dark:text-teal-400"
          >
            {item.title}
          </a>
          <p className="text-xs text-zinc-600 dark:text-zinc-400">
            {dated === 'archived' && item.archivedAt
              ? `Archived ${when(item.archivedAt)}`
              : `Last activity ${when(item.updatedAt)}`}
          </p>
          {item.worktree && (
            <p className="mt-0.5 text-xs text-zinc-600 dark:text-zinc-400">
              Its worktree folder <code className="break-all">{item.worktree}</code> is removed too; its branch stays.
            </p>
          )}
        </li>
      ))}
    </ul>
  );
}

/** A delete rule nobody has allowed yet: what it would remove, and the one button that lets it. */
function DeletesNotAllowed({ view, onAllow, busy }: { view: RetentionView; onAllow: () => void; busy: boolean }) {
  const days = view.rule.deleteArchivedAfterDays;
  return (
    <section
      aria-labelledby="deletes-not-allowed"
      className="rounded-md border border-amber-400 bg-amber-50 p-3 text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
    >
      <h3 id="deletes-not-allowed" className="flex items-center gap-2 text-sm font-semibold">
        <TriangleAlert size={16} aria-hidden className="shrink-0" /> Deletions are not allowed yet
      </h3>
      <p className="mt-1 text-sm">
        This rule deletes archived sessions {days} days after they were archived, permanently: their files and the
        worktree folders of their child runs. Nothing has been deleted yet. Look at what it would delete now, then allow
        it.
      </p>
      <h4 className="mt-3 text-sm font-medium">Would delete now ({formatCount(view.delete.length)})</h4>
      <div className="mt-1">
        <Items label="Would delete now" items={view.delete} dated="archived" />
      </div>
      <Button variant="danger" className="mt-3" disabled={busy} onClick={onAllow}>
        Allow deletions
      </Button>
    </section>
  );
}

/** What the saved rule would do now, its deletions' allowance, applying it now and how it went last time. */
function PreviewCard({
  view,
  onView,
  error,
}: {
  view: RetentionView;
  onView: (view: RetentionView) => void;
  error: string | null;
}) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<SweepAnswer | null>(null);

  const allow = async () => {
    const days = view.rule.deleteArchivedAfterDays;
    if (days === undefined) return;
    setBusy(true);
    setProblem(null);
    try {
      onView(
        await api('/api/retention/allow-deletes', RetentionViewSchema, {
          method: 'POST',
          body: { deleteArchivedAfterDays: days },
        }),
      );
    } catch (e) {
      setProblem(errorMessage(e));
      // The rule changed meanwhile (in another tab, by hand): show the one in force.
      if (e instanceof ApiError && e.code === 'rule_changed') onView(await api('/api/retention', RetentionViewSchema));
    } finally {
      setBusy(false);
    }
  };
  const apply = async () => {
    setBusy(true);
    setProblem(null);
    setOutcome(null);
    try {
      const answer = await api('/api/retention/sweep', SweepAnswerSchema, { method: 'POST' });
      setOutcome(answer);
      onView(answer.view);
    } catch (e) {
      setProblem(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const { rule, lastSweep } = view;
  const deletes = rule.deleteArchivedAfterDays !== undefined;
  return (
    <Card title="What the rule would do now" description="For the saved rule; the server also applies it every hour.">
      <div className="space-y-4">
        <div>
          <h3 className="text-sm font-medium">Would archive now ({formatCount(view.archive.length)})</h3>
          <div className="mt-1">
            {rule.archiveAfterDays === undefined ? (
              <p className="text-sm text-zinc-600 dark:text-zinc-400">
                No archive rule: sessions stay in the list until you archive them.
              </p>
            ) : (
              <Items label="Would archive now" items={view.archive} dated="updated" />
            )}
          </div>
        </div>
        {!deletes ? (
          <div>
            <h3 className="text-sm font-medium">Would delete now (0)</h3>
            <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
              No delete rule: archived sessions are kept until you delete them.
            </p>
          </div>
        ) : view.deletesAllowed ? (
          <div>
            <h3 className="text-sm font-medium">Would delete now ({formatCount(view.delete.length)})</h3>
            <p className="mt-0.5 text-xs text-zinc-600 dark:text-zinc-400">
              You allowed this rule's deletions; they are permanent.
            </p>
            <div className="mt-1">
              <Items label="Would delete now" items={view.delete} dated="archived" />
            </div>
          </div>
        ) : (
          <DeletesNotAllowed view={view} onAllow={() => void allow()} busy={busy} />
        )}
        <div className="flex flex-wrap items-center gap-3 border-t border-zinc-200 pt-4 dark:border-zinc-800">
          <Button onClick={() => void apply()} disabled={busy || (rule.archiveAfterDays === undefined && !deletes)}>
            Apply now
          </Button>
          <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="last-sweep">
            {lastSweep
              ? `Last applied ${when(lastSweep.at)}: ${sessions(lastSweep.archived)} archived, ${sessions(lastSweep.deleted)} deleted.`
              : 'Not applied yet.'}
          </p>
        </div>
        {outcome && (
          <p role="status" className="text-sm">
            Applied now: {sessions(outcome.archived.length)} archived, {sessions(outcome.deleted.length)} deleted.
          </p>
        )}
        {(outcome?.errors ?? lastSweep?.errors ?? []).length > 0 && (
          <div className="text-sm text-red-700 dark:text-red-400">
            <p>Some sessions could not be moved; the next run tries again:</p>
            <ul className="mt-1 list-disc pl-5">
              {(outcome?.errors ?? lastSweep?.errors ?? []).map((e) => (
                <li key={e} className="break-words">
                  {e}
                </li>
              ))}
            </ul>
          </div>
        )}
        <FieldError message={problem ?? error} />
      </div>
    </Card>
  );
}

/** Whether a session's model names it after its first answer; the switch saves at once. */
function TitlesCard({ on }: { on: boolean }) {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const change = async (generateTitles: boolean) => {
    setSaving(true);
    setError(null);
    try {
      applySettings(
        await api('/api/settings', SettingsSchema, { method: 'PATCH', body: { sessions: { generateTitles } } }),
      );
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Card
      title="Titles"
      description="After the first answer of a chat, its model is asked for a title of a few words: one small extra call, counted in the session's usage. Off, the first message stays the title. Runs of boxagnts run and sessions you renamed keep their title."
    >
      <span className="flex items-center gap-2 text-sm">
        <Switch checked={on} disabled={saving} onChange={(next) => void change(next)} label="Generate session titles" />{' '}
        Generate session titles
      </span>
      <FieldError message={error} />
    </Card>
  );
}

/** The retention view, loaded again whenever a session enters or leaves a list (a sweep, an archive elsewhere). */
function useRetentionView() {
  const [view, setView] = useState<RetentionView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api('/api/retention', RetentionViewSchema).then(
      (next) => {
        setView(next);
        setError(null);
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, []);
  useEffect(() => {
    load();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A sweep moves sessions one by one: one reload after the burst.
    const soon = () => {
      clearTimeout(timer);
      timer = setTimeout(load, 200);
    };
    const stop = onGlobalEvents({
      onEvent: (event) => {
        if (event.type === 'session.created' || event.type === 'session.deleted') soon();
      },
      onRestart: load,
    });
    return () => {
      clearTimeout(timer);
      stop();
    };
  }, [load]);
  return { view, setView, error, load };
}

/** Settings → Sessions: how sessions are titled, when they are archived and deleted, and what that rule would do now. */
export function SettingsSessionsPage() {
  const settings = useStore(appStore, (s) => s.settings);
  const { view, setView, error, load } = useRetentionView();
  return (
    <>
      <PageHeader
        title="Sessions"
        description="How sessions are titled, when old ones leave the chat's list for the archive, and when archived ones are deleted."
      />
      {settings ? (
        <div className="space-y-5">
          <TitlesCard on={settings.sessions.generateTitles} />
          <RuleCard rule={settings.sessions.retention} onSaved={load} />
          {view ? (
            <PreviewCard view={view} onView={setView} error={error} />
          ) : (
            <Card title="What the rule would do now">
              {error ? <FieldError message={error} /> : <p className="text-sm text-zinc-500">Loading…</p>}
            </Card>
          )}
        </div>
      ) : (
        <p className="text-sm text-zinc-500">Loading settings…</p>
      )}
    </>
  );
}
