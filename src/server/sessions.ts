import { Hono } from 'hono';
import { z } from 'zod';
import { sessionStateFrom } from '../agent/session-state';
import { exportJson, exportMarkdown, forkEvents, parseImport, redactForExport } from '../agent/transfer';
import {
  CreateSessionBodySchema,
  type ExportFormat,
  ExportFormatSchema,
  type ExportPreview,
  ForkSessionBodySchema,
  PinSessionBodySchema,
  RenameSessionBodySchema,
  SendMessageBodySchema,
  SessionAgentBodySchema,
  type SessionDetail,
  type SessionPage,
} from '../contract/sessions';
import { SESSION_ID, SessionLockedError, publicSummary } from '../workspace/sessions';
import type { ServerContext } from './context';
import { ApiError } from './errors';
import { eventStream, resumeAfter } from './sse';
import { parseInput, readBody, readJson } from './validate';

const EXTENSIONS: Record<ExportFormat, string> = { html: 'html', markdown: 'md', json: 'json' };
/** Findings the preview lists; past these it only counts them. */
const PREVIEW_LIMIT = 200;

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().regex(SESSION_ID).optional(),
  q: z.string().max(200).optional(),
  /** `true`: the archived sessions instead. */
  archived: z.enum(['true', 'false']).optional(),
  /** Only the runs of this scheduled job; `*`: of any job. */
  job: z.string().max(40).optional(),
});

export function sessionRoutes(ctx: ServerContext): Hono {
  const { sessions, archive, runner, hub, redactor } = ctx.runtime;
  const app = new Hono();

  /** The store that holds a session: the active one or the archive. */
  const locate = (id: string) => {
    if (SESSION_ID.test(id)) {
      if (sessions.get(id)) return sessions;
      if (archive.get(id)) return archive;
    }
    throw new ApiError(404, 'session_not_found', `There is no session ${id}.`);
  };
  /** A session that may change: archived ones are read-only until restored. */
  const sessionId = (id: string) => {
    if (locate(id) === archive)
      throw new ApiError(409, 'session_archived', `Session ${id} is archived; restore it to change it.`);
    return id;
  };
  /** The session and the child runs it started, at any depth: they are archived and restored together. */
  const family = (store: typeof sessions, id: string) => {
    const ids = [id];
    for (let i = 0; i < ids.length; i++)
      for (const s of store.all()) if (s.spawnedBy?.sessionId === ids[i] && !ids.includes(s.id)) ids.push(s.id);
    return ids;
  };
  const moveFamily = async (from: typeof sessions, to: typeof sessions, id: string) => {
    const ids = family(from, id);
    for (const member of ids) notWhileRunning(member, from === sessions ? 'archive' : 'restore');
    try {
      for (const member of ids) await from.transfer(member, to);
    } catch (error) {
      if (error instanceof SessionLockedError) throw new ApiError(409, 'run_in_progress', error.message);
      throw error;
    }
    return ids;
  };
  const knownAgentType = async (name: string) => {
    if (!(await ctx.runtime.agentTypes.get(name)))
      throw new ApiError(400, 'unknown_agent_type', `There is no agent type "${name}".`);
  };
  const notWhileRunning = (id: string, action: string) => {
    if (runner.isRunning(id))
      throw new ApiError(
        409,
        'run_in_progress',
        `Cannot ${action} a session while a run is going on; cancel it first.`,
      );
  };

  app.get('/', async (c) => {
    const query = parseInput(ListQuery, c.req.query());
    // Titles, and the messages through the search index.
    const hits = query.q?.trim() ? await ctx.runtime.search.search(query.q) : undefined;
    const matches = hits ? new Set(hits.keys()) : undefined;
    const store = query.archived === 'true' ? archive : sessions;
    const page = store.list({ limit: query.limit, cursor: query.cursor, query: query.q, matches, job: query.job });
    return c.json({
      ...page,
      sessions: page.sessions.map((s) => {
        const snippet = hits?.get(s.id);
        return { ...publicSummary(s, runner.isRunning(s.id)), ...(snippet ? { snippet } : {}) };
      }),
    } satisfies SessionPage);
  });

  app.post('/', async (c) => {
    const body = parseInput(CreateSessionBodySchema, c.req.header('content-length') === '0' ? {} : await readJson(c));
    if (body.agentType) await knownAgentType(body.agentType);
    const created = await sessions.create(body.title ? { title: body.title } : {});
    if (body.agentType) await runner.record(created.id, { type: 'session.agent', agentType: body.agentType });
    return c.json(publicSummary(sessions.get(created.id) ?? created, false), 201);
  });

  app.put('/:id/agent', async (c) => {
    const id = sessionId(c.req.param('id'));
    const { agentType } = await readBody(c, SessionAgentBodySchema);
    await sessions.read(id);
    if (agentType) await knownAgentType(agentType);
    await runner.record(id, { type: 'session.agent', agentType });
    return c.json({ agentType });
  });

  app.post('/import', async (c) => {
    // Run events are redacted as they are stored; an imported file (say, an export made before that) is not.
    const imported = redactor.redactValue(parseImport(await readJson(c)));
    const summary = await sessions.create({
      title: imported.title,
      events: imported.events,
      ...(imported.importedFrom ? { importedFrom: imported.importedFrom } : {}),
    });
    return c.json(publicSummary(summary, false), 201);
  });

  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    const loaded = await locate(id).read(id);
    const running = runner.runningSessions().find((r) => r.sessionId === id);
    return c.json({
      session: publicSummary(loaded.summary, Boolean(running)),
      runId: running?.runId ?? null,
      events: loaded.events,
      warnings: loaded.warnings,
    } satisfies SessionDetail);
  });

  app.patch('/:id', async (c) => {
    const id = sessionId(c.req.param('id'));
    const { title } = await readBody(c, RenameSessionBodySchema);
    return c.json(publicSummary(await sessions.rename(id, title), runner.isRunning(id)));
  });

  app.delete('/:id', async (c) => {
    const id = c.req.param('id');
    const store = locate(id);
    notWhileRunning(id, 'delete');
    await store.delete(id);
    return c.json({ deleted: id });
  });

  app.put('/:id/pin', async (c) => {
    const id = sessionId(c.req.param('id'));
    const { pinned } = await readBody(c, PinSessionBodySchema);
    return c.json(publicSummary(await sessions.pin(id, pinned), runner.isRunning(id)));
  });

  app.post('/:id/archive', async (c) => {
    const id = sessionId(c.req.param('id'));
    return c.json({ archived: await moveFamily(sessions, archive, id) });
  });

  app.post('/:id/restore', async (c) => {
    const id = c.req.param('id');
    if (locate(id) !== archive) throw new ApiError(409, 'not_archived', `Session ${id} is not archived.`);
    return c.json({ restored: await moveFamily(archive, sessions, id) });
  });

  app.post('/:id/clear', async (c) => {
    const id = sessionId(c.req.param('id'));
    notWhileRunning(id, 'clear');
    return c.json(publicSummary(await sessions.clear(id), false));
  });

  app.post('/:id/fork', async (c) => {
    const id = sessionId(c.req.param('id'));
    const { eventId } = await readBody(c, ForkSessionBodySchema);
    const source = await sessions.read(id);
    const events = forkEvents(source.events, eventId);
    const fork = await sessions.create({
      title: `${source.summary.title} (fork)`,
      parent: { sessionId: id, eventId },
      events,
    });
    return c.json(publicSummary(fork, false), 201);
  });

  /** The session as every export gets it: redacted as exports are, with what that took out. */
  const shareable = async (id: string) => redactForExport(await locate(id).read(id), redactor);

  app.get('/:id/export', async (c) => {
    const id = c.req.param('id');
    const format = ExportFormatSchema.safeParse(c.req.query('format') ?? 'json');
    if (!format.success) throw new ApiError(400, 'invalid_request', 'format must be "html", "markdown" or "json"');
    const { session } = await shareable(id);
    c.header('Content-Disposition', `attachment; filename="${id}.${EXTENSIONS[format.data]}"`);
    if (format.data === 'json') return c.json(exportJson(session));
    if (format.data === 'markdown')
      return c.body(exportMarkdown(session), 200, { 'Content-Type': 'text/markdown; charset=utf-8' });
    // Loaded on first use: the Markdown renderer is needed by nothing else on the server.
    const { exportHtml } = await import('../agent/export-html');
    return c.body(exportHtml(session), 200, { 'Content-Type': 'text/html; charset=utf-8' });
  });

  app.get('/:id/export/preview', async (c) => {
    const { findings } = await shareable(c.req.param('id'));
    return c.json({ findings: findings.slice(0, PREVIEW_LIMIT), total: findings.length } satisfies ExportPreview);
  });

  app.post('/:id/messages', async (c) => {
    const id = sessionId(c.req.param('id'));
    const { text, model, maxTurns } = await readBody(c, SendMessageBodySchema);
    const { events } = await sessions.read(id);
    const state = sessionStateFrom(events);
    const firstRun = !events.some((event) => event.type === 'run.started');
    // The dashboard is watching: a call that asks waits for an answer there.
    const spec = await ctx.runtime.workspaceSpec(
      {
        text,
        model,
        ...(maxTurns ? { limits: { maxTurns } } : {}),
        agentType: state.agentType ?? undefined,
        currentMode: state.mode ?? undefined,
      },
      { watched: true },
    );
    const title = firstRun && !spec.compact && ctx.workspace.settings.get().sessions.generateTitles;
    const { runId } = await runner.start(id, { ...spec, title });
    return c.json({ runId }, 202);
  });

  app.post('/:id/cancel', (c) => {
    const id = sessionId(c.req.param('id'));
    return c.json({ cancelled: runner.cancel(id) });
  });

  app.get('/:id/events', (c) =>
    eventStream(c, ctx, () => {
      const id = sessionId(c.req.param('id'));
      const after = resumeAfter(c);
      return (send) => hub.subscribe(id, after, send);
    }),
  );

  return app;
}
