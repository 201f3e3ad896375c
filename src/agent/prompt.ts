import type { Tool } from '../tools/tool';

export interface PromptContext {
  /** The workspace folder's name only: a host path never goes to a provider. */
  workspaceName: string;
  date: Date;
  platform: string;
  tools: readonly Pick<Tool, 'name' | 'permissionLevel'>[];
  /** Contents of .boxagnts/AGENTS.md, if any. */
  agentsMd: string;
}

/** The system prompt: who the agent is, where it works, how to use its tools, and the workspace's own notes. */
export function buildSystemPrompt(ctx: PromptContext): string {
  const sections = [
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
      '- Some calls need the user\'s approval; a denied call means the user does not want it. Do not try to get around a denial.',
      '- Your final answer to the user is always plain text (Markdown allowed), never only a tool call.',
      ctx.tools.length ? `- Available tools: ${ctx.tools.map((t) => `${t.name} (${t.permissionLevel})`).join(', ')}.` : '- No tools are available in this run.',
    ].join('\n'),
  ];
  const notes = ctx.agentsMd.trim();
  if (notes) sections.push(`# Workspace notes (AGENTS.md)\nThe user keeps these notes for you. Follow them.\n\n${notes}`);
  return sections.join('\n\n');
}
