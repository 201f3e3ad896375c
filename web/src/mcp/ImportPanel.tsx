import type { McpImportPreview } from '@contract/mcp';
import { Download, KeyRound, TriangleAlert, X } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Button, FieldError } from '../components/ui';
import { errorMessage } from '../lib/api';
import { Notice } from '../models/bits';
import { importServers, importedConfig, loadImports } from './mcp-api';

type Source = McpImportPreview['sources'][number];
type Found = Source['servers'][number];

/** What a found server runs or reaches, in one line. */
function summary(server: Found): string {
  const config = importedConfig(server.config);
  if (!config) return JSON.stringify(server.config);
  if (config.url) return `${config.url}${config.transport ? ` (${config.transport})` : ''}`;
  return [config.command, ...config.args].join(' ');
}

function SourceCard({ source, onImported }: { source: Source; onImported: (names: string[]) => void }) {
  // A server of a name configured already would be replaced: it is only imported when asked for.
  const [chosen, setChosen] = useState<string[]>(() => source.servers.filter((s) => !s.exists).map((s) => s.name));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const toggle = (name: string, on: boolean) =>
    setChosen((names) => (on ? [...names, name] : names.filter((n) => n !== name)));
  const run = () => {
    setBusy(true);
    setError(null);
    importServers(source.source, chosen).then(
      (result) => onImported(result.imported),
      (e: unknown) => {
        setError(errorMessage(e));
        setBusy(false);
      },
    );
  };
  return (
    <section
      aria-label={`Servers in ${source.source}`}
      className="rounded-md border border-zinc-200 p-3 dark:border-zinc-800"
    >
      <h3 className="font-mono text-sm font-semibold">{source.source}</h3>
      {source.problems.length > 0 && (
        <ul aria-label={`Problems in ${source.source}`} className="mt-2 space-y-1">
          {source.problems.map((problem) => (
            <li key={problem} className="flex items-start gap-1.5 text-sm text-amber-900 dark:text-amber-200">
              <TriangleAlert aria-hidden size={14} className="mt-0.5 shrink-0" />
              <span className="break-words">{problem}</span>
            </li>
          ))}
        </ul>
      )}
      {source.servers.length > 0 && (
        <>
          <ul className="mt-2 space-y-2">
            {source.servers.map((server) => (
              <li key={server.name}>
                <label className="flex items-start gap-2 text-sm">
                  <input
                    type="checkbox"
                    className="mt-0.5 h-4 w-4 shrink-0 accent-teal-700"
                    checked={chosen.includes(server.name)}
                    onChange={(e) => toggle(server.name, e.target.checked)}
                  />
                  <span className="min-w-0">
                    <span className="font-mono font-medium">{server.name}</span>
                    {server.exists && (
                      <span className="text-amber-800 dark:text-amber-300"> — replaces the server of that name</span>
                    )}
                    <span className="block font-mono text-xs break-all text-zinc-600 dark:text-zinc-400">
                      {summary(server)}
                    </span>
                    {server.secrets.length > 0 && (
                      <span className="mt-0.5 flex items-start gap-1 text-xs text-zinc-600 dark:text-zinc-400">
                        <KeyRound aria-hidden size={12} className="mt-0.5 shrink-0" />
                        <span className="break-all">Moved to secrets.json: {server.secrets.join(', ')}</span>
                      </span>
                    )}
                  </span>
                </label>
              </li>
            ))}
          </ul>
          <FieldError message={error} />
          <Button variant="primary" className="mt-3" onClick={run} disabled={busy || chosen.length === 0}>
            <Download aria-hidden size={15} /> {busy ? 'Importing…' : `Import from ${source.source}`}
          </Button>
        </>
      )}
    </section>
  );
}

/**
 * Servers found in other tools' files (Claude Code's `.mcp.json`, Cursor's, opencode's), to review and add. Values of
 * their environment and headers move to secrets.json; only their names are shown.
 */
export function ImportPanel({ onClose, onImported }: { onClose: () => void; onImported: () => void }) {
  const [preview, setPreview] = useState<McpImportPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const load = () => loadImports().then(setPreview, (e: unknown) => setError(errorMessage(e)));
  useEffect(() => {
    void load();
  }, []);
  return (
    <section
      aria-labelledby="mcp-import-title"
      className="mb-5 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex items-start justify-between gap-2">
        <div>
          <h2 id="mcp-import-title" className="text-base font-semibold">
            Import from other tools
          </h2>
          <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
            From <code>.mcp.json</code>, <code>.cursor/mcp.json</code> and <code>opencode.json</code> in the workspace.
            Values of their environment and headers move to secrets.json; the settings only name them.
          </p>
        </div>
        <Button variant="ghost" className="shrink-0 px-2" onClick={onClose} aria-label="Close import">
          <X aria-hidden size={16} />
        </Button>
      </div>
      <div className="mt-3 space-y-3">
        {done && (
          <Notice tone="ok" onClose={() => setDone(null)}>
            {done}
          </Notice>
        )}
        <FieldError message={error} />
        {preview === null && !error && <p className="text-sm text-zinc-600 dark:text-zinc-400">Looking…</p>}
        {preview?.sources.length === 0 && (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">None of these files is in the workspace.</p>
        )}
        {preview?.sources.map((source) => (
          <SourceCard
            key={`${source.source}:${source.servers.map((s) => `${s.name}${s.exists}`).join()}`}
            source={source}
            onImported={(names) => {
              setDone(`Imported ${names.join(', ')} from ${source.source}.`);
              onImported();
              void load();
            }}
          />
        ))}
      </div>
    </section>
  );
}
