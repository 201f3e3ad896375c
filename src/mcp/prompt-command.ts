import { mcpToolName } from './names';

/** The chat command that runs a server's prompt: `/mcp__SERVER__PROMPT`, named like its tools. */
export function promptCommand(server: string, prompt: string): string {
  return `/${mcpToolName(server, prompt)}`;
}

/** `/mcp__SERVER__NAME rest`: the server, the command's name part and the rest of the line; undefined otherwise. */
export function parsePromptCommand(text: string): { server: string; command: string; rest: string } | undefined {
  const match = /^\/(mcp__([a-z0-9][a-z0-9_-]*?)__[A-Za-z0-9_-]+)(?:\s+([\s\S]*))?$/.exec(text.trim());
  return match ? { command: `/${match[1]!}`, server: match[2]!, rest: match[3]?.trim() ?? '' } : undefined;
}

/**
 * A prompt's arguments from the rest of the command line: `key=value` pairs by name, other words in the order the
 * prompt declares its arguments.
 */
export function promptArguments(rest: string, declared: readonly { name: string }[]): Record<string, string> {
  const args: Record<string, string> = {};
  const positional: string[] = [];
  for (const word of rest.match(/"[^"]*"|'[^']*'|\S+/g) ?? []) {
    const unquoted = word.replace(/^(["'])(.*)\1$/, '$2');
    const pair = /^([A-Za-z_][\w-]*)=(.*)$/.exec(unquoted);
    if (pair && declared.some((d) => d.name === pair[1])) args[pair[1]!] = pair[2]!;
    else positional.push(unquoted);
  }
  for (const arg of declared) if (!(arg.name in args) && positional.length) args[arg.name] = positional.shift()!;
  return args;
}
