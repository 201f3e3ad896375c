import { z } from 'zod';
import { type ToolResult, resultText } from '../tools/tool';
import type { LoadedSession, StoredEvent } from '../workspace/sessions';
import { RunEventSchema, type RunEventOf, SessionEventSchema } from './events';

export const EXPORT_FORMAT = 'boxagnts.session';

/** Thrown when an event id does not name a message the session can be forked at. */
export class ForkPointError extends Error {
  override readonly name = 'ForkPointError';
}

/**
 * The events a fork starts with: everything up to the chosen message, and for an assistant message also the results
 * of the tools it called. Usage stays with the original session, so costs are not counted twice.
 */
export function forkEvents(events: readonly StoredEvent[], eventId: number): StoredEvent[] {
  const at = events.findIndex((e) => e.id === eventId);
  const point = events[at];
  if (!point || (point.type !== 'message.user' && point.type !== 'message.completed')) {
    throw new ForkPointError(`event ${eventId} is not a message of this session`);
  }
  const callIds = new Set(point.type === 'message.completed' ? (point as unknown as RunEventOf<'message.completed'>).toolCalls.map((c) => c.callId) : []);
  return events.filter(
    (e, i) => e.type !== 'usage' && e.type !== 'model.retry' && (i <= at || ((e.type === 'tool.started' || e.type === 'tool.completed') && callIds.has(String(e.callId)))),
  );
}

export function exportJson(session: LoadedSession): unknown {
  const { header, summary, events } = session;
  return {
    format: EXPORT_FORMAT,
    version: 1,
    exportedAt: new Date().toISOString(),
    session: { id: header.id, title: summary.title, createdAt: header.createdAt, ...(header.parent ? { parent: header.parent } : {}) },
    events,
  };
}

const fence = (text: string, lang = '') => {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${lang}\n${text}\n${ticks}`;
};

const RESULT_PREVIEW = 4000;

/** A readable transcript: the messages, each tool call with its input and (shortened) result. */
export function exportMarkdown(session: LoadedSession): string {
  const out = [`# ${session.summary.title}`, '', `_Exported from boxagnts on ${new Date().toISOString().slice(0, 10)} (session ${session.header.id})._`];
  const results = new Map<string, ToolResult>();
  for (const e of session.events) if (e.type === 'tool.completed') results.set(String(e.callId), e.result as ToolResult);
  for (const e of session.events) {
    if (e.type === 'message.user' && e.synthetic !== true) out.push('', '## User', '', String(e.text));
    if (e.type === 'message.completed') {
      const m = e as unknown as RunEventOf<'message.completed'>;
      out.push('', `## Assistant · ${m.model}`);
      if (m.text) out.push('', m.text);
      if (m.interrupted) out.push('', '_(interrupted)_');
      for (const call of m.toolCalls) {
        out.push('', `**Tool call \`${call.name}\`**`, '', fence(JSON.stringify(call.input, null, 2), 'json'));
        const result = results.get(call.callId);
        if (result) {
          const text = resultText(result);
          const shown = text.length > RESULT_PREVIEW ? `${text.slice(0, RESULT_PREVIEW)}\n… (${text.length - RESULT_PREVIEW} more characters)` : text;
          out.push('', result.isError ? 'Error:' : 'Result:', '', fence(shown));
        }
      }
    }
    if (e.type === 'run.completed' && e.status !== 'finished') {
      const error = e.error as { message?: string } | undefined;
      out.push('', `_Run ended: ${String(e.status)}${error?.message ? ` — ${error.message}` : ''}_`);
    }
  }
  return `${out.join('\n')}\n`;
}

const StampedShape = z.looseObject({ id: z.number().int().positive(), time: z.string().min(1) });

const ImportSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(1),
  session: z.object({ id: z.string().max(100).optional(), title: z.string().min(1).max(200) }),
  events: z.array(z.unknown()).max(1_000_000),
});

export class ImportError extends Error {
  override readonly name = 'ImportError';
}

/** Validates an exported session: every event must be one this version knows, with increasing ids. */
export function parseImport(data: unknown): { title: string; importedFrom?: string; events: StoredEvent[] } {
  const parsed = ImportSchema.safeParse(data);
  if (!parsed.success) throw new ImportError(`not a boxagnts session export: ${parsed.error.issues[0]!.message} at "${parsed.error.issues[0]!.path.join('.')}"`);
  let lastId = 0;
  const events = parsed.data.events.map((raw, index) => {
    const stamp = StampedShape.safeParse(raw);
    const body = RunEventSchema.safeParse(raw);
    const sessionEvent = SessionEventSchema.safeParse(raw);
    if (!stamp.success || (!body.success && !sessionEvent.success)) throw new ImportError(`event ${index} is not a valid session event`);
    if (stamp.data.id <= lastId) throw new ImportError(`event ${index} has id ${stamp.data.id}, which does not increase`);
    lastId = stamp.data.id;
    return raw as StoredEvent;
  });
  return { title: parsed.data.session.title, ...(parsed.data.session.id ? { importedFrom: parsed.data.session.id } : {}), events };
}
