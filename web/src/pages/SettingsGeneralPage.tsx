import { type Settings, SettingsSchema } from '@contract/settings';
import { Plus, Trash2 } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Button, Card, FieldError, PageHeader, Segmented, inputClass } from '../components/ui';
import { ApiError, api, errorMessage } from '../lib/api';
import { useDraft } from '../lib/draft';
import { useStore } from '../lib/store';
import type { ThemePreference } from '../lib/theme';
import { appStore, applySettings } from '../state';

async function patchSettings(patch: unknown): Promise<Settings> {
  const settings = await api('/api/settings', SettingsSchema, { method: 'PATCH', body: patch });
  applySettings(settings);
  return settings;
}

function ThemeCard({ theme }: { theme: ThemePreference }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <Card title="Appearance" description="Follow the system's light or dark setting, or pin one.">
      <Segmented<ThemePreference>
        label="Theme"
        value={theme}
        options={[
          { value: 'system', label: 'System' },
          { value: 'light', label: 'Light' },
          { value: 'dark', label: 'Dark' },
        ]}
        onChange={(value) => {
          setError(null);
          patchSettings({ ui: { theme: value } }).catch((e: unknown) => setError(errorMessage(e)));
        }}
      />
      <FieldError message={error} />
    </Card>
  );
}

function AllowedHostsCard({ hosts }: { hosts: string[] }) {
  const { draft, setDraft, submit } = useDraft('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const save = async (next: string[]) => {
    setSaving(true);
    setError(null);
    try {
      await patchSettings({ server: { allowedHosts: next } });
      return true;
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
      return false;
    } finally {
      setSaving(false);
    }
  };

  const add = async (event: FormEvent) => {
    event.preventDefault();
    const name = draft.trim().toLowerCase();
    if (!name) return;
    if (hosts.includes(name)) {
      setError(`${name} is already in the list`);
      return;
    }
    await submit(() => save([...hosts, name]));
  };

  return (
    <Card
      title="Extra host names"
      description="The server answers only to loopback names (and this machine's own addresses when bound elsewhere). Add a name here if you reach it through a tunnel or a reverse proxy."
    >
      {hosts.length > 0 ? (
        <ul className="mb-3 divide-y divide-zinc-200 rounded-md border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
          {hosts.map((host) => (
            <li key={host} className="flex items-center justify-between gap-2 px-3 py-1.5 text-sm">
              <code className="truncate">{host}</code>
              <Button
                variant="ghost"
                aria-label={`Remove ${host}`}
                disabled={saving}
                onClick={() => void save(hosts.filter((h) => h !== host))}
              >
                <Trash2 size={15} />
              </Button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="mb-3 text-sm text-zinc-500">None: only loopback names are accepted.</p>
      )}
      <form onSubmit={(e) => void add(e)} className="flex gap-2">
        <label className="sr-only" htmlFor="allowed-host">
          Host name
        </label>
        <input
          id="allowed-host"
          className={inputClass}
          placeholder="box.example.com"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        <Button type="submit" variant="primary" disabled={saving || draft.trim() === ''}>
          <Plus size={15} /> Add
        </Button>
      </form>
      <FieldError message={error} />
    </Card>
  );
}

function AboutCard() {
  const health = useStore(appStore, (s) => s.health);
  if (!health) return null;
  return (
    <Card title="About">
      <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1.5 text-sm">
        <dt className="text-zinc-500">Version</dt>
        <dd>{health.version}</dd>
        <dt className="text-zinc-500">Workspace</dt>
        <dd className="break-all">{health.workspaceDir}</dd>
        <dt className="text-zinc-500">Settings file</dt>
        <dd>
          <code>.boxagnts/settings.json</code>
        </dd>
      </dl>
    </Card>
  );
}

export function SettingsGeneralPage() {
  const settings = useStore(appStore, (s) => s.settings);
  return (
    <>
      <PageHeader
        title="General"
        description="Workspace settings, saved to .boxagnts/settings.json as you change them."
      />
      {settings ? (
        <div className="space-y-5">
          <ThemeCard theme={settings.ui.theme} />
          <AllowedHostsCard hosts={settings.server.allowedHosts} />
          <AboutCard />
        </div>
      ) : (
        <p className="text-sm text-zinc-500">Loading settings…</p>
      )}
    </>
  );
}
