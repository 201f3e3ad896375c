import { readFile } from 'node:fs/promises';
import { Hono } from 'hono';
import { type AgentsMd, AgentsMdUpdateSchema } from '../contract/workspace';
import { writeFileAtomic } from '../workspace/atomic-write';
import type { ServerContext } from './context';
import { readBody } from './validate';

/** .boxagnts/AGENTS.md: the workspace's notes for the agent, added to every system prompt. */
export function agentsMdRoutes(ctx: ServerContext): Hono {
  const file = ctx.workspace.paths.agentsFile;
  return new Hono()
    .get('/', async (c) => c.json({ content: await readFile(file, 'utf8').catch(() => '') } satisfies AgentsMd))
    .put('/', async (c) => {
      const { content } = await readBody(c, AgentsMdUpdateSchema);
      await writeFileAtomic(file, content);
      return c.json({ content } satisfies AgentsMd);
    });
}
