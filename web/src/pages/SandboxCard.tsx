import { FUEL_DEFAULTS } from '@contract/fuel';
import type { Settings } from '@contract/settings';
import { FolderLock, Plus, Trash2, TriangleAlert } from 'lucide-react';
import type { FormEvent } from 'react';
import { Button, Card, FieldError, Switch, cx, inputClass } from '../components/ui';
import { useDraft } from '../lib/draft';
import { UNIT_BYTES, formatBytes, formatCount, formatDuration } from '../lib/format';
import { EntryList, NumberField, useSandboxOverview } from './SandboxFields';

const { KB, MB } = UNIT_BYTES;

/** A budget that may be switched off (null); unticking restores the default. */
function OptionalLimitField(props: {
  id: string;
  label: string;
  hint: string;
  unit: string;
  min: number;
  none: string;
  value: number | null;
  fallback: number;
  reading?: (n: number) => string;
  onSave: (v: number | null) => Promise<unknown>;
}) {
  const { value, fallback, onSave } = props;
  return (
    <div>
      <NumberField
        id={props.id}
        label={props.label}
        unit={props.unit}
        min={props.min}
        hint={props.hint}
        value={value}
        reading={props.reading}
        onSave={(v) => onSave(v).then(() => undefined)}
      />
      <label className="mt-1 flex items-center gap-2 text-xs text-zinc-600 dark:text-zinc-400">
        <input
          type="checkbox"
          checked={value === null}
          onChange={(e) => void onSave(e.target.checked ? null : fallback)}
        />{' '}
        {props.none}
      </label>
    </div>
  );
}

type Mount = Settings['sandbox']['mounts'][number];
const NO_MOUNT: Mount = { host: '', guest: '', readOnly: true };

/** The seven limits every sandboxed tool runs under: time, memory, stack, fuel, allowed hosts, blocked networks, mounts. */
export function SandboxCard() {
  const { data, errors, attempt } = useSandboxOverview();
  const { draft: mountDraft, setDraft: setMountDraft, busy: mounting, submit: submitMount } = useDraft<Mount>(NO_MOUNT);

  if (!data)
    return (
      <Card title="Sandbox">
        {errors.load ? (
          <FieldError message={errors.load} />
        ) : (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading…</p>
        )}
      </Card>
    );
  const jsexec = data.tools.jsexec ?? {};
  const addMount = async (event: FormEvent) => {
    event.preventDefault();
    await submitMount((mount) =>
      attempt('mounts', { mounts: [...data.mounts.map(({ exists: _e, ...m }) => m), mount] }),
    );
  };

  return (
    <Card
      title="Sandbox"
      description="File, shell, JavaScript and web tools run as WebAssembly in a sandbox. It sees the workspace as / (.boxagnts never, the protected files below read-only), nothing else unless mounted below, and no network unless a host is allowed."
    >
      <div className="space-y-6">
        <section aria-label="Limits" className="grid gap-4 sm:grid-cols-2">
          <NumberField
            id="sb-timeout"
            label="Time limit"
            unit="ms"
            min={100}
            hint="Wall clock per call; the call is stopped at the deadline."
            value={data.timeoutMs}
            reading={formatDuration}
            onSave={(v) => attempt('timeoutMs', { timeoutMs: v }).then(() => undefined)}
          />
          <NumberField
            id="sb-memory"
            label="Memory"
            unit="MB"
            min={1}
            hint="Memory the guest may allocate."
            value={Math.round(data.maxMemoryBytes / MB)}
            reading={(v) => formatBytes(v * MB)}
            onSave={(v) => attempt('maxMemoryBytes', { maxMemoryBytes: Math.round(v * MB) }).then(() => undefined)}
          />
          <NumberField
            id="sb-stack"
            label="Stack"
            unit="KB"
            min={64}
            hint={`Recursion depth, at most ${formatBytes(2048 * KB)}.`}
            value={Math.round(data.maxStackBytes / KB)}
            reading={(v) => formatBytes(v * KB)}
            onSave={(v) => attempt('maxStackBytes', { maxStackBytes: Math.round(v * KB) }).then(() => undefined)}
          />
          <OptionalLimitField
            id="sb-fuel"
            label="Fuel"
            unit="steps"
            min={1}
            none="No fuel budget (only the time limit)"
            hint={`For JavaScript, the shell and the file tools. One step is a loop iteration, a function call or a regex backtracking step, counted in blocks of ${formatCount(10_000)}; the default of ${formatCount(FUEL_DEFAULTS.fuel)} stops a runaway loop in one to two seconds of CPU, at the same count every time.`}
            value={data.fuel}
            fallback={FUEL_DEFAULTS.fuel}
            onSave={(v) => attempt('fuel', { fuel: v ?? 'unlimited' })}
          />
          <OptionalLimitField
            id="sb-wasm-fuel"
            label="WebAssembly fuel"
            unit="steps"
            min={1}
            none="No fuel budget (only the time limit)"
            hint={`For WebAssembly extension tools. One step is a loop iteration or a function call, each far cheaper than in JavaScript; the default of ${formatCount(FUEL_DEFAULTS.wasmFuel)} stops a runaway loop in about a second.`}
            value={data.wasmFuel}
            fallback={FUEL_DEFAULTS.wasmFuel}
            onSave={(v) => attempt('wasmFuel', { wasmFuel: v ?? 'unlimited' })}
          />
          <OptionalLimitField
            id="sb-disk"
            label="Disk writes"
            unit="MB"
            min={0}
            none="No quota"
            hint="What one call may write to files in all; past it the write is refused and the result says so."
            value={data.maxWriteBytes === null ? null : Math.round((data.maxWriteBytes / MB) * 10) / 10}
            fallback={100}
            reading={(v) => formatBytes(v * MB)}
            onSave={(v) => attempt('maxWriteBytes', { maxWriteBytes: v === null ? 'unlimited' : Math.round(v * MB) })}
          />
          {['timeoutMs', 'maxMemoryBytes', 'maxStackBytes', 'fuel', 'wasmFuel', 'maxWriteBytes'].map(
            (k) => errors[k] && <FieldError key={k} message={errors[k]} />,
          )}
        </section>

        <section>
          <h3 className="mb-1 text-sm font-semibold">Allowed hosts</h3>
          <p className="mb-2 text-xs text-zinc-600 dark:text-zinc-400">
            <code>scheme://host[:port]</code> with <code>*</code> wildcards, e.g. <code>https://*.github.com</code>,{' '}
            <code>https://docs.python.org</code>, <code>*://localhost:*</code>.
          </p>
          <EntryList
            label="Allowed hosts"
            entries={data.allowedOutboundHosts}
            placeholder="https://api.github.com"
            empty="None: tools cannot reach the network."
            onSave={(next) => attempt('allowedOutboundHosts', { allowedOutboundHosts: next })}
          />
          <FieldError message={errors.allowedOutboundHosts} />
        </section>

        <section>
          <h3 className="mb-1 text-sm font-semibold">Blocked networks</h3>
          <p className="mb-2 text-xs text-zinc-600 dark:text-zinc-400">
            Refused after DNS resolution, even for allowed hosts: CIDRs like <code>10.0.0.0/8</code>, or{' '}
            <code>private</code> (loopback, LAN, link-local incl. cloud metadata, CGNAT, unique-local). The dashboard
            itself is always refused.
          </p>
          <EntryList
            label="Blocked networks"
            entries={data.blockNetworks}
            placeholder="private"
            empty="None: only the dashboard itself is refused."
            onSave={(next) => attempt('blockNetworks', { blockNetworks: next })}
          />
          <FieldError message={errors.blockNetworks} />
        </section>

        <section>
          <h3 className="mb-1 text-sm font-semibold">Extra mounts</h3>
          <p className="mb-2 text-xs text-zinc-600 dark:text-zinc-400">
            Folders of this machine the sandbox may see, at a path of your choice. Symbolic links inside are never
            followed.
          </p>
          {data.mounts.length > 0 && (
            <ul
              aria-label="Mounts"
              className="mb-2 divide-y divide-zinc-200 rounded-md border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800"
            >
              {data.mounts.map((m, i) => (
                <li
                  key={`${m.guest}-${i}`}
                  className="flex flex-wrap items-center justify-between gap-2 px-3 py-1.5 text-sm"
                >
                  <span className="flex min-w-0 items-center gap-2">
                    <FolderLock size={15} className="shrink-0 text-zinc-500" aria-hidden />
                    <code className="break-all">{m.host}</code> → <code>{m.guest}</code>
                    <span className="rounded bg-zinc-100 px-1.5 text-xs dark:bg-zinc-800">
                      {m.readOnly ? 'read-only' : 'read-write'}
                    </span>
                    {m.exists === false && (
                      <span className="flex items-center gap-1 text-xs text-amber-700 dark:text-amber-400">
                        <TriangleAlert size={13} aria-hidden /> folder not found, not mounted
                      </span>
                    )}
                  </span>
                  <Button
                    variant="ghost"
                    aria-label={`Remove mount ${m.guest}`}
                    onClick={() =>
                      void attempt('mounts', {
                        mounts: data.mounts.filter((_, j) => j !== i).map(({ exists: _e, ...rest }) => rest),
                      })
                    }
                  >
                    <Trash2 size={14} />
                  </Button>
                </li>
              ))}
            </ul>
          )}
          <form
            onSubmit={(e) => void addMount(e)}
            className="grid gap-2 sm:grid-cols-[1fr_10rem_auto_auto] sm:items-center"
          >
            <input
              aria-label="Host folder"
              className={cx(inputClass, 'font-mono')}
              placeholder="/home/me/datasets"
              value={mountDraft.host}
              onChange={(e) => setMountDraft({ ...mountDraft, host: e.target.value })}
            />
            <input
              aria-label="Guest path"
              className={cx(inputClass, 'font-mono')}
              placeholder="/data"
              value={mountDraft.guest}
              onChange={(e) => setMountDraft({ ...mountDraft, guest: e.target.value })}
            />
            <span className="flex items-center gap-2 text-sm">
              <Switch
                checked={mountDraft.readOnly}
                onChange={(readOnly) => setMountDraft({ ...mountDraft, readOnly })}
                label="Read-only"
              />{' '}
              Read-only
            </span>
            <Button
              type="submit"
              variant="primary"
              disabled={mounting || !mountDraft.host.trim() || !mountDraft.guest.trim()}
            >
              <Plus size={15} /> Mount
            </Button>
          </form>
          <FieldError message={errors.mounts} />
        </section>

        <section>
          <h3 className="mb-1 text-sm font-semibold">Protected files</h3>
          <p className="mb-2 text-xs text-zinc-600 dark:text-zinc-400">
            Programs on this machine run code from these when you open or use the folder (a <code>core.fsmonitor</code>{' '}
            in <code>.git/config</code> runs at the next <code>git status</code>), so tools can read them but never
            write, rename or remove them, anywhere in the workspace, whether they exist yet or not:
          </p>
          <ul aria-label="Protected files" className="mb-3 flex flex-wrap gap-1.5">
            {data.protectedPaths.map((path) => (
              <li key={path}>
                <code className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs dark:bg-zinc-800">{path}</code>
              </li>
            ))}
          </ul>
          <p className="mb-2 text-xs text-zinc-600 dark:text-zinc-400">
            Let tools write some of them after all: a path relative to the workspace, a file or a whole folder.
          </p>
          <EntryList
            label="Writable protected files"
            entries={data.writableProtected}
            placeholder=".vscode/settings.json"
            empty="None: every protected file is read-only for tools."
            onSave={(next) => attempt('writableProtected', { writableProtected: next })}
          />
          <FieldError message={errors.writableProtected} />
        </section>

        <section>
          <h3 className="mb-1 text-sm font-semibold">JavaScript (jsexec)</h3>
          <p className="mb-2 text-xs text-zinc-600 dark:text-zinc-400">
            Code the agent writes runs with no files and no network unless you grant them here (still within the limits
            above).
          </p>
          <div className="flex flex-wrap gap-6 text-sm">
            <span className="flex items-center gap-2">
              <Switch
                checked={jsexec.files === true}
                onChange={(files) => void attempt('tools', { tools: { ...data.tools, jsexec: { ...jsexec, files } } })}
                label="jsexec may use files"
              />{' '}
              May use files
            </span>
            <span className="flex items-center gap-2">
              <Switch
                checked={jsexec.network === true}
                onChange={(network) =>
                  void attempt('tools', { tools: { ...data.tools, jsexec: { ...jsexec, network } } })
                }
                label="jsexec may use the network"
              />{' '}
              May use the network
            </span>
          </div>
          <FieldError message={errors.tools} />
        </section>
      </div>
    </Card>
  );
}
