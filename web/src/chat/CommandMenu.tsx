import { type UserCommand, UserCommandListSchema } from '@contract/commands';
import { type KeyboardEvent, type ReactNode, useEffect, useId, useState } from 'react';
import { cx } from '../components/ui';
import { api } from '../lib/api';

/** A message that is, so far, only `/` and the start of a command's name. */
const COMMAND = /^\/([A-Za-z0-9_-]*)$/;

export interface Commands {
  /** The list of matching commands, shown above the message box while one is typed; null otherwise. */
  menu: ReactNode;
  /** Arrow keys move, Enter or Tab picks, Escape closes; true when the key was the menu's. */
  onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>): boolean;
  /** For the message box: it drives the list (ARIA autocomplete). */
  inputProps: {
    'aria-autocomplete': 'list';
    'aria-controls'?: string;
    'aria-activedescendant'?: string;
  };
}

/**
 * Completion of `/name` at the start of a message, from what the user may run here (GET /api/commands): the skills
 * (user-invocable and loaded) and the ready MCP servers' prompts. Picking one writes `/name ` into the box for its
 * arguments; the message is sent as typed, and the runtime expands it.
 */
export function useCommands(text: string, onText: (text: string) => void): Commands {
  const id = useId();
  const [commands, setCommands] = useState<UserCommand[]>([]);
  const [active, setActive] = useState(0);
  /** The text Escape closed the menu at: it opens again once the name typed changes. */
  const [dismissed, setDismissed] = useState<string | null>(null);
  const prefix = COMMAND.exec(text)?.[1];
  const typing = prefix !== undefined;

  useEffect(() => {
    if (!typing) return;
    // Read again each time a command starts, so a skill just created or a server just connected shows as it is now.
    let current = true;
    api('/api/commands', UserCommandListSchema).then(
      (list) => current && setCommands(list.commands),
      // Without the list, the message is still sent as typed: the menu only helps typing it.
      () => current && setCommands([]),
    );
    return () => {
      current = false;
    };
  }, [typing]);
  useEffect(() => {
    setActive(0);
  }, [prefix]);

  const options = typing
    ? [
        ...commands.filter((command) => command.name.startsWith(prefix)),
        ...commands.filter((command) => !command.name.startsWith(prefix) && command.name.includes(prefix)),
      ]
    : [];
  const open = typing && dismissed !== text && options.length > 0;
  const current = Math.min(active, options.length - 1);
  const optionId = (command: UserCommand) => `${id}-${command.name}`;
  const activeId = open ? optionId(options[current]!) : undefined;
  useEffect(() => {
    if (activeId) document.getElementById(activeId)?.scrollIntoView({ block: 'nearest' });
  }, [activeId]);

  const pick = (command: UserCommand) => onText(`/${command.name} `);
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (!open || event.nativeEvent.isComposing) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((current + step + options.length) % options.length);
    } else if ((event.key === 'Enter' && !event.shiftKey) || event.key === 'Tab') pick(options[current]!);
    else if (event.key === 'Escape') setDismissed(text);
    else return false;
    event.preventDefault();
    return true;
  };

  const menu = open ? (
    <ul
      id={`${id}-list`}
      role="listbox"
      aria-label="Commands"
      className="absolute inset-x-0 bottom-full z-20 mb-2 max-h-64 overflow-auto rounded-lg border border-zinc-200 bg-white py-1 shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
    >
      {options.map((command, index) => (
        <li
          key={command.name}
          id={optionId(command)}
          role="option"
          aria-selected={index === current}
          // Keeps the focus in the message box, where the keys work.
          onMouseDown={(event) => event.preventDefault()}
          onClick={() => pick(command)}
          onMouseMove={() => index !== current && setActive(index)}
          className={cx(
            'cursor-pointer px-3 py-1.5 text-sm',
            index === current ? 'bg-teal-50 dark:bg-teal-950' : 'hover:bg-zinc-50 dark:hover:bg-zinc-800',
          )}
        >
          <span className="font-mono font-medium text-zinc-900 dark:text-zinc-100">/{command.name}</span>
          {command.arguments.length > 0 && (
            <span className="ml-1.5 font-mono text-xs text-zinc-600 dark:text-zinc-400">
              {command.arguments.map((arg) => `[${arg.name}]`).join(' ')}
            </span>
          )}
          <span className="block truncate text-xs text-zinc-600 dark:text-zinc-400">
            {command.kind === 'mcp-prompt' ? 'MCP prompt · ' : ''}
            {command.description}
          </span>
        </li>
      ))}
    </ul>
  ) : null;

  return {
    menu,
    onKeyDown,
    inputProps: {
      'aria-autocomplete': 'list',
      ...(open ? { 'aria-controls': `${id}-list` } : {}),
      ...(activeId ? { 'aria-activedescendant': activeId } : {}),
    },
  };
}
