import { Hono } from 'hono';
import type { UserCommand } from '../contract/commands';
import type { ServerContext } from './context';

/** What the composer completes after `/`: the skills the user may run, and the ready MCP servers' prompts. */
export function commandRoutes(ctx: ServerContext): Hono {
  return new Hono().get('/', async (c) => {
    const skills = (await ctx.runtime.skills.loaded())
      .filter((skill) => skill.userInvocable)
      .map((skill): UserCommand => ({
        name: skill.name,
        kind: 'skill',
        description: skill.description,
        arguments: skill.arguments,
      }));
    const prompts = (await ctx.runtime.mcp.promptCommands()).map((prompt): UserCommand => ({
      ...prompt,
      kind: 'mcp-prompt',
    }));
    return c.json({ commands: [...skills, ...prompts] });
  });
}
