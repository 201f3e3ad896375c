import type { SkillList } from '@contract/skills';
import { ShieldAlert, TriangleAlert } from 'lucide-react';
import { Button, cx } from '../components/ui';
import { ORIGIN_LABEL } from './labels';

const number = (n: number) => n.toLocaleString('en');

/**
 * The repository's skills wait for the user's trust: a skill is instructions to the agent, and one that came with a
 * cloned repository was written by whoever wrote the repository.
 */
export function TrustBanner({
  waiting,
  trusted,
  busy,
  onTrust,
}: {
  /** Repository skills not loaded because the repository is not trusted. */
  waiting: number;
  trusted: boolean;
  busy: boolean;
  onTrust: (trusted: boolean) => void;
}) {
  if (trusted)
    return (
      <p className="mb-4 flex flex-wrap items-center gap-2 text-sm text-zinc-600 dark:text-zinc-400">
        The skills that came with the repository (.agents/skills/, .claude/skills/) are trusted and loaded.
        <Button variant="ghost" className="px-2 py-0.5" disabled={busy} onClick={() => onTrust(false)}>
          Stop trusting them
        </Button>
      </p>
    );
  if (waiting === 0) return null;
  return (
    <section
      aria-label="Repository skills not loaded"
      className="mb-4 rounded-lg border border-amber-300 bg-amber-50 p-4 dark:border-amber-800 dark:bg-amber-950/40"
    >
      <h2 className="flex items-center gap-2 text-sm font-semibold text-amber-900 dark:text-amber-200">
        <ShieldAlert size={16} aria-hidden />
        {waiting === 1
          ? 'This repository has a skill that is not loaded'
          : `This repository has ${waiting} skills that are not loaded`}
      </h2>
      <p className="mt-1 text-sm text-amber-950 dark:text-amber-100">
        Skills in .agents/skills/ and .claude/skills/ came with the code, written by whoever wrote the repository. A
        skill is instructions to the agent: it can steer what the agent reads, runs and sends, and the tools it lists in
        allowed-tools run without asking while it is active. Read them first (open each one below), and trust them only
        if you would follow them yourself.
      </p>
      <Button variant="primary" className="mt-3" disabled={busy} onClick={() => onTrust(true)}>
        Trust the repository’s skills
      </Button>
    </section>
  );
}

/** How much of the system prompt the list of skills takes, against its cap. */
export function PromptBlockMeter({ block, loaded }: { block: SkillList['promptBlock']; loaded: number }) {
  const share = Math.min(1, block.characters / block.limit);
  return (
    <section
      aria-label="Skills in the system prompt"
      className="mb-4 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1 text-sm">
        <h2 className="font-semibold">System prompt</h2>
        <span className="tabular-nums text-zinc-700 dark:text-zinc-300">
          {number(block.characters)} / {number(block.limit)} characters
          {block.cut && <span className="ml-2 font-semibold text-amber-800 dark:text-amber-300">cut</span>}
        </span>
      </div>
      <div
        role="meter"
        aria-label="Size of the skills block"
        aria-valuemin={0}
        aria-valuemax={block.limit}
        aria-valuenow={block.characters}
        aria-valuetext={`${number(block.characters)} of ${number(block.limit)} characters${block.cut ? ', cut' : ''}`}
        className="mt-2 h-1.5 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
      >
        <div
          className={cx('h-full rounded-full', block.cut ? 'bg-amber-500' : 'bg-teal-600')}
          style={{ width: `${share * 100}%` }}
        />
      </div>
      <p className="mt-2 text-xs text-zinc-600 dark:text-zinc-400">
        The agent sees the name and description of each of the {loaded} loaded skills it may use by itself, and reads a
        skill’s instructions only when a task calls for it. The list is capped at 2 % of the default model’s context
        window or 8,000 characters.
        {block.cut &&
          ' It is cut now: some skills are left out of the list (the skill tool still finds them). Shorten descriptions or switch skills off.'}
      </p>
    </section>
  );
}

export function InvalidSkills({ invalid }: { invalid: SkillList['invalid'] }) {
  if (invalid.length === 0) return null;
  return (
    <section
      aria-label="Skill folders that did not load"
      className="mt-6 rounded-lg border border-amber-300 bg-amber-50 p-4 dark:border-amber-800 dark:bg-amber-950/40"
    >
      <h2 className="flex items-center gap-2 text-sm font-semibold text-amber-900 dark:text-amber-200">
        <TriangleAlert size={15} aria-hidden />
        {invalid.length === 1 ? 'A skill folder did not load' : `${invalid.length} skill folders did not load`}
      </h2>
      <p className="mt-1 text-xs text-amber-900/90 dark:text-amber-200/90">
        The other skills work as usual. Fix its SKILL.md and it is picked up at the next run.
      </p>
      <ul className="mt-2 space-y-2">
        {invalid.map((item) => (
          <li key={item.path} className="text-sm">
            <code className="break-all font-mono text-xs font-semibold">{item.path}</code>
            <p className="break-words text-amber-950 dark:text-amber-100">{item.problem}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ShadowedSkills({ shadowed }: { shadowed: SkillList['shadowed'] }) {
  if (shadowed.length === 0) return null;
  return (
    <section aria-label="Shadowed skills" className="mt-6">
      <h2 className="text-sm font-semibold">Shadowed</h2>
      <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
        A skill of the same name in a folder that comes first (workspace, repository, yours, built-in) replaces these.
      </p>
      <ul className="mt-2 divide-y divide-zinc-200 rounded-lg border border-zinc-200 bg-white text-sm dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900">
        {shadowed.map((item) => (
          <li key={item.path} className="flex flex-wrap items-baseline gap-x-3 gap-y-1 px-4 py-2">
            <span className="font-mono font-medium">{item.name}</span>
            <span className="text-xs text-zinc-600 dark:text-zinc-400">{ORIGIN_LABEL[item.origin]}</span>
            <code className="break-all font-mono text-xs text-zinc-600 dark:text-zinc-400">{item.path}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}
