import { ArrowUp, Square } from 'lucide-react';
import { type FormEvent, type KeyboardEvent, useEffect, useRef } from 'react';
import { onLinkClick } from '../lib/router';
import type { ModelChoice } from '@contract/models';
import { useCommands } from './CommandMenu';
import { ResourceAttach } from './ResourceAttach';

export interface ComposerProps {
  text: string;
  onText(text: string): void;
  onSend(): void;
  onStop(): void;
  running: boolean;
  sending: boolean;
  models: ModelChoice[];
  defaultModel: string | null;
  model: string;
  onModel(model: string): void;
  error: string | null;
}

/** The message box: Enter sends, Shift+Enter breaks the line; while a run goes on, Stop replaces Send. */
export function Composer(props: ComposerProps) {
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const el = area.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
  }, [props.text]);
  const commands = useCommands(props.text, props.onText);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (!props.running && !props.sending && props.text.trim()) props.onSend();
  };
  const onKey = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (commands.onKeyDown(event)) return;
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) submit(event);
  };
  const noModels = props.models.length === 0;

  return (
    <form
      onSubmit={submit}
      className="border-t border-zinc-200 bg-white px-3 pb-3 pt-2 sm:px-6 dark:border-zinc-800 dark:bg-zinc-950"
    >
      <div className="relative mx-auto max-w-3xl">
        {commands.menu}
        {props.error && (
          <p
            role="alert"
            className="mb-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
          >
            {props.error}
            {/model|provider/i.test(props.error) && (
              <>
                {' '}
                <a href="/settings/models" onClick={onLinkClick('/settings/models')} className="font-medium underline">
                  Open Settings → Models
                </a>
              </>
            )}
          </p>
        )}
        <div className="rounded-xl border border-zinc-300 bg-white focus-within:border-teal-600 dark:border-zinc-700 dark:bg-zinc-900">
          <label htmlFor="composer" className="sr-only">
            Message
          </label>
          <textarea
            id="composer"
            ref={area}
            rows={1}
            value={props.text}
            onChange={(e) => props.onText(e.target.value)}
            onKeyDown={onKey}
            {...commands.inputProps}
            placeholder="Ask the agent…"
            className="block max-h-60 w-full resize-none bg-transparent px-3.5 pt-3 pb-1 text-sm outline-none placeholder:text-zinc-400"
          />
          <div className="flex items-center justify-between gap-2 px-2 pb-2">
            <div className="flex min-w-0 flex-1 items-center gap-1">
              {noModels ? (
                <a
                  href="/settings/models"
                  onClick={onLinkClick('/settings/models')}
                  className="px-1.5 text-xs text-teal-700 hover:underline dark:text-teal-400"
                >
                  Set up a model to start
                </a>
              ) : (
                <select
                  aria-label="Model"
                  value={props.model}
                  onChange={(e) => props.onModel(e.target.value)}
                  className="max-w-[60%] truncate rounded-md bg-transparent px-1.5 py-1 text-xs text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
                >
                  <option value="">Default{props.defaultModel ? ` (${props.defaultModel})` : ''}</option>
                  {props.models.map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.id}
                    </option>
                  ))}
                </select>
              )}
              <ResourceAttach text={props.text} onText={props.onText} />
            </div>
            {props.running ? (
              <button
                type="button"
                onClick={props.onStop}
                aria-label="Stop"
                className="inline-flex items-center gap-1.5 rounded-lg bg-zinc-800 px-3 py-1.5 text-sm text-white hover:bg-zinc-700 dark:bg-zinc-200 dark:text-zinc-900"
              >
                <Square size={13} fill="currentColor" aria-hidden /> Stop
              </button>
            ) : (
              <button
                type="submit"
                aria-label="Send"
                disabled={props.sending || !props.text.trim()}
                className="inline-flex items-center gap-1.5 rounded-lg bg-teal-700 px-3 py-1.5 text-sm text-white hover:bg-teal-800 disabled:bg-zinc-300 disabled:text-zinc-500 dark:disabled:bg-zinc-700 dark:disabled:text-zinc-400"
              >
                <ArrowUp size={15} aria-hidden /> Send
              </button>
            )}
          </div>
        </div>
      </div>
    </form>
  );
}
