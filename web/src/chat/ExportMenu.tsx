import {
  type ExportFinding,
  type ExportFormat,
  type ExportPreview,
  ExportPreviewSchema,
  type SecretKind,
} from '@contract/sessions';
import { Braces, Download, FileText, Globe, type LucideIcon, ShieldCheck } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import { Button } from '../components/ui';
import { ContextMenu } from '../files/ContextMenu';
import { api, errorMessage } from '../lib/api';

const FORMATS: Record<ExportFormat, { label: string; title: string; description: string; icon: LucideIcon }> = {
  html: {
    label: 'HTML page',
    title: 'Export as an HTML page',
    description: 'One page to read offline or send to someone: no script, nothing loaded from elsewhere.',
    icon: Globe,
  },
  markdown: {
    label: 'Markdown',
    title: 'Export as Markdown',
    description: 'A transcript: the messages, and each tool call with its input and result.',
    icon: FileText,
  },
  json: {
    label: 'JSON',
    title: 'Export as JSON',
    description: 'Every event of the session, for importing into boxagnts again.',
    icon: Braces,
  },
};

const KINDS: Record<SecretKind, string> = {
  stored: 'Key or secret stored in this workspace',
  credential: 'Credential as sent (Bearer, API key header)',
  'private-key': 'Private key',
  'api-key': 'API key (sk-…)',
  'github-token': 'GitHub token',
  'slack-token': 'Slack token',
  'aws-access-key': 'AWS access key',
  'google-api-key': 'Google API key',
  jwt: 'JSON Web Token',
};

function where(finding: ExportFinding): string {
  switch (finding.eventType) {
    case null:
      return 'in the title';
    case 'message.user':
      return 'in a message of yours';
    case 'message.completed':
      return "in the assistant's reply";
    case 'tool.started':
      return "in a tool call's input";
    case 'tool.completed':
      return "in a tool's output";
    case 'agent.completed':
      return "in an agent's answer";
    default:
      return 'in the session record';
  }
}

/** The chat header's Export button: a menu of formats, then what the export takes out, then the download. */
export function ExportMenu({ sessionId }: { sessionId: string }) {
  const button = useRef<HTMLButtonElement>(null);
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);
  const [format, setFormat] = useState<ExportFormat | null>(null);
  const openMenu = () => {
    const rect = button.current?.getBoundingClientRect();
    if (rect) setMenu({ x: rect.left, y: rect.bottom + 4 });
  };
  const closeReview = () => {
    setFormat(null);
    button.current?.focus();
  };
  return (
    <>
      <button
        ref={button}
        type="button"
        aria-haspopup="menu"
        aria-expanded={menu !== null}
        onClick={openMenu}
        className="rounded p-1.5 text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
        title="Export this session"
        aria-label="Export"
      >
        <Download size={16} aria-hidden />
      </button>
      {menu && (
        <ContextMenu
          label="Export as"
          x={menu.x}
          y={menu.y}
          items={(Object.keys(FORMATS) as ExportFormat[]).map((f) => ({
            label: FORMATS[f].label,
            icon: FORMATS[f].icon,
            onSelect: () => setFormat(f),
          }))}
          onClose={() => setMenu(null)}
        />
      )}
      {format && <ExportReview sessionId={sessionId} format={format} onClose={closeReview} />}
    </>
  );
}

/** What every export of the session takes out, shown before the file is downloaded. */
function ExportReview({ sessionId, format, onClose }: { sessionId: string; format: ExportFormat; onClose(): void }) {
  const id = useId();
  const download = useRef<HTMLAnchorElement>(null);
  const [preview, setPreview] = useState<ExportPreview | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const { title, description } = FORMATS[format];

  useEffect(() => {
    download.current?.focus();
    api(`/api/sessions/${sessionId}/export/preview`, ExportPreviewSchema).then(setPreview, (e: unknown) =>
      setProblem(errorMessage(e)),
    );
  }, [sessionId]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <div
      className="fixed inset-0 z-50 flex items-center justify-center p-4"
      role="dialog"
      aria-modal="true"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-description`}
    >
      {/* A click beside the dialog closes it; keyboards have Escape and the Cancel button. */}
      <button type="button" aria-hidden tabIndex={-1} className="absolute inset-0 bg-black/40" onClick={onClose} />
      <div className="relative flex max-h-full w-full max-w-lg flex-col rounded-lg bg-white p-5 shadow-xl dark:bg-zinc-900">
        <h2 id={`${id}-title`} className="text-base font-semibold">
          {title}
        </h2>
        <p id={`${id}-description`} className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          {description}
        </p>
        <h3 className="mt-4 text-sm font-medium">What the export removes</h3>
        <div className="mt-1 min-h-0 flex-1 text-sm" aria-live="polite">
          {problem ? (
            <p role="alert" className="text-red-700 dark:text-red-400">
              The preview could not be loaded: {problem}
            </p>
          ) : !preview ? (
            <p className="text-zinc-600 dark:text-zinc-400">Looking for secrets…</p>
          ) : preview.total === 0 ? (
            <p className="flex items-center gap-1.5 text-zinc-700 dark:text-zinc-300">
              <ShieldCheck size={15} aria-hidden className="shrink-0 text-teal-700 dark:text-teal-400" />
              Nothing in this session looks like a key, a token or a stored secret.
            </p>
          ) : (
            <Findings preview={preview} />
          )}
        </div>
        <p className="mt-3 text-xs text-zinc-600 dark:text-zinc-400">
          Only what has a known shape or is stored in this workspace is found. Read the file before you share it.
        </p>
        <div className="mt-4 flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <a
            ref={download}
            href={`/api/sessions/${sessionId}/export?format=${format}`}
            download
            onClick={() => setTimeout(onClose)}
            className="inline-flex items-center justify-center gap-1.5 rounded-md bg-teal-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-teal-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-700"
          >
            <Download size={15} aria-hidden /> Download
          </a>
        </div>
      </div>
    </div>
  );
}

function Findings({ preview }: { preview: ExportPreview }) {
  const { findings, total } = preview;
  return (
    <>
      <p className="text-zinc-700 dark:text-zinc-300">
        {total === 1 ? 'One secret is' : `${total} secrets are`} replaced by <code>[redacted]</code>
        {total > findings.length ? ` (the first ${findings.length} are listed)` : ''}:
      </p>
      <ul
        aria-label="Secrets the export removes"
        tabIndex={0}
        className="mt-2 max-h-72 space-y-2 overflow-y-auto rounded-md border border-zinc-200 p-2 focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600 dark:border-zinc-700"
      >
        {findings.map((finding, i) => (
          <li key={i} className="min-w-0">
            <p className="text-xs text-zinc-600 dark:text-zinc-400">
              <span className="font-medium text-zinc-800 dark:text-zinc-200">{KINDS[finding.kind]}</span>{' '}
              {where(finding)}
            </p>
            <p className="mt-0.5 break-words rounded bg-zinc-100 px-1.5 py-1 font-mono text-xs text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200">
              {finding.excerpt}
            </p>
          </li>
        ))}
      </ul>
    </>
  );
}
