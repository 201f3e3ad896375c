import type { McpPromptsSchema, McpResourceReadSchema, McpResourcesSchema } from '@contract/mcp';
import { ChevronRight } from 'lucide-react';
import { type ReactNode, useEffect, useId, useState } from 'react';
import type { z } from 'zod';
import { Button, FieldError, cx } from '../components/ui';
import { errorMessage } from '../lib/api';
import { loadPrompts, loadResources, readResource } from './mcp-api';
import { count } from './status';

type Resource = z.output<typeof McpResourcesSchema>['resources'][number];
type Prompt = z.output<typeof McpPromptsSchema>['prompts'][number];
type Contents = z.output<typeof McpResourceReadSchema>['contents'];

/** A section that loads what it lists the first time it is opened. */
function Disclosure({ label, children }: { label: string; children: () => ReactNode }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <div>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen(!open)}
        className="inline-flex items-center gap-1 rounded text-sm font-medium text-zinc-700 hover:text-zinc-950 dark:text-zinc-300 dark:hover:text-white"
      >
        <ChevronRight aria-hidden size={15} className={cx('transition-transform', open && 'rotate-90')} />
        {label}
      </button>
      {open && (
        <div id={id} className="mt-2 pl-5">
          {children()}
        </div>
      )}
    </div>
  );
}

/** What `load` gives for `server`, loaded when the section opens (closing and opening it reads it afresh). */
function useLoaded<T>(server: string, load: (server: string) => Promise<T>): { value: T | null; error: string | null } {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    load(server).then(
      (loaded) => current && setValue(loaded),
      (e: unknown) => current && setError(errorMessage(e)),
    );
    return () => {
      current = false;
    };
  }, [server, load]);
  return { value, error };
}

function ResourceText({ contents }: { contents: Contents }) {
  return (
    <>
      {contents.map((content, i) => (
        <pre
          key={i}
          tabIndex={0}
          aria-label={`Text of ${content.uri}`}
          className="mt-2 max-h-64 overflow-auto rounded-md bg-zinc-50 p-2 font-mono text-xs whitespace-pre-wrap break-words dark:bg-zinc-950"
        >
          {content.text ??
            `Binary content${content.mimeType ? ` (${content.mimeType})` : ''}${
              content.bytes !== undefined ? `, ${count.format(content.bytes)} bytes` : ''
            }: not shown.`}
        </pre>
      ))}
    </>
  );
}

function ResourceRow({ server, resource }: { server: string; resource: Resource }) {
  const [contents, setContents] = useState<Contents | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const open = () => {
    if (contents) return setContents(null);
    setBusy(true);
    setError(null);
    readResource(server, resource.uri)
      .then(
        (read) => setContents(read.contents),
        (e: unknown) => setError(errorMessage(e)),
      )
      .finally(() => setBusy(false));
  };
  return (
    <li className="py-2">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <div className="text-sm font-medium">{resource.name}</div>
          <div className="font-mono text-xs break-all text-zinc-600 dark:text-zinc-400">
            {resource.uri}
            {resource.mimeType && ` · ${resource.mimeType}`}
          </div>
          {resource.description && <p className="text-xs text-zinc-600 dark:text-zinc-400">{resource.description}</p>}
        </div>
        <Button onClick={open} disabled={busy} aria-expanded={contents !== null} aria-label={`Open ${resource.name}`}>
          {busy ? 'Opening…' : contents ? 'Close' : 'Open'}
        </Button>
      </div>
      <FieldError message={error} />
      {contents && <ResourceText contents={contents} />}
    </li>
  );
}

function Resources({ server }: { server: string }) {
  const { value, error } = useLoaded(server, loadResources);
  if (error) return <FieldError message={error} />;
  if (!value) return <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading…</p>;
  return (
    <ul aria-label={`Resources of ${server}`} className="divide-y divide-zinc-200 dark:divide-zinc-800">
      {value.resources.map((resource) => (
        <ResourceRow key={resource.uri} server={server} resource={resource} />
      ))}
    </ul>
  );
}

function PromptRow({ prompt }: { prompt: Prompt }) {
  return (
    <li className="py-2">
      <code className="font-mono text-sm font-medium break-all">{prompt.command}</code>
      {prompt.description && <p className="text-sm text-zinc-600 dark:text-zinc-400">{prompt.description}</p>}
      {prompt.arguments.length > 0 && (
        <p className="mt-0.5 text-xs text-zinc-600 dark:text-zinc-400">
          Arguments:{' '}
          {prompt.arguments.map((arg, i) => (
            <span key={arg.name} title={arg.description}>
              {i > 0 && ', '}
              <code>{arg.name}</code>
              {arg.required ? ' (required)' : ''}
            </span>
          ))}
        </p>
      )}
    </li>
  );
}

function Prompts({ server }: { server: string }) {
  const { value, error } = useLoaded(server, loadPrompts);
  if (error) return <FieldError message={error} />;
  if (!value) return <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading…</p>;
  return (
    <>
      <p className="text-xs text-zinc-600 dark:text-zinc-400">
        Type a prompt's command in a chat to send the prompt as your message; its arguments follow, in order or as
        name=value.
      </p>
      <ul aria-label={`Prompts of ${server}`} className="divide-y divide-zinc-200 dark:divide-zinc-800">
        {value.prompts.map((prompt) => (
          <PromptRow key={prompt.name} prompt={prompt} />
        ))}
      </ul>
    </>
  );
}

/** A ready server's resources (each can be opened to read it) and prompts (with the chat command of each). */
export function ServerExtras({ server, resources, prompts }: { server: string; resources: number; prompts: number }) {
  return (
    <>
      {resources > 0 && (
        <Disclosure label={`Resources (${count.format(resources)})`}>{() => <Resources server={server} />}</Disclosure>
      )}
      {prompts > 0 && (
        <Disclosure label={`Prompts (${count.format(prompts)})`}>{() => <Prompts server={server} />}</Disclosure>
      )}
    </>
  );
}
