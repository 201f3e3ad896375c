import type { EventInterpreter, StoredEvent } from '../workspace/sessions';

/** How the session store reads run events: which are messages, and which user message names the session. */
export const runEventInterpreter: EventInterpreter = {
  isMessage: (event: StoredEvent) =>
    (event.type === 'message.user' && event.synthetic !== true) || event.type === 'message.completed',
  titleHint: (event: StoredEvent) =>
    event.type === 'message.user' && event.synthetic !== true && typeof event.text === 'string'
      ? event.text
      : undefined,
};
