import type { StampedEvent } from '../contract/events';

/** Tools whose calls name the file they touch (`file_path`), and what a completed call did to it. */
const FILE_TOOLS: Readonly<Record<string, FileAction>> = { read: 'read', write: 'written', edit: 'edited' };

export type FileAction = 'read' | 'written' | 'edited';

/**
 * Every file a session's tool calls read, wrote or edited, from its stored events (never from what the model says
 * it did), in the order first touched, with what each completed call did to it and whether that call failed.
 */
export function fileLedger(events: readonly StampedEvent[]): Map<string, { action: FileAction; failed: boolean }[]> {
  const calls = new Map<string, { action: FileAction; path: string }>();
  const ledger = new Map<string, { action: FileAction; failed: boolean }[]>();
  for (const event of events) {
    if (event.type === 'tool.started' && FILE_TOOLS[event.name]) {
      const input = event.input;
      if (typeof input === 'object' && input !== null && 'file_path' in input && typeof input.file_path === 'string')
        calls.set(event.callId, { action: FILE_TOOLS[event.name]!, path: input.file_path });
    } else if (event.type === 'tool.completed') {
      const call = calls.get(event.callId);
      if (!call) continue;
      const entries = ledger.get(call.path) ?? [];
      entries.push({ action: call.action, failed: event.result.isError === true });
      ledger.set(call.path, entries);
    }
  }
  return ledger;
}

/** The files a session's write and edit calls changed, in the order first touched. */
export function filesChanged(events: readonly StampedEvent[]): string[] {
  return [...fileLedger(events)]
    .filter(([, entries]) => entries.some((e) => !e.failed && e.action !== 'read'))
    .map(([path]) => path);
}
