import type { FileEntry } from '@contract/files';
import { ChevronRight, Folder } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Button, FieldError, cx } from '../components/ui';
import { listFolder, parentOf } from '../files/files-api';
import { errorMessage } from '../lib/api';

/**
 * A simple chooser of a workspace folder over the Files API's listing: open a folder to go into it, then choose the
 * one shown. Every entry is a button, so Tab and Enter do it all.
 */
export function FolderPicker({ start, onChoose }: { start: string; onChoose: (path: string) => void }) {
  const [dir, setDir] = useState('');
  const [folders, setFolders] = useState<FileEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // Start where the typed folder points, if it is one; else at the workspace.
    listFolder(start.trim().replace(/\/+$/, ''))
      .then(() => setDir(start.trim().replace(/\/+$/, '')))
      .catch(() => setDir(''));
  }, [start]);
  useEffect(() => {
    let current = true;
    setFolders(null);
    listFolder(dir).then(
      (entries) => {
        if (!current) return;
        setFolders(entries.filter((entry) => entry.type === 'dir'));
        setError(null);
      },
      (e: unknown) => current && setError(errorMessage(e)),
    );
    return () => {
      current = false;
    };
  }, [dir]);
  const crumbs = dir === '' ? [] : dir.split('/');
  return (
    <div
      role="group"
      aria-label="Choose a folder"
      className="rounded-md border border-zinc-300 p-3 dark:border-zinc-700"
    >
      <nav aria-label="Folder path" className="flex flex-wrap items-center gap-1 text-sm">
        <button
          type="button"
          onClick={() => setDir('')}
          className="rounded px-1 text-teal-800 underline-offset-2 hover:underline dark:text-teal-300"
        >
          workspace
        </button>
        {crumbs.map((name, index) => (
          <span key={index} className="flex items-center gap-1">
            <ChevronRight aria-hidden size={12} className="text-zinc-500" />
            <button
              type="button"
              onClick={() => setDir(crumbs.slice(0, index + 1).join('/'))}
              className="rounded px-1 font-mono text-teal-800 underline-offset-2 hover:underline dark:text-teal-300"
            >
              {name}
            </button>
          </span>
        ))}
      </nav>
      <ul className="mt-2 max-h-56 overflow-auto" aria-label="Folders here">
        {dir !== '' && (
          <li>
            <button
              type="button"
              onClick={() => setDir(parentOf(dir))}
              className="w-full rounded px-2 py-1 text-left text-sm hover:bg-zinc-100 dark:hover:bg-zinc-800"
            >
              .. (up)
            </button>
          </li>
        )}
        {folders?.map((folder) => (
          <li key={folder.path}>
            <button
              type="button"
              onClick={() => setDir(folder.path)}
              aria-label={`Go into ${folder.name}`}
              className="flex w-full items-center gap-2 rounded px-2 py-1 text-left font-mono text-sm hover:bg-zinc-100 dark:hover:bg-zinc-800"
            >
              <Folder aria-hidden size={14} className="text-zinc-500" /> {folder.name}
            </button>
          </li>
        ))}
        {folders?.length === 0 && (
          <li className="px-2 py-1 text-sm text-zinc-600 dark:text-zinc-400">No folders inside.</li>
        )}
      </ul>
      <FieldError message={error} />
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <Button variant="primary" disabled={dir === ''} onClick={() => onChoose(dir)}>
          Use this folder
        </Button>
        <span className={cx('text-xs break-all text-zinc-600 dark:text-zinc-400', dir !== '' && 'font-mono')}>
          {dir === '' ? 'Go into a folder to choose it.' : dir}
        </span>
      </div>
    </div>
  );
}
