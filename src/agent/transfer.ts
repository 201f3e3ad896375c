import { z } from 'zod';
import { EventSchema, type StampedEvent } from '../contract/events';
import type { ExportFinding } from '../contract/sessions';
import { REDACTED, type Redactor, mapStrings, replaceSpans } from '../models/redaction';
import { type ToolResult, resultText } from '../tools/tool';
import type { LoadedSession, StoredEvent } from '../workspace/sessions';

export const EXPORT_FORMAT = 'boxagnts.session';

/** Thrown when an event id does not name a message the session can be forked at. */
export class ForkPointError extends Error {
  override readonly name = 'ForkPointError';
}

/**
 * The events a fork starts with: everything up to the chosen message, and for an assistant message also the results
 * of the tools it called. Usage stays with the original session, so costs are not counted twice.
 */
export function forkEvents(events: readonly StampedEvent[], eventId: number): StampedEvent[] {
  const at = events.findIndex((e) => e.id === eventId);
  const point = events[at];
  if (!point || (point.type !== 'message.user' && point.type !== 'message.completed')) {
    throw new ForkPointError(`event ${eventId} is not a message of this session`);
  }
  const callIds = new Set(point.type === 'message.completed' ? point.toolCalls.map((c) => c.callId) : []);
  return events.filter(
    (e, i) =>
      e.type !== 'usage' &&
      e.type !== 'model.retry' &&
      (i <= at || ((e.type === 'tool.started' || e.type === 'tool.completed') && callIds.has(e.callId))),
  );
}

/** Characters of context on each side of a secret in a finding's excerpt. */
const EXCERPT_CONTEXT = 40;

/** The text around the replacement at `at`, on one line, with an ellipsis where it is cut. */
function excerpt(text: string, at: number): string {
  const start = Math.max(0, at - EXCERPT_CONTEXT);
  const end = Math.min(text.length, at + REDACTED.length + EXCERPT_CONTEXT);
  const around = text.slice(start, end).replace(/\s+/g, ' ');
  return `${start > 0 ? '…' : ''}${around}${end < text.length ? '…' : ''}`;
}

/** Image data is kept as it is: base64 holds no text to recognise a secret in, only chances to mistake one. */
function redactEvent(event: StampedEvent, redact: (text: string) => string): StampedEvent {
  if (event.type !== 'tool.completed') return mapStrings(event, redact);
  const { result, ...rest } = event;
  const { content, ...resultRest } = result;
  if (typeof content === 'string') return mapStrings(event, redact);
  return {
    ...mapStrings(rest, redact),
    result: {
      ...mapStrings(resultRest, redact),
      content: content.map((block) => (block.type === 'image' ? block : mapStrings(block, redact))),
    },
  };
}

/**
 * The session as it may leave the workspace, in any format: its title and every string of its events redacted as
 * exports are (`Redactor.findForExport`), and what that took out, once per event, kind and excerpt, in event order.
 */
export function redactForExport(
  session: LoadedSession,
  redactor: Redactor,
): { session: LoadedSession; findings: ExportFinding[] } {
  const findings = new Map<string, ExportFinding>();
  const redactIn = (event: StampedEvent | null) => (text: string) => {
    const spans = redactor.findForExport(text);
    if (spans.length === 0) return text;
    const redacted = replaceSpans(text, spans);
    spans.forEach((span, i) => {
      const finding = {
        kind: span.kind,
        excerpt: excerpt(redacted.text, redacted.at[i]!),
        eventId: event?.id ?? null,
        eventType: event?.type ?? null,
      };
      findings.set(JSON.stringify(finding), finding);
    });
    return redacted.text;
  };
  const title = redactIn(null)(session.summary.title);
  const events = session.events.map((event) => redactEvent(event, redactIn(event)));
  return { session: { ...session, summary: { ...session.summary, title }, events }, findings: [...findings.values()] };
}

export function exportJson(session: LoadedSession): unknown {
  const { header, summary, events } = session;
  return {
    format: EXPORT_FORMAT,
    version: 1,
    exportedAt: new Date().toISOString(),
    session: {
      id: header.id,
      title: summary.title,
      createdAt: header.createdAt,
      ...(header.parent ? { parent: header.parent } : {}),
    },
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
  const out = [
    `# ${session.summary.title}`,
    '',
    `_Exported from boxagnts on ${new Date().toISOString().slice(0, 10)} (session ${session.header.id})._`,
  ];
  const results = new Map<string, ToolResult>();
  for (const e of session.events) if (e.type === 'tool.completed') results.set(e.callId, e.result);
  for (const e of session.events) {
    if (e.type === 'message.user' && e.synthetic !== true) out.push('', '## User', '', e.text);
    if (e.type === 'message.completed') {
      out.push('', `## Assistant · ${e.model}`);
      if (e.text) out.push('', e.text);
      if (e.interrupted) out.push('', '_(interrupted)_');
      for (const call of e.toolCalls) {
        out.push('', `**Tool call \`${call.name}\`**`, '', fence(JSON.stringify(call.input, null, 2), 'json'));
        const result = results.get(call.callId);
        if (result) {
          const text = resultText(result);
          const shown =
            text.length > RESULT_PREVIEW
              ? `${text.slice(0, RESULT_PREVIEW)}\n… (${text.length - RESULT_PREVIEW} more characters)`
              : text;
          out.push('', result.isError ? 'Error:' : 'Result:', '', fence(shown));
        }
      }
    }
    if (e.type === 'run.completed' && e.status !== 'finished')
      out.push('', `_Run ended: ${e.status}${e.error?.message ? ` — ${e.error.message}` : ''}_`);
  }
  return `${out.join('\n')}\n`;
}

const StampedShape = z.looseObject({
  id: z.number().int().positive(),
  type: z.string().min(1),
  time: z.string().min(1),
});

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
  if (!parsed.success)
    throw new ImportError(
      `not a boxagnts session export: ${parsed.error.issues[0]!.message} at "${parsed.error.issues[0]!.path.join('.')}"`,
    );
  let lastId = 0;
  const events = parsed.data.events.map((raw, index) => {
    const stamp = StampedShape.safeParse(raw);
    if (!stamp.success || !EventSchema.safeParse(raw).success)
      throw new ImportError(`event ${index} is not a valid session event`);
    if (stamp.data.id <= lastId)
      throw new ImportError(`event ${index} has id ${stamp.data.id}, which does not increase`);
    lastId = stamp.data.id;
    return stamp.data;
  });
  return {
    title: parsed.data.session.title,
    ...(parsed.data.session.id ? { importedFrom: parsed.data.session.id } : {}),
    events,
  };
}
