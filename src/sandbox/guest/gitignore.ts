import ignore from 'ignore';
import { tryFsCall } from './fs-errors';
import type { GuestFs } from './guest-fs';
import { foldersDownTo, joinPath, relativeTo } from './paths';

/** One .gitignore file: its rules apply to paths relative to the folder it sits in. */
interface Layer {
  folder: string;
  rules: ignore.Ignore;
}

const MAX_GITIGNORE_BYTES = 1024 * 1024;

/**
 * The .gitignore files in force in one folder, nearest last. Like git, the nearest file with a rule about a path
 * decides; a path inside an ignored folder is never reached because walks do not enter ignored folders.
 */
export class IgnoreRules {
  private constructor(private readonly layers: readonly Layer[]) {}

  /**
   * The rules in force in `folder`: the .gitignore files from `/` down to it. A folder that these rules ignore
   * was asked for by name, so it is searched anyway, under its own and nested .gitignore files only.
   */
  static forFolder(fs: GuestFs, folder: string): IgnoreRules {
    let rules = new IgnoreRules([]);
    for (const ancestor of foldersDownTo(folder)) {
      if (ancestor !== '/' && rules.ignores(ancestor, true)) rules = new IgnoreRules([]);
      rules = rules.enter(fs, ancestor);
    }
    return rules;
  }

  /**
   * The rules in force in `folder`, a child of the folder these rules are for: its own .gitignore comes on top.
   * `hasGitignore` saves a read when the caller listed the folder and saw none.
   */
  enter(fs: GuestFs, folder: string, hasGitignore = true): IgnoreRules {
    if (!hasGitignore) return this;
    const file = tryFsCall(() =>
      fs.readFile(joinPath(folder, '.gitignore'), { as: 'text', maxBytes: MAX_GITIGNORE_BYTES }),
    );
    if (!file || file.binary || file.data === '') return this;
    return new IgnoreRules([...this.layers, { folder, rules: ignore().add(file.data) }]);
  }

  ignores(path: string, isFolder: boolean): boolean {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i]!;
      const relative = relativeTo(layer.folder, path);
      if (relative === '') continue;
      const verdict = layer.rules.test(isFolder ? `${relative}/` : relative);
      if (verdict.ignored) return true;
      if (verdict.unignored) return false;
    }
    return false;
  }
}
