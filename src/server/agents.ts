import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { AGENT_NAME, type AgentList, AgentSaveBodySchema, type RunningAgents } from '../contract/agents';
import { branchFor, mergeWorktree, removeWorktree, WorktreeError } from '../agent/orchestration/worktree';
import { FrontMatterError } from '../workspace/front-matter';
import { SESSION_ID } from '../workspace/sessions';
import type { ServerContext } from './context';
import { ApiError } from './errors';
import { readBody } from './validate';

/**
 * Agent types (listed with the files that failed; the workspace's own written and removed), the child runs going on
 * (stopped from here), and the worktrees children kept (merged into the checkout or discarded).
 */
export function agentRoutes(ctx: ServerContext): Hono {
  const { agentTypes, orchestrator, sessions, runner } = ctx.runtime;
  const { paths } = ctx.workspace;
  const agentName = (name: string) => {
    if (!AGENT_NAME.test(name))
      throw new ApiError(400, 'invalid_agent_name', 'Agent names use lower-case letters, digits and hyphens.');
    return name;
  };
  /** A child whose worktree is kept: its session says which session started it. */
  const keptWorktree = (id: string) => {
    const spawnedBy = SESSION_ID.test(id) ? sessions.get(id)?.spawnedBy : undefined;
    const path = join(paths.worktreesDir, id);
    if (!spawnedBy || !existsSync(path))
      throw new ApiError(404, 'worktree_not_found', `No kept worktree of agent ${id}.`);
    return { path, branch: branchFor(id), parentSessionId: spawnedBy.sessionId };
  };
  const gitFailure = (error: unknown) => {
    if (error instanceof WorktreeError) throw new ApiError(409, 'git_failed', error.message);
    throw error;
  };
  return new Hono()
    .get('/', async (c) => c.json((await agentTypes.list()) satisfies AgentList))
    .get('/running', (c) => c.json({ children: orchestrator.list() } satisfies RunningAgents))
    .post('/children/:id/stop', (c) => c.json({ stopped: orchestrator.cancel(c.req.param('id')) }))
    .post('/children/:id/merge', async (c) => {
      const kept = keptWorktree(c.req.param('id'));
      await mergeWorktree(paths.root, kept.path, kept.branch).catch(gitFailure);
      await runner.record(kept.parentSessionId, {
        type: 'agent.worktree',
        childId: c.req.param('id'),
        action: 'merged',
      });
      return c.json({ merged: kept.branch });
    })
    .post('/children/:id/discard', async (c) => {
      const kept = keptWorktree(c.req.param('id'));
      await removeWorktree(paths.root, kept.path, kept.branch).catch(gitFailure);
      await runner.record(kept.parentSessionId, {
        type: 'agent.worktree',
        childId: c.req.param('id'),
        action: 'discarded',
      });
      return c.json({ discarded: kept.branch });
    })
    .put('/:name', async (c) => {
      const name = agentName(c.req.param('name'));
      const body = await readBody(c, AgentSaveBodySchema);
      try {
        return c.json(await agentTypes.save(name, body));
      } catch (error) {
        if (error instanceof FrontMatterError) throw new ApiError(400, 'invalid_agent', error.message);
        throw error;
      }
    })
    .delete('/:name', async (c) => {
      const name = agentName(c.req.param('name'));
      if (!(await agentTypes.remove(name)))
        throw new ApiError(404, 'agent_not_found', `This workspace has no agent file ${name}.md.`);
      return c.json({ deleted: name });
    });
}
