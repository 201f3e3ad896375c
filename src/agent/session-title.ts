import { generateText } from 'ai';
import type { RunEvent, SessionEvent } from '../contract/events';
import type { SessionSummary } from '../contract/sessions';
import type { Logger } from '../log';
import type { ResolvedModel } from '../models/providers';
import { usageEvent } from './usage-event';

const TITLE_SYSTEM =
  'You name chat sessions. Reply with a title of two to six words for the conversation you are shown, in its ' +
  'language: no quotes, no full stop, nothing else.';
/** Of the prompt and of the answer, the model is shown this much: enough to tell what the session is about. */
const EXCERPT_CHARS = 2000;
const TITLE_CHARS = 80;
/** Room for a short title, and for the thinking of a model that thinks first. */
const TITLE_MAX_OUTPUT = 300;
/** A title call that hangs is given up: the session keeps its title. */
const TITLE_TIMEOUT_MS = 60_000;

export interface TitleDeps {
  /** The session as the store has it now (its title's source decides whether it may be titled). */
  session(): Pick<SessionSummary, 'titleSource'> | undefined;
  /** Stores an event of the session, as the runner stores a run's. */
  record(event: RunEvent | SessionEvent): Promise<unknown>;
  logger: Logger;
}

export interface TitleRequest {
  sessionId: string;
  /** The run whose answer is titled: the title call's usage is counted with it. */
  runId: string;
  model: ResolvedModel;
  prompt: string;
  answer: string;
}

/**
 * Asks the session's model for a short title after its first answer, records what the call used, and gives the
 * session that title unless the user named it meanwhile. A failed call changes nothing: the prompt stays the title,
 * and the failure is only logged (at debug level; it is not the user's concern).
 */
export async function titleSession(deps: TitleDeps, request: TitleRequest): Promise<void> {
  const { sessionId, runId, model } = request;
  if (deps.session()?.titleSource === 'user') return;
  try {
    const result = await generateText({
      model: model.language,
      system: TITLE_SYSTEM,
      messages: [{ role: 'user', content: conversationText(request.prompt, request.answer) }],
      maxRetries: 0,
      maxOutputTokens: Math.min(TITLE_MAX_OUTPUT, model.info.maxOutput),
      abortSignal: AbortSignal.timeout(TITLE_TIMEOUT_MS),
    });
    await deps.record(usageEvent(runId, model, result.usage));
    const title = titleFrom(result.text);
    if (!title) throw new Error('the model answered no title');
    if (deps.session()?.titleSource !== 'user') await deps.record({ type: 'session.titled', title });
  } catch (error) {
    deps.logger.debug({ err: error, sessionId, model: model.id }, 'no title was generated for a session');
  }
}

function excerpt(text: string): string {
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

function conversationText(prompt: string, answer: string): string {
  return `The user wrote:\n\n${excerpt(prompt)}\n\nThe assistant answered:\n\n${excerpt(answer)}\n\nThe title:`;
}

/** The title in a model's answer: its first line, without thinking, a "Title:" label, quotes or a closing stop. */
export function titleFrom(text: string): string | null {
  const line = text
    .replace(/<think>[\s\S]*?<\/think>/g, '')
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  const bare = line
    ?.replace(/^(?:#+\s*|title\s*:\s*)/i, '')
    .replace(/^["'“‘«*_`]+|["'”’»*_`.!]+$/g, '')
    .trim();
  if (!bare) return null;
  return bare.length > TITLE_CHARS ? `${bare.slice(0, TITLE_CHARS - 1)}…` : bare;
}
