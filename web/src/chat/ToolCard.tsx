import { Check, ChevronRight, CircleAlert, FileCode2, Loader2, Megaphone } from 'lucide-react';
import { useState } from 'react';
import { DiffView } from '../components/DiffView';
import { cx } from '../components/ui';
import { onLinkClick } from '../lib/router';
import { Markdown } from './Markdown';
import type { TimelineItem } from './timeline';
import type { FromText, ToolResult } from '@contract/events';

type ToolItem = Extract<TimelineItem, { kind: 'tool' }>;

const PREVIEW_CHARS = 6000;

function formatDuration(ms: number | null): string {
  if (ms === null) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function ResultBody({ result }: { result: ToolResult }) {
  const [full, setFull] = useState(false);
  if (typeof result.content !== 'string') {
    return (
      <div className="space-y-2">
        {result.content.map((block, i) =>
          block.type === 'text' ? (
            <pre key={i} className="whitespace-pre-wrap break-words">
              {block.text}
            </pre>
          ) : (
            <img
              key={i}
              alt="Tool output"
              className="max-h-80 rounded border border-zinc-200 dark:border-zinc-700"
              src={`data:${block.mediaType};base64,${block.data}`}
            />
          ),
        )}
      </div>
    );
  }
  const long = result.content.length > PREVIEW_CHARS;
  return (
    <>
      <pre className="whitespace-pre-wrap break-words">
        {long && !full ? `${result.content.slice(0, PREVIEW_CHARS)}…` : result.content}
      </pre>
      {long && (
        <button
          type="button"
          className="mt-1 text-xs text-teal-700 hover:underline dark:text-teal-400"
          onClick={() => setFull(!full)}
        >
          {full ? 'Show less' : `Show all ${result.content.length.toLocaleString()} characters`}
        </button>
      )}
    </>
  );
}

/**
 * The workspace file a call is about, as the Files page names it: the sandbox's `/src/a.ts` is `src/a.ts`. Only
 * file tools name one (their input's file_path, or the path their result reports).
 */
function fileOf(item: ToolItem): string | null {
  const input = (typeof item.input === 'object' && item.input !== null ? item.input : {}) as { file_path?: unknown };
  const path = typeof input.file_path === 'string' ? input.file_path : item.result?.metadata?.path;
  if (typeof path !== 'string') return null;
  const relative = path
    .split('/')
    .filter((part) => part && part !== '.')
    .join('/');
  return relative && !relative.split('/').includes('..') ? relative : null;
}

function Changes({ path, metadata }: { path: string; metadata: Record<string, unknown> }) {
  if (typeof metadata.patch === 'string') return <DiffView path={path} change={{ patch: metadata.patch }} />;
  return <p className="font-sans text-xs text-zinc-500">No diff kept: {String(metadata.patchOmitted)}.</p>;
}

const FORMAT_NAMES: Record<string, string> = {
  hermes: 'a <tool_call> tag',
  mistral: 'a [TOOL_CALLS] block',
  llama: 'a <|python_tag|> call',
  'function-tag': 'a <function=…> tag',
  fenced: 'a fenced JSON block',
  json: 'a JSON object',
};

/** How the runtime read a call the model wrote as text, or whose arguments it had to repair. */
function FromTextNote({ fromText }: { fromText: FromText }) {
  const how =
    fromText.format === 'arguments'
      ? 'The model sent arguments that were not quite JSON; they were repaired.'
      : `The model wrote this call as text (${FORMAT_NAMES[fromText.format] ?? fromText.format}); it was read as a tool call.`;
  return (
    <p className="font-sans text-xs text-zinc-600 dark:text-zinc-400">
      {how}
      {fromText.repairs.length > 0 && <> Fixed: {fromText.repairs.join('; ')}.</>}
    </p>
  );
}

/** A tool call: its name, input, live status, and result or error; a file it touched opens in the editor. */
export function ToolCard({ item }: { item: ToolItem }) {
  const [open, setOpen] = useState(false);
  const brief = (item.result?.metadata?.brief ?? null) as { message: string; kind: string } | null;
  if (brief && item.status === 'done') {
    return (
      <div className="flex gap-2.5 rounded-lg border border-teal-200 bg-teal-50/60 px-3.5 py-2.5 text-sm dark:border-teal-900 dark:bg-teal-950/40">
        <Megaphone size={16} className="mt-0.5 shrink-0 text-teal-700 dark:text-teal-400" aria-hidden />
        <div className="min-w-0">
          <Markdown text={brief.message} />
        </div>
      </div>
    );
  }
  const summary =
    typeof item.input === 'object' && item.input !== null ? JSON.stringify(item.input) : String(item.input ?? '');
  const file = fileOf(item);
  const metadata = item.result?.metadata;
  const changed = file && metadata && ('patch' in metadata || 'patchOmitted' in metadata);
  return (
    <div
      data-testid="tool-card"
      data-call-id={item.callId}
      className="rounded-lg border border-zinc-200 bg-zinc-50 text-sm dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex items-center">
        <button
          type="button"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
          className="flex min-w-0 flex-1 items-center gap-2 px-3 py-2 text-left"
        >
          <ChevronRight
            size={14}
            className={cx('shrink-0 text-zinc-400 transition-transform', open && 'rotate-90')}
            aria-hidden
          />
          {item.status === 'running' ? (
            <Loader2 size={15} className="shrink-0 animate-spin text-teal-600" aria-label="Running" />
          ) : item.status === 'done' ? (
            <Check size={15} className="shrink-0 text-teal-600" aria-label="Done" />
          ) : (
            <CircleAlert size={15} className="shrink-0 text-red-600" aria-label="Failed" />
          )}
          <span className="font-mono font-medium">{item.name}</span>
          {item.fromText && (
            <span className="shrink-0 rounded bg-amber-100 px-1.5 font-sans text-[11px] text-amber-900 dark:bg-amber-950 dark:text-amber-200">
              {item.fromText.format === 'arguments' ? 'repaired' : 'from text'}
            </span>
          )}
          <span className="min-w-0 flex-1 truncate font-mono text-xs text-zinc-500">{summary}</span>
          <span className="shrink-0 text-xs text-zinc-500">
            {item.status === 'running' ? 'running…' : formatDuration(item.durationMs)}
          </span>
        </button>
        {file && (
          <a
            href={`/files?open=${encodeURIComponent(file)}`}
            onClick={onLinkClick(`/files?open=${encodeURIComponent(file)}`)}
            className="mr-1.5 flex min-w-0 max-w-[40%] shrink-0 items-center gap-1 rounded p-1.5 font-mono text-xs text-teal-700 hover:bg-zinc-200 hover:underline dark:text-teal-400 dark:hover:bg-zinc-800"
            aria-label={`Open ${file} in the editor`}
            title={`Open ${file} in the editor`}
          >
            <FileCode2 size={15} className="shrink-0" aria-hidden />
            <span className="hidden truncate sm:inline">{file}</span>
          </a>
        )}
      </div>
      {open && (
        <div className="space-y-3 border-t border-zinc-200 px-3 py-2.5 font-mono text-xs dark:border-zinc-800">
          {item.fromText && <FromTextNote fromText={item.fromText} />}
          <section>
            <h4 className="mb-1 font-sans text-xs font-medium uppercase tracking-wide text-zinc-500">Input</h4>
            <pre className="whitespace-pre-wrap break-words">{JSON.stringify(item.input, null, 2)}</pre>
          </section>
          {item.progress && (
            <section>
              <h4 className="mb-1 font-sans text-xs font-medium uppercase tracking-wide text-zinc-500">Progress</h4>
              <pre className="whitespace-pre-wrap break-words">{JSON.stringify(item.progress, null, 2)}</pre>
            </section>
          )}
          {changed && (
            <section>
              <h4 className="mb-1 font-sans text-xs font-medium uppercase tracking-wide text-zinc-500">Changes</h4>
              <Changes path={file} metadata={metadata} />
            </section>
          )}
          {item.result && (
            <section>
              <h4
                className={cx(
                  'mb-1 font-sans text-xs font-medium uppercase tracking-wide',
                  item.result.isError ? 'text-red-600' : 'text-zinc-500',
                )}
              >
                {item.result.isError ? 'Error' : 'Result'}
              </h4>
              <ResultBody result={item.result} />
            </section>
          )}
        </div>
      )}
      {!open && item.status === 'error' && item.result && typeof item.result.content === 'string' && (
        <p className="border-t border-zinc-200 px-3 py-1.5 text-xs text-red-700 dark:border-zinc-800 dark:text-red-400">
          {item.result.content.slice(0, 240)}
        </p>
      )}
    </div>
  );
}
