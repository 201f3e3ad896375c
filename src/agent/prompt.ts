import type { Tool } from '../tools/tool';
import type { PromptPart } from './run-spec';

export interface BaseContext {
  /** The workspace folder's name only: a host path never goes to a provider. */
  workspaceName: string;
  date: Date;
  platform: string;
  /** A small context window: the same rules in a few lines. */
  compact?: boolean;
}

/** The base of every system prompt: who the agent is, where it works, and how to use tools. */
export function basePromptPart(ctx: BaseContext): PromptPart {
  if (ctx.compact) return { kind: 'base', text: compactBase(ctx) };
  const text = [
    `You are boxagnts, an AI agent working for the user inside one project folder on their machine. You help with software and technical work: reading and changing files, running commands, researching, explaining and planning. Be direct and precise. Do what was asked, no more; when a request is ambiguous in a way that matters, ask.`,
    [
      '# Environment',
      `- Workspace: "${ctx.workspaceName}". Inside your tools the workspace is the root folder "/"; paths are relative to it.`,
      `- Today's date: ${ctx.date.toISOString().slice(0, 10)}.`,
      `- Platform: ${ctx.platform}.`,
      '- Tools that touch files, run commands or fetch URLs run in a sandbox with limits on time, memory and network. A tool that refuses or hits a limit says why; adapt instead of repeating the same call.',
    ].join('\n'),
    [
      '# Using tools',
      '- Call tools when they help; several independent read-only calls may be made in one step and run in parallel.',
      '- Read before you change anything, and keep changes small and focused.',
      '- A tool result that is an error is information: read it and change your approach.',
      "- Some calls need the user's approval; a denied call means the user does not want it. Do not try to get around a denial.",
      '- Your final answer to the user is always plain text (Markdown allowed), never only a tool call.',
    ].join('\n'),
  ].join('\n\n');
  return { kind: 'base', text };
}

function compactBase(ctx: BaseContext): string {
  return [
    `You are boxagnts, an AI agent working in the user's project "${ctx.workspaceName}" (the folder "/" in your tools). Today is ${ctx.date.toISOString().slice(0, 10)}.`,
    '- Do what was asked, directly. Read before you change a file; keep changes small.',
    '- Tools run in a sandbox; an error or a denied call is information: adapt, do not repeat it.',
    '- End with a plain-text answer.',
  ].join('\n');
}

/** The workspace's own notes for the agent (.boxagnts/AGENTS.md), when it has any. */
export function agentsMdPart(notes: string): PromptPart | null {
  const text = notes.trim();
  return text
    ? {
        kind: 'agents-md',
        text: `# Workspace notes (AGENTS.md)\nThe user keeps these notes for you. Follow them.\n\n${text}`,
      }
    : null;
}

/**
 * The system prompt of a run: its parts in order, with the run's own tools named right after the base. Tools offered
 * by name only are named once, in tool_search's description, not again here.
 */
export function composeSystemPrompt(
  parts: readonly PromptPart[],
  tools: readonly Pick<Tool, 'name' | 'permissionLevel'>[],
  deferred: ReadonlySet<string> = new Set(),
): string {
  const offered = tools.filter((t) => !deferred.has(t.name));
  const more = deferred.size > 0 ? '\n- More tools are offered on request: tool_search finds them.' : '';
  const toolList = offered.length
    ? `- Available tools: ${offered.map((t) => `${t.name} (${t.permissionLevel})`).join(', ')}.${more}`
    : '- No tools are available in this run.';
  return parts
    .flatMap((part) => (part.kind === 'base' ? [part.text, `# Tools of this run\n${toolList}`] : [part.text]))
    .join('\n\n');
}
