import type { Automation } from '../automation/automation';
import type { TeamServer } from '../team/team-server';
import type { AgentRuntime } from '../runtime/runtime';
import type { Logger } from '../log';
import type { Sites } from '../sites/sites';
import type { FileWatcher } from '../workspace/file-watcher';
import type { WorkspaceFiles } from '../workspace/files';
import type { Workspace } from '../workspace/workspace';

/** What every route group is built from. Routes take what they need from here, never from module state. */
export interface ServerContext {
  readonly workspace: Workspace;
  readonly runtime: AgentRuntime;
  /** Scheduled jobs at work: their timer, queue and history. */
  readonly automation: Automation;
  /** Team mode's queue, inbox and runs across machines; null when the server runs on its own. */
  readonly team: TeamServer | null;
  /** The workspace's files as the dashboard edits them, and the watcher of the folders it shows. */
  readonly files: WorkspaceFiles;
  readonly fileWatcher: FileWatcher;
  /** The published folders served at `/sites/NAME/`. */
  readonly sites: Sites;
  /** Differs for every server process, so a client can tell that the server restarted. */
  readonly bootId: string;
  readonly logger: Logger;
  readonly version: string;
  /** `performance.now()` when the server started. */
  readonly startedAt: number;
  /** Aborted when the server shuts down, so long-lived streams can end cleanly. */
  readonly shutdown: AbortSignal;
  /** Event streams open now (counted by eventStream). */
  readonly streams: { open: number };
}
