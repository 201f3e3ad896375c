import { isRecord } from './coerce';
import type { TextCallFailure } from './extract';

/** What the prompt needs of a tool (a `Tool` fits). */
export interface DescribedTool {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: Record<string, unknown>;
}

/** A description is cut to its first sentence, and to this many characters. */
const DESCRIPTION_CHARS = 160;

/**
 * The tools for a model that has no native tool calling, for its system prompt: each tool on one line (name, first
 * sentence, parameters with types, `*` for required ones) and the one way to call them. Short on purpose: small
 * models have small contexts, and the full JSON Schema would cost more than it helps.
 */
export function toolsPrompt(tools: readonly DescribedTool[]): string {
  if (tools.length === 0) return '';
  return [
    '# Tools',
    'You can call these tools. Parameters are listed as name: type; * marks a required one.',
    ...tools.map((tool) => `- ${tool.name}(${parameters(tool.inputSchema)}): ${firstSentence(tool.description)}`),
    '',
    'To call a tool, answer with exactly this, one block per call:',
    '<tool_call>{"name": "TOOL", "arguments": {"PARAMETER": "value"}}</tool_call>',
    'The arguments are one JSON object. You may write a sentence before the calls, nothing after them. The results come back in the next user message; then go on, or answer the user in plain text when no tool is needed.',
  ].join('\n');
}

/**
 * A message telling the model which of its calls could not be run and why, to send back in place of their results.
 * Each reason names the tool and what was wrong, so the model can write the call again.
 */
export function failuresMessage(failures: readonly TextCallFailure[]): string {
  const lines = failures.map((f) => `- ${f.reason}`);
  return [
    `${failures.length === 1 ? 'A tool call' : 'Some tool calls'} in your answer could not be run:`,
    ...lines,
    'Write the call again as <tool_call>{"name": "TOOL", "arguments": {...}}</tool_call>.',
  ].join('\n');
}

function firstSentence(text: string): string {
  const line = text.trim().split('\n')[0]!;
  // The stop after an abbreviation ("e.g.") does not end a sentence.
  const sentence = /^.*?(?<!\b(?:e\.g|i\.e|etc|vs))[.!?](?=\s|$)/.exec(line)?.[0] ?? line;
  return sentence.length > DESCRIPTION_CHARS ? `${sentence.slice(0, DESCRIPTION_CHARS - 1)}…` : sentence;
}

function parameters(schema: Record<string, unknown>, depth = 0): string {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required : [];
  return Object.entries(properties)
    .map(([key, property]) => `${key}${required.includes(key) ? '*' : ''}: ${typeOf(property, depth)}`)
    .join(', ');
}

/** A schema's type in a few characters: `string`, `integer`, `string[]`, `"a"|"b"`, `object`. */
function typeOf(schema: unknown, depth = 0): string {
  if (!isRecord(schema)) return 'any';
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join('|');
  const type = schema.type;
  if (type === 'array') {
    const item = depth < 2 ? typeOf(schema.items, depth + 1) : 'any';
    return item.includes('|') && !item.startsWith('{') ? `(${item})[]` : `${item}[]`;
  }
  if (type === 'object' && isRecord(schema.properties) && depth < 2) return `{${parameters(schema, depth + 1)}}`;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.filter((t) => t !== 'null').join('|');
  const branches = [schema.anyOf, schema.oneOf].flatMap((b) => (Array.isArray(b) ? b : []));
  return branches.length ? branches.map((b) => typeOf(b, depth + 1)).join('|') : 'any';
}
