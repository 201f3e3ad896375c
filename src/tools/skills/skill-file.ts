import { SKILL_DESCRIPTION_MAX, SKILL_NAME, SKILL_NAME_MAX, type SkillArgument } from '../../contract/skills';
import { FrontMatterError, readFrontMatter } from '../../workspace/front-matter';
import { ourToolName } from '../agents/foreign-names';

/** A SKILL.md as the Agent Skills specification defines it, with the extras other agents write. */
export interface SkillFile {
  name: string;
  description: string;
  license?: string | undefined;
  compatibility?: string | undefined;
  metadata: Record<string, string>;
  /** As written: `Bash(git status:*)`, `Read`, `bash(npm test*)`. */
  allowedTools: string[];
  arguments: SkillArgument[];
  whenToUse?: string | undefined;
  modelInvocable: boolean;
  userInvocable: boolean;
  /** The instructions: everything after the front matter. */
  body: string;
}

const COMPATIBILITY_MAX = 500;

/** A SKILL.md that cannot be used; the reason names the field. */
export class SkillFileError extends FrontMatterError {}

function fail(problem: string): never {
  throw new SkillFileError(problem);
}

function optionalString(data: Record<string, unknown>, key: string, max = 10_000): string | undefined {
  const value = data[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(`${key} must be text`);
  if (value.length > max) fail(`${key} must be at most ${max} characters`);
  return value;
}

function optionalBoolean(data: Record<string, unknown>, key: string): boolean | undefined {
  const value = data[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') fail(`${key} must be true or false`);
  return value;
}

/**
 * `allowed-tools` as a YAML list or as one string of entries separated by spaces (or commas), where an entry's
 * parentheses may hold spaces: `Bash(git status:*) Read`.
 */
export function splitAllowedTools(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) {
    if (!value.every((item): item is string => typeof item === 'string')) fail('allowed-tools must list tool names');
    return value.map((item) => item.trim()).filter(Boolean);
  }
  if (typeof value !== 'string') fail('allowed-tools must be a list or a string of tool names');
  const entries: string[] = [];
  let current = '';
  let depth = 0;
  for (const char of value) {
    if (char === '(') depth += 1;
    if (char === ')') depth = Math.max(0, depth - 1);
    if (depth === 0 && (/\s/.test(char) || char === ',')) {
      if (current) entries.push(current);
      current = '';
    } else current += char;
  }
  if (depth > 0) fail(`allowed-tools has an unclosed "(": ${value}`);
  if (current) entries.push(current);
  return entries;
}

/** Named inputs, written as a list of names, a list of `{name, description, required}`, or a map of name to description. */
function skillArguments(value: unknown): SkillArgument[] {
  if (value === undefined || value === null) return [];
  const named = (name: unknown, rest: Record<string, unknown> = {}): SkillArgument => {
    if (typeof name !== 'string' || name.trim() === '') fail('each argument needs a name');
    const description = rest.description;
    const required = rest.required;
    if (description !== undefined && typeof description !== 'string')
      fail(`argument ${name}: description must be text`);
    if (required !== undefined && typeof required !== 'boolean')
      fail(`argument ${name}: required must be true or false`);
    return {
      name: name.trim(),
      ...(description !== undefined ? { description } : {}),
      ...(required !== undefined ? { required } : {}),
    };
  };
  if (Array.isArray(value))
    return value.map((item) => (typeof item === 'object' && item !== null ? named(item.name, item) : named(item)));
  if (typeof value === 'object')
    return Object.entries(value).map(([name, spec]) =>
      typeof spec === 'object' && spec !== null ? named(name, spec) : named(name, { description: spec ?? undefined }),
    );
  fail('arguments must be a list or a map of names');
}

function metadataOf(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) fail('metadata must be a map of keys to text');
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      if (typeof item === 'object' && item !== null) fail(`metadata.${key} must be text`);
      return [key, String(item)];
    }),
  );
}

/**
 * Reads a SKILL.md by the Agent Skills specification: `name` (lower-case letters, digits and single hyphens, at most
 * 64 characters, the folder's name) and `description` (at most 1024 characters) are required; `license`,
 * `compatibility`, `metadata` and `allowed-tools` are optional; `arguments`/`parameters`, `when_to_use`,
 * `disable-model-invocation` and `user-invocable` are accepted; other fields are kept out and ignored.
 */
export function parseSkillFile(text: string, folderName: string): SkillFile {
  const { data, body } = readFrontMatter(text);
  const name = data.name;
  if (name === undefined || name === null || name === '') fail('name is required');
  if (typeof name !== 'string') fail('name must be text');
  if (name.length > SKILL_NAME_MAX) fail(`name must be at most ${SKILL_NAME_MAX} characters`);
  if (!SKILL_NAME.test(name))
    fail(`name "${name}" must use lower-case letters, digits and single hyphens, not at the start or end`);
  if (name !== folderName) fail(`name "${name}" must match its folder's name "${folderName}"`);
  const description = data.description;
  if (description === undefined || description === null) fail('description is required');
  if (typeof description !== 'string' || description.trim() === '') fail('description must be non-empty text');
  if (description.length > SKILL_DESCRIPTION_MAX)
    fail(`description must be at most ${SKILL_DESCRIPTION_MAX} characters`);
  const disabled = optionalBoolean(data, 'disable-model-invocation');
  const userInvocable = optionalBoolean(data, 'user-invocable');
  return {
    name,
    description: description.trim(),
    license: optionalString(data, 'license'),
    compatibility: optionalString(data, 'compatibility', COMPATIBILITY_MAX),
    metadata: metadataOf(data.metadata),
    allowedTools: splitAllowedTools(data['allowed-tools']),
    arguments: skillArguments(data.arguments ?? data.parameters),
    whenToUse: optionalString(data, 'when_to_use') ?? optionalString(data, 'when-to-use'),
    modelInvocable: disabled !== true,
    userInvocable: userInvocable !== false,
    body: body.trim(),
  };
}

/**
 * An `allowed-tools` entry as one of our permission rules: `Bash(git status:*)` → `allow bash(git status*)`. Claude
 * Code's `:*` (any arguments) is our `*`.
 */
export function allowRuleFor(entry: string): string {
  const match = /^([^()\s]+)(?:\((.*)\))?$/s.exec(entry.trim());
  if (!match) throw new SkillFileError(`"${entry}" is not a tool name or TOOL(PATTERN)`);
  const tool = ourToolName(match[1]!);
  const pattern = match[2]?.replace(/:\*$/, '*');
  return pattern === undefined ? `allow ${tool}` : `allow ${tool}(${pattern})`;
}
