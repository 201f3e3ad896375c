import { readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The name and email of the user's git identity (`[user]` of ~/.gitconfig), read as text: host programs get a fake
 * HOME, and commits the agent makes should still be the user's. Nothing else of the file is carried over (no
 * credential helpers, no includes, no aliases that run programs).
 */
export function gitIdentity(text: string): { name?: string; email?: string } {
  const identity: { name?: string; email?: string } = {};
  let inUser = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const section = /^\[\s*([^\]\s"]+)\s*\]$/.exec(line);
    if (section) {
      inUser = section[1]!.toLowerCase() === 'user';
      continue;
    }
    const entry = inUser ? /^(name|email)\s*=\s*(.*)$/i.exec(line) : null;
    if (!entry) continue;
    const value = entry[2]!.replace(/^"(.*)"$/, '$1').trim();
    // A value git would read differently (escapes, continued lines, odd characters) is left out rather than guessed.
    if (/^[^\\"\n\r\t<>]{1,200}$/.test(value)) identity[entry[1]!.toLowerCase() as 'name' | 'email'] = value;
  }
  return identity;
}

/** Writes the fake HOME's `.gitconfig` once: the user's identity, or a placeholder git accepts. */
export async function seedHome(home: string, userHome: string = homedir()): Promise<void> {
  const target = join(home, '.gitconfig');
  const exists = await readFile(target, 'utf8').then(
    () => true,
    () => false,
  );
  if (exists) return;
  const found = gitIdentity(await readFile(join(userHome, '.gitconfig'), 'utf8').catch(() => ''));
  const name = found.name ?? 'boxagnts agent';
  const email = found.email ?? 'agent@boxagnts.invalid';
  // `wx`: a call running alongside wrote it first, and that one is as good.
  await writeFile(target, `[user]\n\tname = ${name}\n\temail = ${email}\n`, { flag: 'wx' }).catch(() => undefined);
}
