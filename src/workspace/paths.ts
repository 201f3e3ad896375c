import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';

/** Where the runtime keeps its own state inside a workspace. No tool and no file API may see it. */
export const DATA_DIR_NAME = '.boxagnts';

export interface WorkspacePaths {
  /** The user's project folder: the agent's `/` inside the sandbox. */
  readonly root: string;
  /**
   * Folder name only: the one piece of the workspace location that may reach a model, an export or a shared session.
   * The full path goes to the signed-in dashboard alone (`/api/health`), which shows which folder is served.
   */
  readonly name: string;
  readonly dataDir: string;
  readonly settingsFile: string;
  readonly secretsFile: string;
  readonly agentsFile: string;
  /** Skills of this workspace: `NAME/SKILL.md` and the skill's files. */
  readonly skillsDir: string;
  /** Agent types of this workspace: `NAME.md`, front matter and instructions. */
  readonly agentTypesDir: string;
  /** Git worktrees of child runs that asked for isolation: `<child-id>/`. */
  readonly worktreesDir: string;
  readonly sessionsDir: string;
  /** Sessions a retention rule or the user archived: read-only, searchable, restorable. */
  readonly sessionsArchiveDir: string;
  /** What the retention rule was allowed to delete, and its last sweep. */
  readonly retentionFile: string;
  readonly cacheDir: string;
  /** WebAssembly tools of this workspace: one folder each, `tool.json` beside its module. */
  readonly toolsDir: string;
  /** The whole output of tool calls whose result was cut: `<session>/<call>.txt`, mounted read-only in the sandbox. */
  readonly toolOutputDir: string;
  /** Uploads in progress, moved into the workspace when whole. */
  readonly uploadsDir: string;
  readonly usageFile: string;
  readonly grantsFile: string;
  /** Scheduled jobs: `jobs.json`, `runs/<job>.jsonl` (their history) and `queue.jsonl` (the run queue's journal). */
  readonly automationDir: string;
}

export function workspacePaths(workspaceDir: string): WorkspacePaths {
  const root = resolve(workspaceDir);
  const dataDir = join(root, DATA_DIR_NAME);
  return {
    root,
    name: basename(root) || root,
    dataDir,
    settingsFile: join(dataDir, 'settings.json'),
    secretsFile: join(dataDir, 'secrets.json'),
    agentsFile: join(dataDir, 'AGENTS.md'),
    agentTypesDir: join(dataDir, 'agents'),
    skillsDir: join(dataDir, 'skills'),
    worktreesDir: join(dataDir, 'worktrees'),
    sessionsDir: join(dataDir, 'sessions'),
    sessionsArchiveDir: join(dataDir, 'sessions', 'archive'),
    retentionFile: join(dataDir, 'retention.json'),
    cacheDir: join(dataDir, 'cache'),
    toolsDir: join(dataDir, 'tools'),
    toolOutputDir: join(dataDir, 'tool-output'),
    uploadsDir: join(dataDir, 'uploads'),
    usageFile: join(dataDir, 'usage.jsonl'),
    grantsFile: join(dataDir, 'permissions.json'),
    automationDir: join(dataDir, 'automation'),
  };
}

/** Creates `.boxagnts/` and its fixed sub-folders; private to the user because it holds keys and transcripts. */
export async function ensureDataDirs(paths: WorkspacePaths): Promise<void> {
  await mkdir(paths.dataDir, { recursive: true, mode: 0o700 });
  await mkdir(paths.sessionsDir, { recursive: true, mode: 0o700 });
  await mkdir(paths.sessionsArchiveDir, { recursive: true, mode: 0o700 });
  await mkdir(paths.cacheDir, { recursive: true, mode: 0o700 });
  await mkdir(paths.toolsDir, { recursive: true, mode: 0o700 });
  await mkdir(paths.uploadsDir, { recursive: true, mode: 0o700 });
  await mkdir(paths.automationDir, { recursive: true, mode: 0o700 });
}

/** The user's own folder, shared by every workspace (`~/.boxagnts`; `BOXAGNTS_USER_DIR` moves it). */
export function userDataDir(env: NodeJS.ProcessEnv): string {
  return env.BOXAGNTS_USER_DIR || join(homedir(), DATA_DIR_NAME);
}
