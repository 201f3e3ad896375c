import type { FileChange } from '@contract/files';
import { onGlobalEvents } from '../lib/global-events';

/**
 * Calls `onChanges` with every batch of changes to the folders the page has listed. After a server restart the
 * server watches nothing any more and events may have been missed, so that counts as "everything may have changed".
 */
export function watchFileChanges(onChanges: (changes: FileChange[], truncated: boolean) => void): () => void {
  return onGlobalEvents({
    onEvent: (event) => {
      if (event.type === 'file.changed') onChanges(event.changes, event.truncated);
    },
    onRestart: () => onChanges([], true),
  });
}
