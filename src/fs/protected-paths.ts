/**
 * Files that make a program on the host run code when the user opens or uses the folder: a `core.fsmonitor` in
 * `.git/config` runs on the next `git status`, `.envrc` runs on `cd`, an editor's tasks and settings run on open,
 * hook managers run on commit, an agent's settings run hooks. The sandbox keeps them read-only wherever they are in
 * the tree (a nested repository counts too), whether or not they exist yet.
 *
 * Each entry is a run of names matched anywhere in a path; `tree` entries also cover everything below them.
 */
const PROTECTED: readonly { names: readonly string[]; tree: boolean }[] = [
  { names: ['.git'], tree: true },
  { names: ['.gitmodules'], tree: false },
  { names: ['.envrc'], tree: false },
  { names: ['.vscode', 'settings.json'], tree: false },
  { names: ['.vscode', 'tasks.json'], tree: false },
  { names: ['.idea'], tree: true },
  { names: ['.husky'], tree: true },
  { names: ['.claude', 'settings.json'], tree: false },
  { names: ['.claude', 'settings.local.json'], tree: false },
];

/** The protected entries, as written in the docs and on the Security page. */
export const PROTECTED_PATHS: readonly string[] = PROTECTED.map((p) => `${p.names.join('/')}${p.tree ? '/**' : ''}`);

function namesOf(guest: string): string[] {
  return guest.split('/').filter((name) => name !== '');
}

/** Whether a guest path is a protected file or lies in a protected folder. */
export function isProtected(guest: string): boolean {
  const names = namesOf(guest);
  return PROTECTED.some((entry) => {
    const last = names.length - entry.names.length;
    for (let start = 0; start <= last; start++) {
      if (!entry.names.every((name, i) => names[start + i] === name)) continue;
      if (entry.tree || start === last) return true;
    }
    return false;
  });
}

/**
 * Whether a protected path could lie below this one: it ends with the first names of an entry (`.vscode`, `.claude`).
 * Moving a folder here, or away from here, would create or remove protected files without writing them.
 */
export function protectsBelow(guest: string): boolean {
  const names = namesOf(guest);
  return PROTECTED.some((entry) => {
    for (let length = 1; length <= entry.names.length; length++) {
      const tail = names.slice(-length);
      if (tail.length === length && entry.names.slice(0, length).every((name, i) => tail[i] === name)) return true;
    }
    return false;
  });
}
