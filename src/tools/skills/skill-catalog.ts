import { constants } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { InvalidSkill, SkillList, SkillOrigin, SkillSummary } from '../../contract/skills';
import { errnoCode, errorMessage } from '../../fs/errors';
import { isRealFolder } from '../../fs/real-folder';
import { type SkillFile, parseSkillFile } from './skill-file';

/** A SKILL.md larger than this is refused: a skill's instructions are meant to be read in full by the model. */
const MAX_SKILL_BYTES = 256 * 1024;

/** Where a skill's folder is visible inside the sandbox: read-only, below the run's `/`. */
export const SKILLS_GUEST_DIR = '/.skills';

/** One folder skills are read from. */
export interface SkillFolder {
  dir: string;
  origin: SkillOrigin;
  /** Skills here can be changed from the dashboard. */
  editable: boolean;
  /** Skills here came with the repository: they load only once the user trusts them. */
  project: boolean;
}

/** A skill found on disk, with where it lives and whether this workspace offers it. */
export interface Skill extends SkillFile {
  origin: SkillOrigin;
  /** The skill's folder on the host. */
  dir: string;
  /** The folder as the Skills page shows it. */
  path: string;
  editable: boolean;
  enabled: boolean;
  loaded: boolean;
}

export interface SkillCatalogOptions {
  /** The workspace folder: project skill paths are shown relative to it, and links out of it are not followed. */
  root: string;
  /** In order of precedence. */
  folders: readonly SkillFolder[];
  /** The workspace's skill settings, read on every listing. */
  settings(): { disabled: readonly string[]; trustProject: boolean };
  /** How a folder is shown: relative to the workspace, or as the user knows it (`~/.boxagnts/skills/NAME`). */
  display?(folder: SkillFolder, dir: string): string;
}

export interface SkillListing {
  skills: Skill[];
  invalid: InvalidSkill[];
  shadowed: SkillList['shadowed'];
}

/**
 * The skills of a workspace, read from disk on each listing (so a change shows without a restart): every folder
 * holding a SKILL.md in the configured folders, the first of a name winning and the others listed as shadowed, and
 * each unusable one listed with the reason. Links are never followed: a skill is instructions to the agent, and a
 * link could bring in anything.
 */
export class SkillCatalog {
  constructor(private readonly options: SkillCatalogOptions) {}

  async list(): Promise<SkillListing> {
    const settings = this.options.settings();
    const disabled = new Set(settings.disabled);
    const skills: Skill[] = [];
    const invalid: InvalidSkill[] = [];
    const shadowed: SkillList['shadowed'] = [];
    const seen = new Set<string>();
    const found = await Promise.all(this.options.folders.map((folder) => this.readFolder(folder)));
    for (const [index, folder] of this.options.folders.entries()) {
      for (const entry of found[index]!) {
        const path = this.display(folder, entry.dir);
        if ('problem' in entry) {
          invalid.push({ path, origin: folder.origin, problem: entry.problem });
          continue;
        }
        if (seen.has(entry.skill.name)) {
          shadowed.push({ name: entry.skill.name, path, origin: folder.origin });
          continue;
        }
        seen.add(entry.skill.name);
        const enabled = !disabled.has(entry.skill.name);
        skills.push({
          ...entry.skill,
          origin: folder.origin,
          dir: entry.dir,
          path,
          editable: folder.editable,
          enabled,
          loaded: enabled && (!folder.project || settings.trustProject),
        });
      }
    }
    return { skills, invalid, shadowed };
  }

  /** The skills offered to the agent: enabled, and from a trusted folder. */
  async loaded(): Promise<Skill[]> {
    return (await this.list()).skills.filter((skill) => skill.loaded);
  }

  async get(name: string): Promise<Skill | undefined> {
    return (await this.list()).skills.find((skill) => skill.name === name);
  }

  private display(folder: SkillFolder, dir: string): string {
    if (this.options.display) return this.options.display(folder, dir);
    return relative(this.options.root, dir).split(sep).join('/');
  }

  private async readFolder(
    folder: SkillFolder,
  ): Promise<({ dir: string; skill: SkillFile } | { dir: string; problem: string })[]> {
    let entries;
    try {
      // Inside the workspace, no folder on the way may be a link; the user's and the product's folders are theirs.
      const inside = !relative(this.options.root, folder.dir).startsWith('..');
      if (inside ? !(await isRealFolder(this.options.root, folder.dir)) : !(await lstat(folder.dir)).isDirectory())
        return [];
      entries = await readdir(folder.dir, { withFileTypes: true });
    } catch (error) {
      if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return [];
      throw error;
    }
    const dirs = entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((e) => e.name);
    const read = await Promise.all(
      dirs.sort().map(async (name) => {
        const dir = join(folder.dir, name);
        try {
          const text = await readSkillMd(join(dir, 'SKILL.md'));
          if (text === null) return null;
          return { dir, skill: parseSkillFile(text, name) };
        } catch (error) {
          return { dir, problem: errorMessage(error) };
        }
      }),
    );
    return read.filter((entry) => entry !== null);
  }
}

/** SKILL.md of a folder, never through a link; null when the folder has none (it is not a skill). */
async function readSkillMd(file: string): Promise<string | null> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    if (errnoCode(error) === 'ELOOP') throw new Error('SKILL.md is a link; skills are read only from real files');
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size > MAX_SKILL_BYTES) throw new Error(`SKILL.md is larger than ${MAX_SKILL_BYTES / 1024} KB`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** A skill as the Skills page lists it. */
export function skillSummary(skill: Skill): SkillSummary {
  return {
    name: skill.name,
    description: skill.description,
    origin: skill.origin,
    path: skill.path,
    allowedTools: skill.allowedTools,
    arguments: skill.arguments,
    ...(skill.whenToUse ? { whenToUse: skill.whenToUse } : {}),
    ...(skill.license ? { license: skill.license } : {}),
    ...(skill.compatibility ? { compatibility: skill.compatibility } : {}),
    modelInvocable: skill.modelInvocable,
    userInvocable: skill.userInvocable,
    enabled: skill.enabled,
    loaded: skill.loaded,
    editable: skill.editable,
  };
}
