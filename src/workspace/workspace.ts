import { stat } from 'node:fs/promises';
import { removeStaleTemps } from './atomic-write';
import { errnoCode } from '../fs/errors';
import { GrantStore } from './grants';
import { type WorkspacePaths, ensureDataDirs, workspacePaths } from './paths';
import { SecretsStore } from './secrets';
import { SettingsStore } from './settings';

export interface Workspace {
  readonly paths: WorkspacePaths;
  readonly settings: SettingsStore;
  readonly secrets: SecretsStore;
  readonly grants: GrantStore;
}

export class WorkspaceError extends Error {
  override readonly name = 'WorkspaceError';
}

/** Opens a workspace folder, creating `.boxagnts/` on first use. Invalid settings or secrets stop here, unchanged. */
export async function openWorkspace(dir: string): Promise<Workspace> {
  const paths = workspacePaths(dir);
  const info = await stat(paths.root).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return undefined;
    throw error;
  });
  if (!info) throw new WorkspaceError(`workspace folder ${paths.root} does not exist`);
  if (!info.isDirectory()) throw new WorkspaceError(`workspace ${paths.root} is not a folder`);
  await ensureDataDirs(paths);
  // Temp files of whole-file writes a crash cut short; the folders are those this runtime writes whole files into.
  await Promise.all([paths.dataDir, paths.sessionsDir, paths.cacheDir, paths.uploadsDir].map(removeStaleTemps));
  const settings = await SettingsStore.open(paths.settingsFile);
  const secrets = await SecretsStore.open(paths.secretsFile);
  const grants = await GrantStore.open(paths.grantsFile);
  return { paths, settings, secrets, grants };
}
