import { readFile } from 'node:fs/promises';
import { Hono } from 'hono';
import { z } from 'zod';
import { writeFileAtomic } from '../workspace/atomic-write';
import type { ServerContext } from './context';
import { readBody } from './validate';

const Body = z.strictObject({ content: z.string().max(256 * 1024) });

/** .boxagnts/AGENTS.md: the workspace's notes for the agent, added to every system prompt. */
export function agentsMdRoutes(ctx: ServerContext): Hono {
  const file = ctx.workspace.paths.agentsFile;
  return new Hono()
    .get('/', async (c) => c.json({ content: await readFile(file, 'utf8').catch(() => '') }))
    .put('/', async (c) => {
      const { content } = await readBody(c, Body);
      await writeFileAtomic(file, content);
      return c.json({ content });
    });
}
