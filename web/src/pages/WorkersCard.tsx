import { SandboxOverviewSchema, SandboxSettingsSchema } from '@contract/settings';
import { type MemoryStatus, MemoryStatusSchema } from '@contract/workspace';
import { useCallback, useRef, useState } from 'react';
import { Card, FieldError } from '../components/ui';
import { api, errorMessage } from '../lib/api';
import { UNIT_BYTES, formatBytes, formatCount, formatDuration } from '../lib/format';
import { useVisibleInterval } from '../lib/use-visible-interval';
import { NumberField, numberBounds, useSandboxOverview } from './SandboxFields';

type PoolKey = 'workerIdleMs' | 'maxPoolMemoryMb';

/** How often the readout is asked again while the page is shown. */
const POLL_MS = 3000;

/** Bounds and defaults from the contract, so the hints cannot drift from what the server takes. */
const SHAPE = SandboxOverviewSchema.shape;
const DEFAULTS = SandboxSettingsSchema.parse({});
const bounds = (key: PoolKey) => numberBounds(SHAPE[key].unwrap());

/** Each setting as the form shows it: in `unit`, `scale` stored units to one shown (1000 ms to a second). */
const FIELDS: {
  key: PoolKey;
  label: string;
  unit: string;
  scale: number;
  what: string;
  text: (n: number) => string;
}[] = [
  {
    key: 'workerIdleMs',
    label: 'Idle time',
    unit: 's',
    scale: 1000,
    what: 'A worker with no call to run ends after this and gives its memory back. While a run is under way one stays, warm for its next call; once none is, the last one ends too.',
    text: formatDuration,
  },
  {
    key: 'maxPoolMemoryMb',
    label: 'Pool memory',
    unit: 'MB',
    scale: 1,
    what: 'What the workers may hold together. A worker starts only while it fits; one holding more than its share (an equal part among the workers started) is replaced between two calls.',
    text: (mb) => formatBytes(mb * UNIT_BYTES.MB),
  },
];

/** Shown in the larger unit with at most three decimals (1,500 ms is 1.5 s). */
const inUnit = (stored: number, scale: number) => Math.round((stored / scale) * 1000) / 1000;

/** `GET /api/memory`, asked again every few seconds while the page is visible; a late answer never replaces a newer one. */
function useMemoryStatus() {
  const [status, setStatus] = useState<MemoryStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);
  const load = useCallback(() => {
    const mine = ++seq.current;
    api('/api/memory', MemoryStatusSchema).then(
      (answer) => {
        if (mine !== seq.current) return;
        setStatus(answer);
        setError(null);
      },
      (e: unknown) => mine === seq.current && setError(errorMessage(e)),
    );
  }, []);
  useVisibleInterval(load, POLL_MS);
  return { status, error, reload: load };
}

function Readout({ status, error }: { status: MemoryStatus | null; error: string | null }) {
  const workers = status && `${formatCount(status.workers)} worker${status.workers === 1 ? '' : 's'}`;
  const rows: [string, string][] = status
    ? [
        ['Server memory (RSS)', formatBytes(status.rssBytes)],
        ['Runs under way', formatCount(status.runs)],
        ['Live sessions', formatCount(status.liveSessions)],
        ['Event streams', formatCount(status.streams)],
        ['Watched folders', formatCount(status.watchedFolders)],
      ]
    : [];
  return (
    <section aria-labelledby="pool-now">
      <h3 id="pool-now" className="mb-2 text-sm font-semibold">
        In use now
      </h3>
      {status ? (
        <dl className="grid grid-cols-2 gap-x-4 gap-y-2 sm:grid-cols-3 lg:grid-cols-5">
          <div className="col-span-full">
            <dt className="text-xs text-zinc-600 dark:text-zinc-400">Sandbox workers</dt>
            <dd className="text-sm font-medium tabular-nums">
              {workers} · {formatBytes(status.workerMemoryBytes)} of {formatBytes(status.workerBudgetBytes)}
            </dd>
          </div>
          {rows.map(([term, value]) => (
            <div key={term}>
              <dt className="text-xs text-zinc-600 dark:text-zinc-400">{term}</dt>
              <dd className="text-sm font-medium tabular-nums">{value}</dd>
            </div>
          ))}
        </dl>
      ) : (
        !error && <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading…</p>
      )}
      <FieldError message={error} />
    </section>
  );
}

/** Settings → Security: how long idle sandbox workers are kept and what they may hold, beside what they hold now. */
export function WorkersCard() {
  const { data, errors, attempt } = useSandboxOverview();
  const memory = useMemoryStatus();
  // Read at once after a save, so the readout's budget is the one just set.
  const save = (key: PoolKey, stored: number) =>
    attempt(key, { [key]: stored }).then((saved) => {
      if (saved) memory.reload();
    });
  return (
    <Card
      title="Workers and memory"
      description="Sandboxed tools run in a pool of worker threads of the server. Idle workers end and give their memory back; together they stay within the budget below."
    >
      <div className="space-y-6">
        {data ? (
          <section aria-label="Worker settings" className="grid gap-4 sm:grid-cols-2">
            {FIELDS.map(({ key, label, unit, scale, what, text }) => {
              const { min, max } = bounds(key);
              const range = `${text(min)} to ${text(max)}`;
              const refused = errors[key];
              return (
                <NumberField
                  key={key}
                  id={`pool-${key}`}
                  label={label}
                  unit={unit}
                  min={inUnit(min, scale)}
                  max={inUnit(max, scale)}
                  step={scale === 1 ? undefined : 'any'}
                  hint={`${what} ${range}; default ${text(DEFAULTS[key])}.`}
                  // The server counts in stored units (ms); the range says it in the ones the field shows.
                  error={
                    refused?.startsWith(`${key}:`)
                      ? `Not saved: ${label.toLowerCase()} must be ${range} (${refused}).`
                      : refused
                  }
                  value={inUnit(data[key], scale)}
                  reading={(v) => text(v * scale)}
                  onSave={(v) => save(key, Math.round(v * scale))}
                />
              );
            })}
          </section>
        ) : errors.load ? (
          <FieldError message={errors.load} />
        ) : (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading…</p>
        )}
        <Readout status={memory.status} error={memory.error} />
      </div>
    </Card>
  );
}
