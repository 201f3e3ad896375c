import { readdir } from 'node:fs/promises';
import { z } from 'zod';
import type { SkillArgument } from '../../contract/skills';
import { type Tool, defineTool, errorResult } from '../tool';
import { SKILLS_GUEST_DIR, type Skill, type SkillCatalog } from './skill-catalog';
import { allowRuleFor } from './skill-file';

/** The files of a skill's folder named to the model at most: it reads them with the ordinary tools when needed. */
const MAX_LISTED_FILES = 40;

/** Words as a shell would split them: spaces separate, quotes group. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const match of text.matchAll(pattern)) words.push(match[1]?.replace(/\\(.)/g, '$1') ?? match[2] ?? match[3]!);
  return words;
}

/**
 * A skill's body with its arguments in place: `$ARGUMENTS` is everything given, `$1`…`$9` each word of it, and
 * `$name` or `${name}` a declared argument (given by name, or by position in declaration order). Only declared names
 * are replaced, so a body's own `$HOME` stays. Arguments given to a body with no placeholder are added at its end.
 */
export function expandSkill(
  body: string,
  declared: readonly SkillArgument[],
  given: string | Record<string, string> | undefined,
): string {
  const raw =
    given === undefined
      ? ''
      : typeof given === 'string'
        ? given.trim()
        : Object.entries(given)
            .map(([key, value]) => `${key}=${value}`)
            .join(' ');
  const words = typeof given === 'string' ? splitWords(given) : [];
  const named = new Map<string, string>();
  declared.forEach((arg, index) => {
    const value = typeof given === 'object' ? given[arg.name] : words[index];
    if (value !== undefined) named.set(arg.name, value);
  });
  let placeholders = false;
  let text = body.replace(/\$ARGUMENTS\b/g, () => {
    placeholders = true;
    return raw;
  });
  text = text.replace(/\$([1-9])(?![0-9])/g, (_, n: string) => {
    placeholders = true;
    return words[Number(n) - 1] ?? '';
  });
  for (const arg of declared) {
    const pattern = new RegExp(`\\$\\{${escapeRegExp(arg.name)}\\}|\\$${escapeRegExp(arg.name)}\\b`, 'g');
    text = text.replace(pattern, () => {
      placeholders = true;
      return named.get(arg.name) ?? '';
    });
  }
  return raw && !placeholders ? `${text}\n\nArguments: ${raw}` : text;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The skill's files, relative to its folder (SKILL.md aside), at most MAX_LISTED_FILES. */
async function skillFiles(skill: Skill): Promise<string[]> {
  const entries = await readdir(skill.dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => `${entry.parentPath ?? entry.path}/${entry.name}`.slice(skill.dir.length + 1))
    .filter((path) => path !== 'SKILL.md' && !path.split('/').some((part) => part.startsWith('.')))
    .sort()
    .slice(0, MAX_LISTED_FILES);
}

/** The instructions a skill gives the model, with its arguments in place and where its files are. */
export async function skillInstructions(
  skill: Skill,
  given: string | Record<string, string> | undefined,
): Promise<string> {
  const folder = `${SKILLS_GUEST_DIR}/${skill.name}/`;
  const files = await skillFiles(skill);
  const lines = [
    `Skill "${skill.name}" is loaded. Its folder is ${folder} (read-only); read its files with the ordinary tools when the instructions need them.`,
    ...(files.length ? [`Files: ${files.map((f) => folder + f).join(', ')}`] : []),
    ...(skill.allowedTools.length
      ? [`While it is active, these run without asking: ${skill.allowedTools.join(', ')}.`]
      : []),
    '',
    `<skill name="${skill.name}">`,
    expandSkill(skill.body, skill.arguments, given),
    '</skill>',
  ];
  return lines.join('\n');
}

/** The permission rules a skill's `allowed-tools` grant while it is active. */
export function skillRules(skill: Skill): string[] {
  return skill.allowedTools.map(allowRuleFor);
}

const SkillInput = z.strictObject({
  name: z.string().min(1).max(64),
  arguments: z
    .union([z.string().max(20_000), z.record(z.string(), z.string().max(20_000))])
    .optional()
    .describe('Text, or named arguments.'),
});

/**
 * `skill`: loads one skill's instructions into the conversation (the system prompt lists only names and
 * descriptions). Its `allowed-tools` then run without asking for the rest of the run, within the run's own tools and
 * never past a deny rule.
 */
export function skillTool(catalog: SkillCatalog): Tool {
  return defineTool({
    name: 'skill',
    description: 'Loads a skill listed in the system prompt: its instructions, with the arguments in place.',
    permissionLevel: 'read',
    source: 'skill',
    input: SkillInput,
    subject: (input) => input.name,
    async execute(input, ctx) {
      const skills = await catalog.loaded();
      const skill = skills.find((s) => s.name === input.name);
      if (!skill) {
        const names = skills.filter((s) => s.modelInvocable).map((s) => `${s.name}: ${s.description}`);
        return errorResult(
          `There is no skill "${input.name}".${names.length ? ` Skills:\n${names.join('\n')}` : ' This workspace has no skills.'}`,
        );
      }
      if (!skill.modelInvocable)
        return errorResult(`The skill "${skill.name}" is run by the user only (/${skill.name} in the chat).`);
      const rules = skillRules(skill);
      if (rules.length) await ctx.session.activateSkill(skill.name, rules);
      return {
        content: await skillInstructions(skill, input.arguments),
        // Once loaded, a skill's instructions are kept whole when the conversation is compacted.
        metadata: { skill: skill.name, keep: true },
      };
    },
  });
}
