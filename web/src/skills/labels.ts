import type { SkillOrigin, SkillSummary } from '@contract/skills';

/** Where a skill comes from, as the page names it. */
export const ORIGIN_LABEL: Record<SkillOrigin, string> = {
  workspace: 'Workspace',
  agents: 'Repository (.agents)',
  claude: 'Repository (.claude)',
  user: 'Yours, every workspace',
  'built-in': 'Built-in',
};

/** The repository's folders: their skills load only once the user trusts them. */
export const isRepositoryOrigin = (origin: SkillOrigin) => origin === 'agents' || origin === 'claude';

/** Whether the agent is offered the skill, and if not, why. */
export function loadState(skill: SkillSummary): { label: string; tone: 'green' | 'neutral' | 'amber'; why: string } {
  if (skill.loaded) return { label: 'loaded', tone: 'green', why: 'Offered to the agent in this workspace.' };
  if (!skill.enabled) return { label: 'off', tone: 'neutral', why: 'Switched off in this workspace.' };
  return {
    label: 'not trusted',
    tone: 'amber',
    why: 'It came with the repository: it loads once you trust the repository’s skills.',
  };
}
