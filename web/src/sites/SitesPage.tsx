import { type SiteView, SiteSavedSchema, type SitesList, SitesListSchema } from '@contract/sites';
import { Copy, ExternalLink, Globe, RotateCw, TriangleAlert } from 'lucide-react';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { EmptyState } from '../components/EmptyState';
import { Badge, Button, Card, FieldError, PageHeader, Switch, cx, inputClass } from '../components/ui';
import { watchFileChanges } from '../files/changes';
import { isWithin, listFolder } from '../files/files-api';
import { ApiError, api, apiSend, errorMessage } from '../lib/api';
import { FolderPicker } from './FolderPicker';

const q = encodeURIComponent;

const saveSite = (name: string, body: Record<string, unknown>) =>
  api(`/api/sites/${q(name)}`, SiteSavedSchema, { method: 'PUT', body }).then((r) => r.site);

/** The preview: the site in a sandboxed frame, reloaded whenever a file in its folder changes. */
function Preview({ site }: { site: SiteView }) {
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    // Listing the folder is what makes the server watch it; a missing folder simply is not watched.
    listFolder(site.folder).catch(() => undefined);
    return watchFileChanges((changes, truncated) => {
      if (truncated || changes.some((change) => isWithin(change.path, site.folder))) setGeneration((g) => g + 1);
    });
  }, [site.folder]);
  return (
    <Card
      title={`Preview of ${site.name}`}
      description="Reloads by itself when a file in the site's folder changes. Scripts run sandboxed, as they do for every visitor."
    >
      <div className="mb-2 flex justify-end">
        <Button variant="ghost" onClick={() => setGeneration((g) => g + 1)}>
          <RotateCw aria-hidden size={14} /> Reload preview
        </Button>
      </div>
      <iframe
        key={generation}
        title={`Site ${site.name}`}
        src={site.url}
        sandbox="allow-scripts allow-forms allow-popups"
        data-generation={generation}
        className="h-96 w-full rounded-md border border-zinc-300 bg-white dark:border-zinc-700"
      />
    </Card>
  );
}

function SiteRow({
  site,
  previewing,
  onPreview,
  onChanged,
  onRemove,
}: {
  site: SiteView;
  previewing: boolean;
  onPreview: () => void;
  onChanged: () => void;
  onRemove: () => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const absolute = `${location.origin}${site.url}`;
  const toggle = async (enabled: boolean) => {
    setError(null);
    try {
      await saveSite(site.name, { folder: site.folder, enabled });
      onChanged();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(absolute);
      setCopied(true);
    } catch {
      setError(`Copying is not allowed here; the address is ${absolute}`);
    }
  };
  return (
    <li className="px-4 py-3">
      <div className="flex flex-wrap items-start gap-3">
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-2">
            <span className="font-mono text-sm font-semibold">{site.name}</span>
            {site.served ? (
              <Badge tone="green">served</Badge>
            ) : !site.enabled ? (
              <Badge>off</Badge>
            ) : !site.folderExists ? (
              <Badge tone="amber">folder missing</Badge>
            ) : (
              <Badge tone="amber">not served</Badge>
            )}
            {site.public && <Badge tone="teal">public</Badge>}
            {site.listing && <Badge>listing</Badge>}
            {site.dotfiles && <Badge>dotfiles</Badge>}
          </div>
          <p className="mt-1 font-mono text-xs break-all text-zinc-600 dark:text-zinc-400">
            {site.folder} → {site.url}
          </p>
          <p className="mt-1 text-sm text-zinc-700 dark:text-zinc-300">
            <span className="font-medium">Who can open it: </span>
            {site.reachableBy}
          </p>
        </div>
        <Switch checked={site.enabled} onChange={(on) => void toggle(on)} label={`Serve ${site.name}`} />
      </div>
      <div className="mt-2 flex flex-wrap gap-1">
        <a
          href={site.url}
          target="_blank"
          rel="noopener noreferrer"
          className="inline-flex items-center gap-1.5 rounded-md px-3 py-1.5 text-sm font-medium text-teal-800 hover:bg-teal-50 dark:text-teal-300 dark:hover:bg-teal-950"
        >
          <ExternalLink aria-hidden size={14} /> Open {site.name}
        </a>
        <Button variant="ghost" onClick={() => void copy()} aria-label={`Copy the address of ${site.name}`}>
          <Copy aria-hidden size={14} /> {copied ? 'Copied' : 'Copy URL'}
        </Button>
        <Button variant="ghost" aria-pressed={previewing} onClick={onPreview}>
          {previewing ? 'Previewing' : 'Preview'}
        </Button>
        <Button variant="danger-ghost" onClick={onRemove}>
          Remove {site.name}
        </Button>
      </div>
      <FieldError message={error} />
    </li>
  );
}

function AddSiteForm({ onAdded }: { onAdded: (name: string) => void }) {
  const [name, setName] = useState('');
  const [folder, setFolder] = useState('');
  const [picking, setPicking] = useState(false);
  const [error, setError] = useState<{ field?: string | undefined; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await saveSite(name.trim(), { folder: folder.trim().replace(/\/+$/, '') });
      setName('');
      setFolder('');
      setPicking(false);
      onAdded(name.trim());
    } catch (e) {
      setError({ field: e instanceof ApiError ? e.field : undefined, message: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };
  const nameError = error && error.field !== 'folder' ? error.message : null;
  const folderError = error?.field === 'folder' ? error.message : null;
  return (
    <Card
      title="Publish a folder"
      description="The folder's files are served at /sites/NAME/ on this server; index.html opens for a folder."
    >
      <form onSubmit={(e) => void submit(e)} className="grid gap-4 sm:grid-cols-2">
        <div>
          <label htmlFor="site-name" className="text-sm font-medium">
            Site name
          </label>
          <input
            id="site-name"
            className={cx(inputClass, 'mt-1 font-mono')}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="docs"
            aria-describedby="site-name-hint"
            aria-invalid={nameError ? true : undefined}
            required
          />
          <p id="site-name-hint" className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
            Lower-case letters, digits and dashes, up to 40.
          </p>
          <FieldError message={nameError} />
        </div>
        <div>
          <label htmlFor="site-folder" className="text-sm font-medium">
            Folder
          </label>
          <div className="mt-1 flex gap-2">
            <input
              id="site-folder"
              className={cx(inputClass, 'font-mono')}
              value={folder}
              onChange={(e) => setFolder(e.target.value)}
              placeholder="build/docs"
              aria-invalid={folderError ? true : undefined}
              required
            />
            <Button aria-expanded={picking} onClick={() => setPicking(!picking)}>
              Browse
            </Button>
          </div>
          <FieldError message={folderError} />
        </div>
        {picking && (
          <div className="sm:col-span-2">
            <FolderPicker
              start={folder}
              onChoose={(path) => {
                setFolder(path);
                setPicking(false);
              }}
            />
          </div>
        )}
        <div className="sm:col-span-2">
          <Button type="submit" variant="primary" disabled={busy}>
            Publish
          </Button>
        </div>
      </form>
    </Card>
  );
}

export function SitesPage() {
  const [list, setList] = useState<SitesList | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [removing, setRemoving] = useState<SiteView | null>(null);
  const [removeError, setRemoveError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setList(await api('/api/sites', SitesListSchema));
      setLoadError(null);
    } catch (e) {
      setLoadError(errorMessage(e));
    }
  }, []);
  useEffect(() => void load(), [load]);
  const remove = async (site: SiteView) => {
    setRemoveError(null);
    try {
      await apiSend(`/api/sites/${q(site.name)}`, { method: 'DELETE' });
      if (preview === site.name) setPreview(null);
      await load();
    } catch (e) {
      setRemoveError(errorMessage(e));
    }
    setRemoving(null);
  };
  const shown = list?.sites.find((s) => s.name === preview) ?? list?.sites.find((s) => s.served) ?? null;
  return (
    <div className="space-y-6">
      <PageHeader
        title="Sites"
        description="Publish a workspace folder as a static site on this server. Every page runs sandboxed, without access to the dashboard."
      />
      {loadError && <FieldError message={loadError} />}
      {list?.problem && (
        <div
          role="alert"
          className="flex gap-2 rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100"
        >
          <TriangleAlert aria-hidden size={16} className="mt-0.5 shrink-0" />
          <div>
            <p className="font-medium">sites.json cannot be used, so no site is served until it is fixed.</p>
            <p className="mt-1 font-mono text-xs break-all">{list.problem.message}</p>
          </div>
        </div>
      )}
      {list?.exposed && (
        <p className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
          This server listens beyond this computer: only sites marked public are served, to anyone who can reach it.
        </p>
      )}
      {list && list.sites.length === 0 && !list.problem && (
        <EmptyState icon={Globe} title="No sites yet">
          Publish a folder below (a built documentation site, a report, a prototype) to open it at /sites/NAME/.
        </EmptyState>
      )}
      {list && list.sites.length > 0 && (
        <section aria-label="Published sites">
          <ul className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900">
            {list.sites.map((site) => (
              <SiteRow
                key={site.name}
                site={site}
                previewing={shown?.name === site.name}
                onPreview={() => setPreview(site.name)}
                onChanged={() => void load()}
                onRemove={() => setRemoving(site)}
              />
            ))}
          </ul>
          <FieldError message={removeError} />
        </section>
      )}
      <AddSiteForm
        onAdded={(name) => {
          setPreview(name);
          void load();
        }}
      />
      {shown && shown.served && <Preview site={shown} />}
      {removing && (
        <ConfirmDialog
          title={`Remove the site ${removing.name}?`}
          message={`${removing.url} stops being served. The folder ${removing.folder} and its files stay as they are.`}
          confirmLabel="Remove site"
          onConfirm={() => void remove(removing)}
          onCancel={() => setRemoving(null)}
        />
      )}
    </div>
  );
}
