import { randomBytes } from 'node:crypto';
import { mkdirSync, realpathSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { stringify } from 'yaml';
import { zipSync } from 'fflate';
import {
  type CreateSkillBody,
  SKILL_FILE_MAX_BYTES,
  SKILL_IMPORT_MAX_FILES,
  SKILL_IMPORT_MAX_UNPACKED_BYTES,
  type SkillDetail,
  type SkillFileContent,
} from '../contract/skills';
import { ConfinedFs, FsBridgeError } from '../fs/confined-fs';
import { ConfinedPathError, Confiner } from '../fs/confiner';
import { errnoCode, errorMessage } from '../fs/errors';
import { ZipError, type ZipFile, readZip } from '../fs/zip-read';
import { type Skill, type SkillCatalog, skillSummary } from '../tools/skills/skill-catalog';
import { parseSkillFile } from '../tools/skills/skill-file';
import { FrontMatterError, readFrontMatter } from '../workspace/front-matter';
import type { WorkspacePaths } from '../workspace/paths';
import { ApiError } from './errors';

/** Files of a skill listed on its page at most. */
const MAX_LISTED_FILES = 300;
/** Entries (files and folders) looked at while listing or exporting a folder, so a huge tree cannot stall a request. */
const MAX_WALKED_ENTRIES = 5000;
/** A file shown on the Skills page: only its start beyond this. */
const MAX_SHOWN_BYTES = 1024 * 1024;

/** What a new skill starts from: the fields it needs, the optional ones as comments, and the usual sections. */
function template(name: string, description: string): string {
  const title = name.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
  return `---
${stringify({ name, description }, { lineWidth: 0 })}# Optional fields:
# allowed-tools: read grep bash(npm test*)   # run without asking while the skill is active
# arguments:
#   - name: target
#     description: What to work on ($target in the text below)
# when_to_use: Use when the user asks for …
# disable-model-invocation: true   # only the user runs it, as /${name}
# user-invocable: false            # only the agent loads it
---
# ${title}

Say in a sentence or two what this skill achieves and when it applies. The agent reads this text when it loads the
skill, so write it as instructions to the agent.

## Steps

1. What to look at first, and how.
2. What to do, in order; name the tools or commands to use.
3. How to check the result before reporting.

## Output

What to give back: its form (a list, a table, a patch) and what every item must hold.

## Files

Scripts, references and templates kept beside this SKILL.md (\`scripts/\`, \`references/\`, \`assets/\`) are at
\`/.skills/${name}/\` while the skill is active: name them here when the agent should read or run one.
`;
}

/**
 * The folders behind the Skills page: reading a skill's files, creating, saving, removing, importing and exporting
 * skills. Every file is reached through a Confiner rooted at the skill's folder (or the folder of skills it is in),
 * so nothing outside it is read or written and no link is followed. New skills are unpacked into a private folder
 * first and moved into `.boxagnts/skills/` only once whole and valid.
 */
export class SkillFolders {
  constructor(
    private readonly paths: WorkspacePaths,
    private readonly catalog: SkillCatalog,
  ) {}

  async detail(name: string): Promise<SkillDetail> {
    const skill = await this.skill(name);
    const fs = this.fsOf(skill.dir);
    const source = attempt(() => fs.readFile('/SKILL.md', { as: 'text', maxBytes: SKILL_FILE_MAX_BYTES })).data;
    const { files, truncated } = walk(fs, MAX_LISTED_FILES);
    return {
      skill: skillSummary(skill),
      source,
      files: files.map(({ path, size }) => ({ path, size })),
      truncated,
    };
  }

  async file(name: string, path: string): Promise<SkillFileContent> {
    const fs = this.fsOf((await this.skill(name)).dir);
    const read = attempt(() => fs.readFile(`/${path}`, { as: 'text', maxBytes: MAX_SHOWN_BYTES }));
    return { path, size: read.size, binary: read.binary, truncated: read.truncated, content: read.data };
  }

  async create({ name, description }: CreateSkillBody): Promise<SkillDetail> {
    const text = template(name, description);
    check(() => parseSkillFile(text, name));
    this.place(name, [{ path: 'SKILL.md', data: Buffer.from(text) }]);
    return this.detail(name);
  }

  /** Rewrites SKILL.md of an editable skill; a text the parser refuses is not written. */
  async save(name: string, source: string): Promise<SkillDetail> {
    const skill = await this.editable(name);
    check(() => parseSkillFile(source, name));
    attempt(() => this.fsOf(skill.dir).writeFileAtomic('/SKILL.md', source, 0o644));
    return this.detail(name);
  }

  async remove(name: string): Promise<void> {
    const skill = await this.editable(name);
    attempt(() => this.fsOf(dirname(skill.dir)).rm(`/${basename(skill.dir)}`, { recursive: true }));
  }

  /** A `.zip` holding one skill folder (or SKILL.md at its top) as a new skill of the workspace, named by SKILL.md. */
  async import(bytes: Uint8Array): Promise<SkillDetail> {
    let files: ZipFile[];
    try {
      files = readZip(bytes, { maxFiles: SKILL_IMPORT_MAX_FILES, maxBytes: SKILL_IMPORT_MAX_UNPACKED_BYTES });
    } catch (error) {
      if (error instanceof ZipError) throw new ApiError(400, 'invalid_zip', error.message);
      throw error;
    }
    // What macOS adds to the archives it makes: resource forks, never part of the folder.
    files = files.filter((file) => !file.path.startsWith('__MACOSX/'));
    const top = files.some((file) => file.path === 'SKILL.md') ? '' : `${files[0]?.path.split('/')[0] ?? ''}/`;
    const skillMd = files.find((file) => file.path === `${top}SKILL.md`);
    if (!skillMd || files.some((file) => !file.path.startsWith(top)))
      throw new ApiError(
        400,
        'invalid_zip',
        'The zip must hold one skill folder with its SKILL.md, or SKILL.md at its top level.',
      );
    if (skillMd.data.length > SKILL_FILE_MAX_BYTES)
      throw new ApiError(400, 'invalid_skill', `SKILL.md is larger than ${SKILL_FILE_MAX_BYTES / 1024} KB.`);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(skillMd.data);
    } catch {
      throw new ApiError(400, 'invalid_skill', 'SKILL.md is not UTF-8 text.');
    }
    const { name } = check(() => {
      const declared = readFrontMatter(text).data.name;
      return parseSkillFile(text, typeof declared === 'string' ? declared : '');
    });
    this.place(
      name,
      files.map((file) => ({ path: file.path.slice(top.length), data: file.data })),
    );
    return this.detail(name);
  }

  /** The skill's folder as a `.zip` holding the folder `NAME/`, as the import takes it. */
  async export(name: string): Promise<Uint8Array<ArrayBuffer>> {
    const skill = await this.skill(name);
    const fs = this.fsOf(skill.dir);
    const { files, truncated } = walk(fs, SKILL_IMPORT_MAX_FILES);
    const tooLarge = () =>
      new ApiError(
        413,
        'payload_too_large',
        `${name} is larger than a skill may be (${SKILL_IMPORT_MAX_FILES} files, ${SKILL_IMPORT_MAX_UNPACKED_BYTES} bytes).`,
      );
    if (truncated || files.reduce((sum, file) => sum + file.size, 0) > SKILL_IMPORT_MAX_UNPACKED_BYTES)
      throw tooLarge();
    const entries: Record<string, Uint8Array> = {};
    let total = 0;
    for (const file of files) {
      const read = attempt(() =>
        fs.readFile(`/${file.path}`, { as: 'base64', maxBytes: SKILL_IMPORT_MAX_UNPACKED_BYTES - total + 1 }),
      );
      if (read.truncated) throw tooLarge();
      const data = Buffer.from(read.data, 'base64');
      total += data.length;
      entries[`${name}/${file.path}`] = data;
    }
    return zipSync(entries);
  }

  private async skill(name: string): Promise<Skill> {
    const skill = await this.catalog.get(name);
    if (!skill) throw new ApiError(404, 'skill_not_found', `There is no skill named "${name}".`);
    return skill;
  }

  private async editable(name: string): Promise<Skill> {
    const skill = await this.skill(name);
    if (!skill.editable)
      throw new ApiError(
        403,
        'skill_read_only',
        `${name} comes from ${skill.path}, which is read-only here. To change it, create a skill of the same name in .boxagnts/skills/: it takes precedence.`,
      );
    return skill;
  }

  /**
   * Moves a new skill's files into `.boxagnts/skills/NAME/`: written through a Confiner rooted at a private folder
   * first, then renamed into place in one step, which refuses a name that is taken.
   */
  private place(name: string, files: readonly { path: string; data: Uint8Array }[]): void {
    const { skillsDir, uploadsDir } = this.paths;
    const taken = () =>
      new ApiError(409, 'skill_exists', `.boxagnts/skills/${name} exists already; delete it or choose another name.`);
    mkdirSync(skillsDir, { recursive: true, mode: 0o700 });
    const target = this.fsOf(skillsDir);
    if (attempt(() => target.exists(`/${name}`))) throw taken();
    mkdirSync(uploadsDir, { recursive: true, mode: 0o700 });
    const temp = join(uploadsDir, `skill-${name}-${randomBytes(6).toString('hex')}`);
    mkdirSync(temp, { mode: 0o755 });
    try {
      const staging = new ConfinedFs(new Confiner({ workDir: temp }));
      for (const file of files)
        attempt(() =>
          staging.writeFile(`/${file.path}`, Buffer.from(file.data).toString('base64'), { encoding: 'base64' }),
        );
      try {
        attempt(() => target.moveIn(temp, `/${name}`));
      } catch (error) {
        // Taken meanwhile: moveIn never replaces anything.
        throw error instanceof ApiError && error.status === 409 ? taken() : error;
      }
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  }

  /**
   * The confined file system of a folder of skills or of one skill. The folder must be where the catalog found it: a
   * link put in its place (or, inside the workspace, anywhere on the way to it) is refused.
   */
  private fsOf(dir: string): ConfinedFs {
    const below = relative(this.paths.root, dir);
    const inside = !below.startsWith('..');
    const real = (path: string) => attempt(() => realpathSync(path));
    const expected = inside ? join(real(this.paths.root), below) : join(real(dirname(dir)), basename(dir));
    const confiner = attempt(() => new Confiner({ workDir: dir }));
    if (confiner.mounts[0]!.host !== expected)
      throw new ApiError(404, 'not_found', `${basename(dir)} is reached through a link; links are not followed.`);
    return new ConfinedFs(confiner);
  }
}

/** Runs the parser (or the front matter reader) on a SKILL.md; what they refuse is a 400 with their reason. */
function check<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof FrontMatterError) throw new ApiError(400, 'invalid_skill', error.message);
    throw error;
  }
}

/** Files of a folder, below it, in name order; links and special files are left out by the confined file system. */
function walk(fs: ConfinedFs, max: number): { files: { path: string; size: number }[]; truncated: boolean } {
  const files: { path: string; size: number }[] = [];
  let walked = 0;
  let truncated = false;
  const visit = (dir: string) => {
    const entries = attempt(() => fs.readdir(`/${dir}`)).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      if (truncated) return;
      walked += 1;
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (walked > MAX_WALKED_ENTRIES || (entry.type === 'file' && files.length >= max)) truncated = true;
      else if (entry.type === 'dir') visit(path);
      else files.push({ path, size: entry.size });
    }
  };
  visit('');
  return { files, truncated };
}

/** Confiner and file-system errors as API errors: what is hidden, refused or a link looks like what is absent. */
function attempt<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const code = error instanceof ConfinedPathError || error instanceof FsBridgeError ? error.code : errnoCode(error);
    const message = errorMessage(error).replace(/(^|\s)\//g, '$1');
    if (code === 'ENOENT' || code === 'ELOOP') throw new ApiError(404, 'not_found', message);
    if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') throw new ApiError(403, 'forbidden', message);
    if (code === 'EEXIST' || code === 'ENOTEMPTY') throw new ApiError(409, 'exists', message);
    if (code === 'EISDIR') throw new ApiError(400, 'is_a_folder', message);
    if (code === 'ENOTDIR' || code === 'EINVAL') throw new ApiError(400, 'invalid_path', message);
    throw error;
  }
}
