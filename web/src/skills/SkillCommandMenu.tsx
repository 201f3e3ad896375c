import type { SkillSummary } from '@contract/skills';
import { type KeyboardEvent, type ReactNode, useEffect, useId, useState } from 'react';
import { cx } from '../components/ui';
import { loadSkills } from './skills-api';

/** A message that is, so far, only `/` and the start of a skill's name. */
const COMMAND = /^\/([a-z0-9-]*)$/;

export interface SkillCommands {
  /** The list of matching skills, shown above the message box while a command is typed; null otherwise. */
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
 * Completion of `/name` at the start of a message, from the skills the user may run here (user-invocable and
 * loaded). Picking one writes `/name ` into the box for its arguments; the message is sent as typed, and the runtime
 * expands it.
 */
export function useSkillCommands(text: string, onText: (text: string) => void): SkillCommands {
  const id = useId();
  const [skills, setSkills] = useState<SkillSummary[]>([]);
  const [active, setActive] = useState(0);
  /** The text Escape closed the menu at: it opens again once the name typed changes. */
  const [dismissed, setDismissed] = useState<string | null>(null);
  const prefix = COMMAND.exec(text)?.[1];
  const typing = prefix !== undefined;

  useEffect(() => {
    if (!typing) return;
    // Read again each time a command starts, so a skill just created or switched off shows as it is now.
    const controller = new AbortController();
    loadSkills(controller.signal).then(
      (list) => setSkills(list.skills.filter((skill) => skill.userInvocable && skill.loaded)),
      () => setSkills([]),
    );
    return () => controller.abort();
  }, [typing]);
  useEffect(() => {
    setActive(0);
  }, [prefix]);

  const options = typing
    ? [
        ...skills.filter((skill) => skill.name.startsWith(prefix)),
        ...skills.filter((skill) => !skill.name.startsWith(prefix) && skill.name.includes(prefix)),
      ]
    : [];
  const open = typing && dismissed !== text && options.length > 0;
  const current = Math.min(active, options.length - 1);
  const optionId = (skill: SkillSummary) => `${id}-${skill.name}`;
  const activeId = open ? optionId(options[current]!) : undefined;
  useEffect(() => {
    if (activeId) document.getElementById(activeId)?.scrollIntoView({ block: 'nearest' });
  }, [activeId]);

  const pick = (skill: SkillSummary) => onText(`/${skill.name} `);
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
      aria-label="Skills"
      className="absolute inset-x-0 bottom-full z-20 mb-2 max-h-64 overflow-auto rounded-lg border border-zinc-200 bg-white py-1 shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
    >
      {options.map((skill, index) => (
        <li
          key={skill.name}
          id={optionId(skill)}
          role="option"
          aria-selected={index === current}
          // Keeps the focus in the message box, where the keys work.
          onMouseDown={(event) => event.preventDefault()}
          onClick={() => pick(skill)}
          onMouseMove={() => index !== current && setActive(index)}
          className={cx(
            'cursor-pointer px-3 py-1.5 text-sm',
            index === current ? 'bg-teal-50 dark:bg-teal-950' : 'hover:bg-zinc-50 dark:hover:bg-zinc-800',
          )}
        >
          <span className="font-mono font-medium text-zinc-900 dark:text-zinc-100">/{skill.name}</span>
          {skill.arguments.length > 0 && (
            <span className="ml-1.5 font-mono text-xs text-zinc-600 dark:text-zinc-400">
              {skill.arguments.map((arg) => `[${arg.name}]`).join(' ')}
            </span>
          )}
          <span className="block truncate text-xs text-zinc-600 dark:text-zinc-400">{skill.description}</span>
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
