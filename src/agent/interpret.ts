import type { EventInterpreter, StoredEvent } from '../workspace/sessions';

/** How the session store reads run events: which are messages, and which user message names the session. */
export const runEventInterpreter: EventInterpreter = {
  isMessage: (event: StoredEvent) =>
    (event.type === 'message.user' && event.synthetic !== true) || event.type === 'message.completed',
  // A skill the user ran (`/code-review src/a.ts`) names the session as typed, not by the instructions it expanded to.
  titleHint: (event: StoredEvent) => {
    if (event.type !== 'message.user' || event.synthetic === true) return undefined;
    if (typeof event.command === 'string') return event.command;
    return typeof event.text === 'string' ? event.text : undefined;
  },
};
