/** POSIX path helpers for guest paths, where `/` is the workspace root and nothing lies above it. */

/** Resolves a path from the model to an absolute guest path: relative paths start at `/`, `..` stops at `/`. */
export function normalizePath(input: string): string {
  const parts: string[] = [];
  for (const part of input.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The lower-cased extension without its dot, or ''; the dot of a dotfile such as `.env` starts no extension. */
export function extensionOf(path: string): string {
  const name = baseName(path);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** `path` relative to `dir`, which must contain it, with no leading slash; '' for `dir` itself. */
export function relativeTo(dir: string, path: string): string {
  if (path === dir) return '';
  return dir === '/' ? path.slice(1) : path.slice(dir.length + 1);
}

/** The folders from `/` down to `path`, both included. */
export function foldersDownTo(path: string): string[] {
  const folders = ['/'];
  for (let slash = path.indexOf('/', 1); slash !== -1; slash = path.indexOf('/', slash + 1))
    folders.push(path.slice(0, slash));
  if (path !== '/') folders.push(path);
  return folders;
}
