import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { StampedEventSchema } from '../../src/contract/events';
import { FileContentSchema, FileEntrySchema } from '../../src/contract/files';
import { GlobalEventSchema } from '../../src/contract/global-events';
import { InteractionSchema } from '../../src/contract/interactions';
import { ModelListSchema, ProvidersResponseSchema } from '../../src/contract/models';
import { PermissionsOverviewSchema } from '../../src/contract/permissions';
import {
  ExportPreviewSchema,
  SessionDetailSchema,
  SessionPageSchema,
  SessionStateViewSchema,
} from '../../src/contract/sessions';
import { SandboxOverviewSchema, SettingsSchema } from '../../src/contract/settings';
import { ToolListSchema } from '../../src/contract/tools';
import { UsageReportSchema } from '../../src/contract/usage';
import { HealthSchema } from '../../src/contract/workspace';
import { startChat } from '../helpers/chat';
import { connectSse } from '../helpers/sse';

/** What does not fit the schema, as paths and messages: empty when the value conforms. */
const misfits = (schema: z.ZodType, value: unknown) =>
  (schema.safeParse(value).error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);

describe('src/contract', () => {
  it('holds the shape of every answer and event the dashboard reads', async () => {
    const chat = await startChat();
    const { server } = chat;
    const global = await connectSse(`${server.url}/api/events`, { origin: server.url });
    await writeFile(join(server.workspaceDir, 'notes.md'), '# Notes\n');
    const id = await chat.newSession();
    const stream = await chat.events(id);
    chat.mock.enqueue(
      {
        text: 'Planning. ',
        toolCalls: [{ name: 'todo_write', input: { todos: [{ content: 'write the notes', status: 'in_progress' }] } }],
        usage: { inputTokens: 10, outputTokens: 5 },
      },
      { toolCalls: [{ name: 'write', input: { file_path: 'notes.md', content: '# Notes\n\nDone.\n' } }] },
      { text: 'Written.' },
    );
    const { body: started } = await chat.send(id, 'Write the notes');

    // The write asks first: the request is on the global stream, in the inbox and in the session's state.
    const opened = await global.waitFor((d) => d.type === 'interaction.opened');
    const get = async (path: string): Promise<any> => (await server.fetch(path)).json();
    expect(misfits(InteractionSchema, opened.data.interaction)).toEqual([]);
    expect(misfits(SessionStateViewSchema, await get(`/api/sessions/${id}/state`))).toEqual([]);
    const answer = await server.fetch(`/api/interactions/${opened.data.interaction.id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'approval', outcome: 'once' }),
    });
    expect(answer.status).toBe(200);
    await stream.waitFor((d) => d.type === 'run.completed' && d.runId === started.runId);
    await global.waitFor((d) => d.type === 'run.status' && !d.running);
    stream.close();
    global.close();

    const streamed = stream.messages.map((m) => m.data).filter((d) => d.type !== 'stream.open');
    expect(streamed.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'run.started',
        'message.user',
        'message.delta',
        'message.completed',
        'usage',
        'todos.updated',
        'tool.started',
        'tool.completed',
        'approval.requested',
        'approval.resolved',
        'run.completed',
      ]),
    );
    for (const event of streamed) expect(misfits(StampedEventSchema, event), event.type).toEqual([]);
    const globals = global.messages.map((m) => m.data).filter((d) => d.type !== 'stream.open');
    expect(globals.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'session.created',
        'session.updated',
        'run.status',
        'interaction.opened',
        'interaction.closed',
      ]),
    );
    for (const event of globals) expect(misfits(GlobalEventSchema, event), event.type).toEqual([]);

    const answers: [z.ZodType, string][] = [
      [HealthSchema, '/api/health'],
      [SettingsSchema, '/api/settings'],
      [SandboxOverviewSchema, '/api/sandbox'],
      [PermissionsOverviewSchema, '/api/permissions'],
      [ToolListSchema, '/api/tools'],
      [ProvidersResponseSchema, '/api/providers'],
      [ModelListSchema, '/api/models'],
      [SessionPageSchema, '/api/sessions'],
      [SessionDetailSchema, `/api/sessions/${id}`],
      [ExportPreviewSchema, `/api/sessions/${id}/export/preview`],
      [FileContentSchema, '/api/files/content?path=notes.md'],
      [UsageReportSchema, '/api/usage?groupBy=session'],
    ];
    for (const [schema, path] of answers) expect(misfits(schema, await get(path)), path).toEqual([]);
    const { entries } = await get('/api/files');
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(misfits(FileEntrySchema, entry)).toEqual([]);
  });
});
