import { ArrowLeft, Check, Download, FileX2, LoaderCircle, Save } from 'lucide-react';
import { Suspense, lazy } from 'react';
import { EmptyState } from '../components/EmptyState';
import { Button } from '../components/ui';
import { DiskBar } from './DiskBar';
import { EDITOR_PANEL_ID, tabElementId } from './EditorTabs';
import { FilePreview } from './FilePreview';
import { download } from './file-actions';
import { nameOf, parentOf } from './files-api';
import { languageOf } from './languages';
import { type Tab, hasUnsaved, save } from './tabs-store';

// CodeMirror is a chunk of its own, fetched the first time a text file is opened.
const CodeEditor = lazy(() => import('./CodeEditor'));

function Loading({ label }: { label: string }) {
  return (
    <p role="status" className="flex h-full items-center justify-center gap-2 text-sm text-zinc-500">
      <LoaderCircle aria-hidden size={16} className="animate-spin" /> {label}
    </p>
  );
}

function SaveState({ tab }: { tab: Tab }) {
  if (tab.saving) return <span className="text-xs text-zinc-500">Saving…</span>;
  if (hasUnsaved(tab)) return <span className="text-xs text-amber-700 dark:text-amber-400">Unsaved</span>;
  // On a phone the greyed-out Save button says as much, and the file name needs the room.
  return (
    <span className="hidden items-center gap-1 text-xs text-zinc-500 sm:flex">
      <Check aria-hidden size={13} /> Saved
    </span>
  );
}

/** The open file: where it is, its save state and the editor, or a preview of what the editor does not open. */
export function EditorPane({ tab, onBack, onClose }: { tab: Tab; onBack: () => void; onClose: () => void }) {
  const dir = parentOf(tab.path);
  const isText = tab.kind === 'text';
  const language = isText ? (languageOf(tab.path)?.label ?? 'Plain text') : null;
  return (
    <div
      role="tabpanel"
      id={EDITOR_PANEL_ID}
      aria-labelledby={tabElementId(tab.id)}
      className="flex min-h-0 flex-1 flex-col"
    >
      <div className="flex h-11 min-w-0 shrink-0 items-center gap-2 border-b border-zinc-200 px-2 sm:px-3 dark:border-zinc-800">
        <button
          type="button"
          onClick={onBack}
          aria-label="Back to the file tree"
          className="rounded p-1.5 text-zinc-600 hover:bg-zinc-100 lg:hidden dark:text-zinc-300 dark:hover:bg-zinc-800"
        >
          <ArrowLeft size={17} />
        </button>
        <h2 className="min-w-0 flex-1 truncate font-mono text-xs" title={tab.path}>
          {dir && <span className="text-zinc-500">{dir}/</span>}
          <span className="font-semibold text-zinc-800 dark:text-zinc-100">{nameOf(tab.path)}</span>
        </h2>
        {language && <span className="hidden text-xs text-zinc-500 sm:inline">{language}</span>}
        {isText && <SaveState tab={tab} />}
        {isText && (
          <Button
            variant="primary"
            className="px-2.5 py-1"
            title="Save (Ctrl+S / ⌘S)"
            disabled={tab.saving || !hasUnsaved(tab)}
            onClick={() => void save(tab.id)}
          >
            <Save aria-hidden size={14} /> Save
          </Button>
        )}
        {!tab.loading && !tab.error && (
          <button
            type="button"
            onClick={() => download(tab.path)}
            aria-label={`Download ${nameOf(tab.path)}`}
            title="Download"
            className="rounded p-1.5 text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
          >
            <Download size={16} />
          </button>
        )}
      </div>
      <DiskBar tab={tab} onClose={onClose} />
      <div className="min-h-0 flex-1">
        {tab.loading ? (
          <Loading label={`Opening ${nameOf(tab.path)}…`} />
        ) : tab.error ? (
          <div className="h-full overflow-y-auto px-4">
            <EmptyState icon={FileX2} title={`Could not open ${nameOf(tab.path)}`}>
              <p className="break-words">{tab.error}</p>
              <Button className="mt-4" onClick={onClose}>
                Close tab
              </Button>
            </EmptyState>
          </div>
        ) : isText ? (
          <Suspense fallback={<Loading label="Loading the editor…" />}>
            <CodeEditor key={tab.id} tab={tab} />
          </Suspense>
        ) : (
          <FilePreview tab={tab} />
        )}
      </div>
    </div>
  );
}
