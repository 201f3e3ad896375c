import type { Stats } from 'node:fs';
import { ConfinedFs, FsBridgeError } from '../fs/confined-fs';
import { ConfinedPathError, Confiner } from '../fs/confiner';
import type { WorkspacePaths } from '../workspace/paths';

/**
 * The workspace as sites read it: the same confiner and confined file system as the sandbox and the Files API, so
 * nothing above the workspace, no symbolic link (followed at no step) and nothing of `.boxagnts/` is ever reached.
 * Paths are guest paths (`/build/docs/index.html`).
 */
export class SiteFolders {
  private readonly confiner: Confiner;
  private readonly fs: ConfinedFs;

  constructor(paths: WorkspacePaths) {
    this.confiner = new Confiner({ workDir: paths.root, hidden: [paths.dataDir] });
    this.fs = new ConfinedFs(this.confiner);
  }

  /** A regular file opened for reading (the caller closes it), 'folder' for a folder, null for anything else. */
  open(guest: string): { fd: number; info: Stats } | 'folder' | null {
    try {
      return this.fs.openForReading(guest);
    } catch (error) {
      if (error instanceof FsBridgeError && error.code === 'EISDIR') return 'folder';
      if (error instanceof FsBridgeError) return null;
      throw error;
    }
  }

  /** The files and folders in a folder (links and special files left out), or null when it is not one. */
  list(guest: string): { name: string; type: 'file' | 'dir' }[] | null {
    try {
      return this.fs.readdir(guest).map((entry) => ({ name: entry.name, type: entry.type }));
    } catch (error) {
      if (error instanceof FsBridgeError) return null;
      throw error;
    }
  }

  /** Whether a workspace-relative folder is there as a folder (not a link, not a file). */
  folderExists(folder: string): boolean {
    try {
      return this.fs.stat(`/${folder}`).type === 'dir';
    } catch (error) {
      if (error instanceof FsBridgeError) return false;
      throw error;
    }
  }

  /** Why the confiner refuses this folder for a site, or null when it may be one. */
  refusal(folder: string): string | null {
    try {
      this.confiner.locate(`/${folder}`, 'read');
      return null;
    } catch (error) {
      if (error instanceof ConfinedPathError) return error.message;
      throw error;
    }
  }
}
