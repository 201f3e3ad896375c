import { relative, sep } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import type { Logger } from 'pino';
import type { FileChange } from '../contract/files';

/** Changes are gathered this long and sent together: a `git checkout` must not become thousands of events. */
const BATCH_MS = 100;
/** Past this many changes in one batch, the batch says only that much changed (clients reload what they show). */
const MAX_BATCH = 500;
/** Folders watched at most; the least recently looked at stop being watched first. */
const MAX_FOLDERS = 500;

/** Temp files of atomic saves and uploads: their churn is no change anyone made. */
const OWN_TEMP = /\.[0-9a-f]{12}\.tmp$/;

/**
 * Watches the folders the dashboard is showing (one level each, so a huge tree costs nothing until it is opened) and
 * reports what changes in them, however it changed: the editor, the agent's tools, or anything else on the machine.
 */
export class FileWatcher {
  private readonly watcher: FSWatcher;
  private readonly folders = new Map<string, number>();
  private pending: FileChange[] = [];
  private overflow = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly root: string,
    private readonly hidden: string,
    private readonly onChanges: (changes: FileChange[], truncated: boolean) => void,
    logger: Logger,
  ) {
    this.watcher = watch([], {
      ignoreInitial: true,
      depth: 0,
      followSymlinks: false,
      ignored: (path) => path === hidden || path.startsWith(hidden + sep) || OWN_TEMP.test(path),
    });
    this.watcher.on('all', (event, path) => this.record(event as FileChange['kind'], path));
    this.watcher.on('error', (error) => logger.warn({ err: error }, 'file watcher error'));
  }

  /** Starts (or keeps) watching a folder, given by its host path. */
  watchFolder(host: string): void {
    if (this.folders.has(host)) this.folders.delete(host);
    else this.watcher.add(host);
    this.folders.set(host, Date.now());
    if (this.folders.size > MAX_FOLDERS) {
      const oldest = this.folders.keys().next().value!;
      this.folders.delete(oldest);
      this.watcher.unwatch(oldest);
    }
  }

  /** How many folders are followed now (at most MAX_FOLDERS). */
  get watchedFolders(): number {
    return this.folders.size;
  }

  close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    return this.watcher.close();
  }

  private record(kind: FileChange['kind'], host: string): void {
    if (!['add', 'change', 'unlink', 'addDir', 'unlinkDir'].includes(kind)) return;
    const path = relative(this.root, host).split(sep).join('/');
    if (path.startsWith('..')) return;
    if (this.pending.length >= MAX_BATCH) this.overflow = true;
    else this.pending.push({ path, kind });
    this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  private flush(): void {
    this.timer = null;
    const changes = this.pending;
    const truncated = this.overflow;
    this.pending = [];
    this.overflow = false;
    if (changes.length > 0 || truncated) this.onChanges(changes, truncated);
  }
}
