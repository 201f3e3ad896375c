import type { SkillSummary } from '@contract/skills';
import { Badge, Switch, cx } from '../components/ui';
import { onLinkClick } from '../lib/router';
import { ORIGIN_LABEL, loadState } from './labels';

/** Tools a skill may use without asking while it is active, as written in its `allowed-tools`. */
export function AllowedTools({ tools }: { tools: readonly string[] }) {
  return (
    <span className="inline-flex flex-wrap gap-1">
      {tools.map((tool) => (
        <code
          key={tool}
          className="rounded bg-zinc-100 px-1 py-px font-mono text-[11px] text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300"
        >
          {tool}
        </code>
      ))}
    </span>
  );
}

/** One skill of the list: its name (opening it), whether it is loaded, how it runs, where it lives, and its switch. */
export function SkillRow({ skill, onToggle }: { skill: SkillSummary; onToggle: (enabled: boolean) => void }) {
  const state = loadState(skill);
  const href = `/skills/${skill.name}`;
  return (
    <li className="px-4 py-3">
      <div className="flex items-start gap-3">
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-1.5">
            <a
              href={href}
              onClick={onLinkClick(href)}
              className={cx(
                'break-all font-mono text-sm font-medium text-teal-800 hover:underline dark:text-teal-300',
                !skill.enabled && 'line-through decoration-zinc-400',
              )}
            >
              {skill.name}
            </a>
            <Badge tone={state.tone} title={state.why}>
              {state.label}
            </Badge>
            {skill.userInvocable && (
              <Badge title={`Type /${skill.name} in the chat to run it`}>
                <span className="font-mono">/{skill.name}</span>
              </Badge>
            )}
            {!skill.modelInvocable && (
              <Badge title="disable-model-invocation: the agent never loads it by itself">user only</Badge>
            )}
          </div>
          <p className="mt-1 line-clamp-2 text-sm text-zinc-600 dark:text-zinc-400">{skill.description}</p>
          <p className="mt-1 flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400">
            <span>{ORIGIN_LABEL[skill.origin]}</span>
            <code className="break-all font-mono">{skill.path}</code>
            {skill.allowedTools.length > 0 && (
              <span className="inline-flex flex-wrap items-center gap-1">
                <span>allowed tools:</span>
                <AllowedTools tools={skill.allowedTools} />
              </span>
            )}
          </p>
        </div>
        <Switch checked={skill.enabled} onChange={onToggle} label={`Enable ${skill.name}`} />
      </div>
    </li>
  );
}
