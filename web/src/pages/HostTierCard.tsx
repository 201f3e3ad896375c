import { type HostTierSettings, HostTierSettingsSchema, type HostTierStatus } from '@contract/settings';
import { CircleCheck, CirclePause, TriangleAlert } from 'lucide-react';
import { Card, FieldError, Switch } from '../components/ui';
import { UNIT_BYTES, formatBytes, formatCount, formatDuration } from '../lib/format';
import { EntryList, NumberField, numberBounds, useSandboxOverview } from './SandboxFields';

type LimitKey = 'timeoutMs' | 'maxMemoryBytes' | 'maxCpuSeconds' | 'maxProcesses' | 'maxOpenFiles' | 'maxOutputBytes';

const { MB } = UNIT_BYTES;

/** The bounds and default of a limit, from the contract's schema, so the hints cannot drift from what the server takes. */
const SHAPE = HostTierSettingsSchema.unwrap().shape;
const DEFAULTS = HostTierSettingsSchema.parse({});
const bounds = (key: LimitKey) => numberBounds(SHAPE[key].unwrap());

/**
 * Each limit as the form shows it: in `unit`, `scale` stored units to one shown (1000 ms to a second), and its range
 * and default as text in the unit a person reads best.
 */
const LIMITS: {
  key: LimitKey;
  label: string;
  unit: string;
  scale: number;
  what: string;
  text: (n: number) => string;
  /** A count, read back as the number with its unit ("4,096 per process") rather than in another unit. */
  count?: true;
}[] = [
  {
    key: 'timeoutMs',
    label: 'Time limit',
    unit: 's',
    scale: 1000,
    what: 'Wall clock of a bash call that runs programs of this machine.',
    text: formatDuration,
  },
  {
    key: 'maxMemoryBytes',
    label: 'Memory',
    unit: 'MB',
    scale: MB,
    what: 'Memory of one command’s processes.',
    text: formatBytes,
  },
  {
    key: 'maxCpuSeconds',
    label: 'CPU time',
    unit: 's',
    scale: 1,
    what: 'CPU time of one command’s processes.',
    text: (s) => formatDuration(s * 1000),
  },
  {
    key: 'maxProcesses',
    label: 'Processes',
    unit: 'at once',
    scale: 1,
    what: 'Processes and threads of one command.',
    text: formatCount,
    count: true,
  },
  {
    key: 'maxOpenFiles',
    label: 'Open files',
    unit: 'per process',
    scale: 1,
    what: 'Files one process may have open at once.',
    text: formatCount,
    count: true,
  },
  {
    key: 'maxOutputBytes',
    label: 'Output kept',
    unit: 'MB',
    scale: MB,
    what: 'Of stdout and of stderr, each; the rest is cut.',
    text: formatBytes,
  },
];

/** Shown in the larger unit with at most three decimals (1,500 ms is 1.5 s). */
const inUnit = (stored: number, scale: number) => Math.round((stored / scale) * 1000) / 1000;

function Status({ status, enabled }: { status: HostTierStatus; enabled: boolean }) {
  const caps =
    status.caps === 'cgroup'
      ? 'memory and process limits apply to each command’s processes together (cgroups)'
      : 'limits apply to each process on its own (rlimits), as this process may not create cgroups';
  if (!enabled)
    return (
      <p className="flex items-start gap-2 text-sm text-zinc-700 dark:text-zinc-300">
        <CirclePause size={16} aria-hidden className="mt-0.5 shrink-0 text-zinc-500" />
        <span>
          <strong className="font-semibold">Off:</strong> bash answers that programs of this machine are turned off.
          {status.mechanism && ` This machine has ${status.mechanism} for them.`}
        </span>
      </p>
    );
  if (status.available)
    return (
      <p className="flex items-start gap-2 text-sm text-zinc-700 dark:text-zinc-300">
        <CircleCheck size={16} aria-hidden className="mt-0.5 shrink-0 text-teal-700 dark:text-teal-400" />
        <span>
          <strong className="font-semibold">Available:</strong> each command runs in {status.mechanism}; {caps}.
        </span>
      </p>
    );
  return (
    <p className="flex items-start gap-2 rounded-md border border-amber-300 bg-amber-50 p-2.5 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-100">
      <TriangleAlert size={16} aria-hidden className="mt-0.5 shrink-0 text-amber-700 dark:text-amber-400" />
      <span>
        <strong className="font-semibold">Not available:</strong> {status.problem ?? 'no OS sandbox was found.'}
      </span>
    </p>
  );
}

/** Settings → Security: the host tier, where bash runs the programs of this machine (git, node, npm, …). */
export function HostTierCard() {
  const { data, errors, attempt } = useSandboxOverview();
  const title = 'Programs of this machine (host tier)';
  if (!data)
    return (
      <Card title={title}>
        {errors.load ? (
          <FieldError message={errors.load} />
        ) : (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading…</p>
        )}
      </Card>
    );
  const { host, hostTier } = data;
  // Each change is a merge patch of `sandbox.host`, so the other host settings stay as they are.
  const change = (key: string, patch: Partial<HostTierSettings>) => attempt(key, { host: patch });

  return (
    <Card
      title={title}
      description="Programs the WebAssembly shell does not have, such as git, node, npm and python3, run as bash commands of this machine: each after your approval, in an OS sandbox that sees the workspace and nothing of yours beyond it."
    >
      <div className="space-y-6">
        <section aria-label="Host tier status" className="space-y-3">
          <Status status={hostTier} enabled={host.enabled} />
          <span className="flex items-center gap-2 text-sm">
            <Switch
              checked={host.enabled}
              onChange={(enabled) => void change('host.enabled', { enabled })}
              label="Run programs of this machine"
            />{' '}
            Run programs of this machine
          </span>
          <FieldError message={errors['host.enabled']} />
        </section>

        <section>
          <h3 className="mb-1 text-sm font-semibold">Programs found</h3>
          {hostTier.programs.length > 0 ? (
            <ul aria-label="Programs found" className="flex flex-wrap gap-1.5">
              {hostTier.programs.map((program) => (
                <li key={program}>
                  <code className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs dark:bg-zinc-800">{program}</code>
                </li>
              ))}
            </ul>
          ) : (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">
              None of the well-known ones (git, node, python3, make, …).
            </p>
          )}
          <p className="mt-2 text-xs text-zinc-600 dark:text-zinc-400">
            Any other program in the system’s folders (<code>/usr/bin</code>, <code>/usr/local/bin</code>, …) runs too;
            these are the ones the agent is told about.
          </p>
        </section>

        <section>
          <h3 className="mb-1 text-sm font-semibold">Run without asking</h3>
          <p className="mb-2 text-xs text-zinc-600 dark:text-zinc-400">
            A pattern matches a command’s words and <code>*</code> is a wildcard: <code>git status*</code> covers{' '}
            <code>git status --short</code>; a deny or ask rule above still wins.
          </p>
          <EntryList
            label="Run without asking"
            entries={host.allow}
            placeholder="git status*"
            empty="None: every command asks first."
            onSave={(allow) => change('host.allow', { allow })}
          />
          <FieldError message={errors['host.allow']} />
        </section>

        <section>
          <h3 className="mb-1 text-sm font-semibold">Get network</h3>
          <p className="mb-2 text-xs text-zinc-600 dark:text-zinc-400">
            Commands matching these patterns may reach only the allowed hosts of the sandbox above, never its blocked
            networks; every other command has no network at all.
          </p>
          <EntryList
            label="Get network"
            entries={host.network}
            placeholder="npm install*"
            empty="None: no command gets network."
            onSave={(network) => change('host.network', { network })}
          />
          <FieldError message={errors['host.network']} />
        </section>

        <section>
          <h3 className="mb-1 text-sm font-semibold">git</h3>
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={host.gitWrites}
              onChange={(e) => void change('host.gitWrites', { gitWrites: e.target.checked })}
            />
            git may change .git (commit, branch, stash)
          </label>
          <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">Every other program sees .git read-only.</p>
          <FieldError message={errors['host.gitWrites']} />
        </section>

        <section aria-label="Limits of a command" className="grid gap-4 sm:grid-cols-2">
          <h3 className="text-sm font-semibold sm:col-span-2">Limits</h3>
          {LIMITS.map(({ key, label, unit, scale, what, text, count }) => {
            const { min, max } = bounds(key);
            const range = `${text(min)} to ${text(max)}`;
            const refused = errors[`host.${key}`];
            return (
              <NumberField
                key={key}
                id={`host-${key}`}
                label={label}
                unit={unit}
                min={inUnit(min, scale)}
                max={inUnit(max, scale)}
                step={scale === 1 ? undefined : 'any'}
                hint={`${what} ${range}; default ${text(DEFAULTS[key])}.`}
                // The server counts in stored units (bytes, ms); the range says it in the ones the field shows.
                error={
                  refused?.startsWith(`host.${key}:`)
                    ? `Not saved: ${label.toLowerCase()} must be ${range} (${refused}).`
                    : refused
                }
                value={inUnit(host[key], scale)}
                reading={count ? undefined : (v) => text(v * scale)}
                onSave={(v) => change(`host.${key}`, { [key]: Math.round(v * scale) }).then(() => undefined)}
              />
            );
          })}
        </section>
      </div>
    </Card>
  );
}
