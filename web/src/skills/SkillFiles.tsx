import type { SkillDetail, SkillFileContent } from '@contract/skills';
import { FileText } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import { FieldError, cx } from '../components/ui';
import { formatBytes } from '../lib/format';
import { errorMessage } from '../lib/api';
import { loadSkillFile } from './skills-api';

/** The files of a skill's folder; one chosen is shown as text below the list (scripts, references, templates). */
export function SkillFiles({
  name,
  files,
  truncated,
}: {
  name: string;
  files: SkillDetail['files'];
  truncated: boolean;
}) {
  const id = useId();
  const [open, setOpen] = useState<SkillFileContent | null>(null);
  const [error, setError] = useState<string | null>(null);
  const shown = useRef<HTMLElement>(null);
  useEffect(() => {
    shown.current?.scrollIntoView({ block: 'nearest' });
  }, [open]);
  const show = (path: string) => {
    setError(null);
    loadSkillFile(name, path).then(setOpen, (e: unknown) => setError(errorMessage(e)));
  };
  return (
    <section aria-labelledby={`${id}-title`} className="mt-6">
      <h2 id={`${id}-title`} className="text-base font-semibold">
        Files
      </h2>
      <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
        While the skill is active the agent reads them at /.skills/{name}/ (read-only). Links are never followed.
      </p>
      <ul
        aria-label={`Files of ${name}`}
        className="mt-2 divide-y divide-zinc-200 rounded-lg border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900"
      >
        {files.map((file) => (
          <li key={file.path}>
            <button
              type="button"
              aria-pressed={open?.path === file.path}
              onClick={() => show(file.path)}
              className={cx(
                'flex w-full items-center gap-2 px-4 py-2 text-left text-sm hover:bg-zinc-50 dark:hover:bg-zinc-800',
                open?.path === file.path && 'bg-teal-50 dark:bg-teal-950/50',
              )}
            >
              <FileText size={14} aria-hidden className="shrink-0 text-zinc-500" />
              <span className="min-w-0 flex-1 break-all font-mono">{file.path}</span>
              <span className="shrink-0 text-xs tabular-nums text-zinc-600 dark:text-zinc-400">
                {formatBytes(file.size)}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {truncated && (
        <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">The folder has more files than are listed.</p>
      )}
      <FieldError message={error} />
      {open && (
        <figure ref={shown} className="mt-3">
          <figcaption className="mb-1 font-mono text-xs text-zinc-600 dark:text-zinc-400">
            {open.path} · {formatBytes(open.size)}
            {open.truncated && ' · only the start is shown'}
          </figcaption>
          {open.binary ? (
            <p className="rounded-lg border border-zinc-200 p-3 text-sm text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
              Not text: not shown here. Export the skill to get it.
            </p>
          ) : (
            <pre
              tabIndex={0}
              aria-label={`Content of ${open.path}`}
              className="max-h-[60vh] overflow-auto rounded-lg border border-zinc-200 bg-zinc-50 p-3 font-mono text-xs leading-relaxed whitespace-pre dark:border-zinc-800 dark:bg-zinc-900"
            >
              {open.content}
            </pre>
          )}
        </figure>
      )}
    </section>
  );
}
