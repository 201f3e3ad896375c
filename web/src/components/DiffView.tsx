import { diffLines } from 'diff';
import { useMemo } from 'react';
import { cx } from './ui';

const CONTEXT = 3;

type DiffRow = { kind: 'add' | 'del' | 'same'; text: string } | { kind: 'gap'; count: number };

/** The lines that change, each with a few lines of context; long unchanged stretches fold into one marker. */
function rowsFromTexts(before: string, after: string): DiffRow[] {
  const lines: { kind: 'add' | 'del' | 'same'; text: string }[] = [];
  for (const part of diffLines(before, after)) {
    const kind = part.added ? 'add' : part.removed ? 'del' : 'same';
    const texts = part.value.replace(/\n$/, '').split('\n');
    for (const text of texts) lines.push({ kind, text });
  }
  const keep = lines.map(
    (line, i) =>
      line.kind !== 'same' || lines.slice(Math.max(0, i - CONTEXT), i + CONTEXT + 1).some((l) => l.kind !== 'same'),
  );
  const out: DiffRow[] = [];
  lines.forEach((line, i) => {
    if (keep[i]) out.push(line);
    else if (out.at(-1)?.kind === 'gap') (out.at(-1) as { count: number }).count += 1;
    else out.push({ kind: 'gap', count: 1 });
  });
  return out;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@/;

/** The rows of a unified diff (one file): its hunks, with the unchanged stretches between them folded. */
function rowsFromPatch(patch: string): DiffRow[] {
  const out: DiffRow[] = [];
  let nextOld = 1;
  for (const line of patch.split('\n')) {
    const hunk = HUNK.exec(line);
    if (hunk) {
      const start = Number(hunk[1]) || 1;
      if (start > nextOld) out.push({ kind: 'gap', count: start - nextOld });
      nextOld = start;
    } else if (line.startsWith('+') && !line.startsWith('+++')) out.push({ kind: 'add', text: line.slice(1) });
    else if (line.startsWith('-') && !line.startsWith('---')) {
      out.push({ kind: 'del', text: line.slice(1) });
      nextOld++;
    } else if (line.startsWith(' ')) {
      out.push({ kind: 'same', text: line.slice(1) });
      nextOld++;
    }
  }
  return out;
}

/** A change to show: the whole text before and after (an approval preview), or a unified diff (a finished edit). */
export type Change = { before: string; after: string } | { patch: string };

export function DiffView({ path, change }: { path: string; change: Change }) {
  const [first, second] = 'patch' in change ? [change.patch, null] : [change.before, change.after];
  const rows = useMemo(() => (second === null ? rowsFromPatch(first) : rowsFromTexts(first, second)), [first, second]);
  const added = rows.filter((r) => r.kind === 'add').length;
  const removed = rows.filter((r) => r.kind === 'del').length;
  const created = 'patch' in change ? /^@@ -0,0 /m.test(change.patch) : change.before === '';
  return (
    <div className="overflow-hidden rounded-md border border-zinc-200 dark:border-zinc-700" data-testid="diff-preview">
      <div className="flex items-center justify-between gap-2 bg-zinc-100 px-3 py-1 font-mono text-xs text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">
        <span className="truncate">{path}</span>
        <span className="shrink-0">
          <span className="text-emerald-700 dark:text-emerald-400">+{added}</span>{' '}
          <span className="text-red-700 dark:text-red-400">−{removed}</span>
          {created && ' (new file)'}
        </span>
      </div>
      <pre className="max-h-80 overflow-auto bg-white py-1 font-mono text-xs leading-5 dark:bg-zinc-950">
        {rows.map((row, i) =>
          row.kind === 'gap' ? (
            <div key={i} className="bg-zinc-50 px-3 text-zinc-400 dark:bg-zinc-900">
              ⋯ {row.count} unchanged {row.count === 1 ? 'line' : 'lines'}
            </div>
          ) : (
            <div
              key={i}
              className={cx(
                'whitespace-pre-wrap break-all px-3',
                row.kind === 'add' && 'bg-emerald-50 text-emerald-900 dark:bg-emerald-950/60 dark:text-emerald-200',
                row.kind === 'del' && 'bg-red-50 text-red-900 dark:bg-red-950/60 dark:text-red-200',
              )}
            >
              {row.kind === 'add' ? '+ ' : row.kind === 'del' ? '− ' : '  '}
              {row.text}
            </div>
          ),
        )}
      </pre>
    </div>
  );
}
