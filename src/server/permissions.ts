import { Hono } from 'hono';
import { sessionStateFrom } from '../agent/session-state';
import { InteractionReplySchema } from '../contract/interactions';
import { type PermissionsOverview, SessionModeBodySchema } from '../contract/permissions';
import type { SessionStateView } from '../contract/sessions';
import { InteractionNotFoundError, InteractionReplyError } from '../permissions/approvals';
import { SESSION_ID } from '../workspace/sessions';
import type { ServerContext } from './context';
import { ApiError } from './errors';
import { readBody } from './validate';

/** The approvals inbox, the answers to it, and the permission state of sessions and the workspace. */
export function permissionRoutes(ctx: ServerContext): Hono {
  const { broker, runner, sessions, archive } = ctx.runtime;
  const { grants, settings } = ctx.workspace;
  const app = new Hono();

  const sessionId = (id: string, store = sessions) => {
    if (!SESSION_ID.test(id) || !store.get(id))
      throw new ApiError(404, 'session_not_found', `There is no session ${id}.`);
    return id;
  };

  app.get('/interactions', (c) => c.json({ interactions: broker.list(c.req.query('sessionId')) }));

  app.post('/interactions/:id', async (c) => {
    const id = c.req.param('id');
    const reply = await readBody(c, InteractionReplySchema);
    try {
      return c.json({ answered: broker.reply(id, reply).id });
    } catch (error) {
      if (error instanceof InteractionNotFoundError) throw new ApiError(404, 'interaction_not_found', error.message);
      if (error instanceof InteractionReplyError)
        throw new ApiError(400, 'invalid_request', error.message, { field: 'kind' });
      throw error;
    }
  });

  app.get('/permissions', (c) => {
    const s = settings.get();
    return c.json({
      mode: s.permissions.mode,
      rules: s.permissions.rules,
      grants: [...grants.list()],
    } satisfies PermissionsOverview);
  });

  app.delete('/permissions/grants/:id', async (c) => {
    if (!(await grants.revoke(c.req.param('id'))))
      throw new ApiError(404, 'grant_not_found', 'There is no such grant; it may have been revoked already.');
    return c.json({ revoked: c.req.param('id') });
  });

  /** A session's permission mode, task list, grants and waiting requests. */
  app.get('/sessions/:id/state', async (c) => {
    const id = c.req.param('id');
    // Archived sessions have a state to read too (their task list, say); only changing it waits for a restore.
    const store = SESSION_ID.test(id) && archive.get(id) ? archive : sessions;
    sessionId(id, store);
    const state = sessionStateFrom((await store.read(id)).events);
    return c.json({
      mode: state.mode,
      workspaceMode: settings.get().permissions.mode,
      todos: state.todos,
      grants: state.grants.map((g) => ({ id: g.id, rule: g.rule.text })),
      // A child's requests show in its parent's chat too: they block the parent's `agent` call.
      interactions: [id, ...ctx.runtime.orchestrator.descendants(id)].flatMap((session) => broker.list(session)),
      agentType: state.agentType,
      skillGrants: runner.handle(id)?.skillGrants() ?? [],
    } satisfies SessionStateView);
  });

  app.put('/sessions/:id/mode', async (c) => {
    const id = sessionId(c.req.param('id'));
    const { mode } = await readBody(c, SessionModeBodySchema);
    await runner.record(id, { type: 'session.mode', mode, previous: null, by: 'user' });
    return c.json({ mode });
  });

  app.delete('/sessions/:id/grants/:grantId', async (c) => {
    const id = sessionId(c.req.param('id'));
    const grantId = c.req.param('grantId');
    const state = sessionStateFrom((await sessions.read(id)).events);
    if (!state.grants.some((g) => g.id === grantId))
      throw new ApiError(404, 'grant_not_found', 'This session has no such grant.');
    await runner.record(id, { type: 'grant.revoked', grantId });
    return c.json({ revoked: grantId });
  });

  return app;
}
