import type { JobSchedule } from '@contract/automation';
import { useEffect, useMemo, useRef, useState } from 'react';
import { FieldError, Segmented, inputClass } from '../components/ui';
import { errorMessage } from '../lib/api';
import { FormField } from '../models/bits';
import { previewSchedule } from './jobs-api';
import {
  type Preset,
  type ScheduleDraft,
  type ScheduleKind,
  WEEKDAYS,
  absolute,
  browserTimeZone,
  exprOf,
  relative,
  scheduleOf,
} from './schedule';

const PRESETS: { value: Preset; label: string }[] = [
  { value: 'hourly', label: 'Every hour' },
  { value: 'daily', label: 'Every day at a time' },
  { value: 'weekdays', label: 'Weekdays at a time' },
  { value: 'weekly', label: 'Every week on a day' },
  { value: 'custom', label: 'Custom expression' },
];

/** The time zones the browser knows; the browser's own first. */
function timeZones(): string[] {
  const own = browserTimeZone();
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [own, ...all.filter((z) => z !== own)];
}

/** Waits for typing to pause before asking the server for the next runs. */
const PREVIEW_DELAY_MS = 300;

/** The next five runs of the schedule as it stands, from the server (which runs them with the same library). */
function Preview({ schedule }: { schedule: JobSchedule }) {
  const key = JSON.stringify(schedule);
  // The schedule changes identity on every render; the request follows its content (`key`).
  const latest = useRef(schedule);
  latest.current = schedule;
  const [state, setState] = useState<{ key: string; runs: string[]; problem: string | null } | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    const timer = setTimeout(() => {
      previewSchedule(latest.current, abort.signal).then(
        ({ runs, problem }) => setState({ key, runs, problem }),
        (e: unknown) => {
          if (!abort.signal.aborted) setState({ key, runs: [], problem: errorMessage(e) });
        },
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [key]);
  const current = state?.key === key ? state : null;
  return (
    <div aria-live="polite" className="mt-3 rounded-md bg-zinc-50 p-3 text-sm dark:bg-zinc-950">
      <h3 className="font-medium">Next runs</h3>
      {!current ? (
        <p className="mt-1 text-zinc-600 dark:text-zinc-400">Working them out…</p>
      ) : current.problem ? (
        <FieldError message={current.problem} />
      ) : current.runs.length === 0 ? (
        <p className="mt-1 text-zinc-600 dark:text-zinc-400">None: this schedule never runs again.</p>
      ) : (
        <ol aria-label="Next runs" className="mt-1 flex flex-col gap-0.5">
          {current.runs.map((run) => (
            <li key={run}>
              <time dateTime={run}>{absolute(run)}</time>{' '}
              <span className="text-zinc-600 dark:text-zinc-400">({relative(run)})</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

/** When the job runs: a cron expression (built from a preset or typed), every N minutes, or once. */
export function ScheduleBuilder({
  draft,
  onChange,
  error,
}: {
  draft: ScheduleDraft;
  onChange: (draft: ScheduleDraft) => void;
  error: string | undefined;
}) {
  const set = <K extends keyof ScheduleDraft>(key: K, value: ScheduleDraft[K]) => {
    const next = { ...draft, [key]: value };
    // The expression follows the preset, so "Custom expression" starts from what the preset was.
    onChange(next.preset === 'custom' ? next : { ...next, expr: exprOf(next) });
  };
  const zones = useMemo(timeZones, []);
  const timed = draft.preset === 'daily' || draft.preset === 'weekdays' || draft.preset === 'weekly';
  return (
    <fieldset aria-invalid={error ? true : undefined} className="min-w-0">
      <legend className="mb-1 text-sm font-medium">Schedule</legend>
      <Segmented<ScheduleKind>
        label="Kind of schedule"
        value={draft.kind}
        onChange={(kind) => set('kind', kind)}
        options={[
          { value: 'cron', label: 'Cron' },
          { value: 'every', label: 'Every N minutes' },
          { value: 'once', label: 'Once' },
        ]}
      />
      <div className="mt-3 grid gap-3 sm:grid-cols-2">
        {draft.kind === 'cron' && (
          <>
            <FormField id="job-preset" label="Repeat">
              <select
                id="job-preset"
                className={inputClass}
                value={draft.preset}
                onChange={(e) => set('preset', e.target.value as Preset)}
              >
                {PRESETS.map((p) => (
                  <option key={p.value} value={p.value}>
                    {p.label}
                  </option>
                ))}
              </select>
            </FormField>
            {draft.preset === 'weekly' && (
              <FormField id="job-weekday" label="Day">
                <select
                  id="job-weekday"
                  className={inputClass}
                  value={draft.weekday}
                  onChange={(e) => set('weekday', e.target.value)}
                >
                  {WEEKDAYS.map((day, i) => (
                    <option key={day} value={String(i)}>
                      {day}
                    </option>
                  ))}
                </select>
              </FormField>
            )}
            {timed && (
              <FormField id="job-time" label="Time">
                <input
                  id="job-time"
                  type="time"
                  className={inputClass}
                  value={draft.time}
                  onChange={(e) => set('time', e.target.value)}
                />
              </FormField>
            )}
            {draft.preset === 'custom' && (
              <FormField
                id="job-expr"
                label="Cron expression"
                hint="Minute, hour, day of month, month, day of week (an optional seconds field first), or @daily and the like."
              >
                <input
                  id="job-expr"
                  className={`${inputClass} font-mono`}
                  value={draft.expr}
                  spellCheck={false}
                  onChange={(e) => set('expr', e.target.value)}
                />
              </FormField>
            )}
            <FormField id="job-timezone" label="Time zone">
              <select
                id="job-timezone"
                className={inputClass}
                value={draft.timezone}
                onChange={(e) => set('timezone', e.target.value)}
              >
                <option value="">The server's time zone</option>
                {zones.map((zone) => (
                  <option key={zone} value={zone}>
                    {zone}
                  </option>
                ))}
              </select>
            </FormField>
          </>
        )}
        {draft.kind === 'every' && (
          <FormField id="job-minutes" label="Every (minutes)" hint="Counted from when the job is saved.">
            <input
              id="job-minutes"
              type="number"
              min={1}
              className={inputClass}
              value={draft.minutes}
              onChange={(e) => set('minutes', e.target.value)}
            />
          </FormField>
        )}
        {draft.kind === 'once' && (
          <FormField id="job-at" label="At" hint={`In your time zone (${browserTimeZone()}).`}>
            <input
              id="job-at"
              type="datetime-local"
              className={inputClass}
              value={draft.at}
              onChange={(e) => set('at', e.target.value)}
            />
          </FormField>
        )}
      </div>
      <FieldError message={error} />
      {(draft.kind !== 'once' || draft.at) && <Preview schedule={scheduleOf(draft)} />}
    </fieldset>
  );
}
