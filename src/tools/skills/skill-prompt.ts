import type { Skill } from './skill-catalog';

/** The skills block never takes more than this many characters of the system prompt. */
export const SKILLS_BLOCK_MAX_CHARS = 8000;
/** …nor more than this share of the model's context window (at about four characters a token). */
const WINDOW_SHARE = 0.02;
const CHARS_PER_TOKEN = 4;

/** How many characters the skills block may take for a model with this context window (tokens). */
export function skillsBlockLimit(contextWindow: number | undefined): number {
  if (!contextWindow) return SKILLS_BLOCK_MAX_CHARS;
  return Math.min(SKILLS_BLOCK_MAX_CHARS, Math.floor(contextWindow * WINDOW_SHARE * CHARS_PER_TOKEN));
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The system prompt's list of skills: names and descriptions only (progressive disclosure: the `skill` tool loads a
 * body when it is needed). Cut at `limit` characters, saying how many were left out and how to reach them.
 */
export function skillsBlock(skills: readonly Skill[], limit: number): { text: string; cut: boolean } {
  const offered = skills.filter((skill) => skill.modelInvocable);
  if (offered.length === 0) return { text: '', cut: false };
  const head =
    'Skills: instructions for particular tasks. Before a task one of these covers, call the `skill` tool with its name (and arguments) to load them.\n<available_skills>\n';
  const tail = '</available_skills>';
  const entries = offered.map(
    (skill) => `- ${skill.name}: ${escape(skill.description)}${skill.whenToUse ? ` ${escape(skill.whenToUse)}` : ''}\n`,
  );
  let text = head;
  let listed = 0;
  for (const entry of entries) {
    const note = `(${entries.length - listed - 1} more skills not listed: the skill tool lists them all)\n`;
    if (text.length + entry.length + tail.length + note.length > limit && listed > 0) break;
    text += entry;
    listed += 1;
  }
  const cut = listed < entries.length;
  if (cut) text += `(${entries.length - listed} more skills not listed: the skill tool lists them all)\n`;
  return { text: text + tail, cut };
}
