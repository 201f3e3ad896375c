import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile, readdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

// The session's operations done the plainest way Node offers, in the bench process, with no sandbox: what a tool
// call could cost at best on this machine.

const exec = promisify(execFile);

/** Names `.gitignore` excludes, read the simple way: `name/` is a folder, `*.ext` a suffix, anything else a name. */
export interface Ignore {
  folders: Set<string>;
  suffixes: string[];
  names: Set<string>;
}

export async function readIgnore(root: string): Promise<Ignore> {
  const lines = (await readFile(join(root, '.gitignore'), 'utf8')).split('\n').map((l) => l.trim());
  const ignore: Ignore = { folders: new Set(['.git', 'node_modules']), suffixes: [], names: new Set() };
  for (const line of lines) {
    if (!line || line.startsWith('#')) continue;
    if (line.endsWith('/')) ignore.folders.add(line.slice(0, -1));
    else if (line.startsWith('*')) ignore.suffixes.push(line.slice(1));
    else ignore.names.add(line);
  }
  return ignore;
}

/** Every file under `dir` (absolute paths) that .gitignore keeps, each folder read once, folders in parallel. */
export async function walk(dir: string, ignore: Ignore): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  const folders: Promise<string[]>[] = [];
  for (const entry of entries) {
    if (ignore.names.has(entry.name)) continue;
    if (entry.isDirectory()) {
      if (!ignore.folders.has(entry.name)) folders.push(walk(join(dir, entry.name), ignore));
    } else if (entry.isFile() && !ignore.suffixes.some((s) => entry.name.endsWith(s))) {
      files.push(join(dir, entry.name));
    }
  }
  for (const sub of await Promise.all(folders)) files.push(...sub);
  return files;
}

/** The files under `dir` whose names end in `extension`: what a glob such as `**` + `/*.ts` finds. */
export async function globFloor(dir: string, ignore: Ignore, extension: string): Promise<string[]> {
  return (await walk(dir, ignore)).filter((path) => path.endsWith(extension));
}

/** The files under `dir` with a line matching `pattern`, scanned in Node. */
export async function grepFloor(dir: string, ignore: Ignore, pattern: RegExp): Promise<string[]> {
  const files = await walk(dir, ignore);
  const matches = await Promise.all(
    files.map(async (path) => ((await readFile(path, 'utf8')).split('\n').some((l) => pattern.test(l)) ? path : '')),
  );
  return matches.filter(Boolean);
}

/** The path of ripgrep on PATH, or undefined when it is not installed. */
export async function findRipgrep(): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const path = join(dir, 'rg');
    try {
      await access(path, constants.X_OK);
      return path;
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'EACCES')))
        throw error;
      // Not in this folder: try the next one.
    }
  }
  return undefined;
}

/** The files under `dir` matching `pattern`, found by ripgrep (which honours .gitignore itself). */
export async function ripgrep(rg: string, cwd: string, pattern: string, dir: string): Promise<string[]> {
  const { stdout } = await exec(rg, ['--files-with-matches', pattern, dir], { cwd });
  return stdout.split('\n').filter(Boolean);
}

/** A shell command line, as the shell tool would run it on the workspace. */
export async function shellFloor(cwd: string, command: string): Promise<string> {
  return (await exec('sh', ['-c', command], { cwd })).stdout;
}
