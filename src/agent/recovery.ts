import type { RunEventOf, StampedEvent } from '../contract/events';
import type { Logger } from '../log';
import type { Redactor } from '../models/redaction';
import { type NewEvent, type SessionStore, SessionLockedError } from '../workspace/sessions';
import type { PartialText, PartialTextLog } from './partial-text';

/**
 * The events that close a session's run left open by a process that died: the message it was streaming, as far as
 * it got, and `run.completed` with status `interrupted`. Empty when every run in the session is closed.
 */
export function closingEvents(events: readonly StampedEvent[], partial: PartialText | undefined): NewEvent[] {
  const completed = new Set<string>();
  const messages = new Set<string>();
  let open: RunEventOf<'run.started'> | undefined;
  for (const event of events) {
    if (event.type === 'run.started') open = event;
    else if (event.type === 'run.completed') completed.add(event.runId);
    else if (event.type === 'message.completed') messages.add(event.messageId);
  }
  if (!open || completed.has(open.runId)) return [];
  const { runId, model } = open;
  const closing: NewEvent[] = [];
  if (partial && partial.runId === runId && partial.text !== '' && !messages.has(partial.messageId)) {
    closing.push({
      type: 'message.completed',
      runId,
      messageId: partial.messageId,
      model,
      text: partial.text,
      toolCalls: [],
      finishReason: 'interrupted',
      interrupted: true,
      modelMessage: { role: 'assistant', content: [{ type: 'text', text: partial.text }] },
    } satisfies RunEventOf<'message.completed'>);
  }
  const turns = events.filter((e) => e.type === 'message.completed' && e.runId === runId).length + closing.length;
  closing.push({ type: 'run.completed', runId, status: 'interrupted', turns } satisfies RunEventOf<'run.completed'>);
  return closing;
}

/**
 * Closes the runs that processes which died (a crash, kill -9, power loss) left open, found from the run locks they
 * left behind. Each session's lock is taken first, so two processes starting at once never close a run twice.
 */
export async function closeInterruptedRuns(
  sessions: SessionStore,
  partials: PartialTextLog,
  redactor: Redactor,
  logger: Logger,
): Promise<void> {
  for (const sessionId of await sessions.abandonedLocks()) {
    let unlock: () => Promise<void>;
    try {
      unlock = await sessions.lock(sessionId);
    } catch (error) {
      if (error instanceof SessionLockedError) continue;
      throw error;
    }
    try {
      const { events } = await sessions.read(sessionId);
      const closing = closingEvents(events, await partials.read(sessionId));
      if (closing.length > 0) {
        await sessions.append(
          sessionId,
          closing.map((event) => redactor.redactValue(event)),
        );
        logger.info({ sessionId, runId: closing.at(-1)!.runId }, 'closed a run interrupted by the end of its process');
      }
      partials.discard(sessionId);
    } catch (error) {
      logger.warn({ err: error, sessionId }, 'could not close the interrupted run of a session');
    } finally {
      await unlock();
    }
  }
}
