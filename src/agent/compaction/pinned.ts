import type { StampedEvent } from '../../contract/events';
import { type FileAction, fileLedger } from '../file-ledger';

type Of<T extends StampedEvent['type']> = Extract<StampedEvent, { type: T }>;

/** The user's own words take at most this much of the pinned state; older messages are named by count. */
const USER_MESSAGES_BUDGET = 24_000;

/**
 * What the runtime itself keeps across a compaction, rebuilt from the stored events (never from the model's summary):
 * the user's messages verbatim (newest first, within a budget), the task list, the skills loaded, the permission
 * mode and plan, and a ledger of every file the tools read, wrote or edited.
 */
export function pinnedState(events: readonly StampedEvent[]): string {
  const sections: string[] = [];

  const users = events.filter((e): e is Of<'message.user'> => e.type === 'message.user' && !e.synthetic);
  const kept: string[] = [];
  let used = 0;
  for (const message of [...users].reverse()) {
    const text = message.command ?? message.text;
    if (used + text.length > USER_MESSAGES_BUDGET && kept.length > 0) break;
    kept.push(text);
    used += text.length;
  }
  if (users.length) {
    const older = users.length - kept.length;
    sections.push(
      `## The user's messages, verbatim (newest first)\n${kept.map((text, i) => `${i + 1}. ${text}`).join('\n\n')}${
        older ? `\n\n(${older} older message${older === 1 ? '' : 's'} not repeated here: see the summary.)` : ''
      }`,
    );
  }

  const todos = events.filter((e): e is Of<'todos.updated'> => e.type === 'todos.updated').at(-1)?.todos;
  if (todos?.length) sections.push(`## Task list\n${todos.map((t) => `- [${t.status}] ${t.content}`).join('\n')}`);

  const skills = new Map<string, string>();
  for (const event of events)
    if (event.type === 'tool.completed' && event.name === 'skill' && !event.result.isError) {
      const name = typeof event.result.metadata?.skill === 'string' ? event.result.metadata.skill : event.callId;
      skills.set(name, typeof event.result.content === 'string' ? event.result.content : '');
    }
  if (skills.size) sections.push(`## Skills loaded\n${[...skills.values()].join('\n\n')}`);

  const mode = events.filter((e): e is Of<'session.mode'> => e.type === 'session.mode').at(-1)?.mode;
  const plan = events
    .filter((e): e is Of<'approval.requested'> => e.type === 'approval.requested' && e.kind === 'plan')
    .at(-1)?.plan;
  sections.push(`## Permission mode\n${mode ?? "the workspace's"}${plan ? `\n\n## The plan\n${plan}` : ''}`);

  const ledger = fileLedger(events);
  if (ledger.size)
    sections.push(
      `## Files touched\n${[...ledger].map(([path, entries]) => `- ${path}: ${describe(entries)}`).join('\n')}`,
    );
  return sections.join('\n\n');
}

/** What happened to a file, each action once, in order: `read, edited, written (failed)`. */
function describe(entries: readonly { action: FileAction; failed: boolean }[]): string {
  return [...new Set(entries.map((e) => (e.failed ? `${e.action} (failed)` : e.action)))].join(', ');
}
