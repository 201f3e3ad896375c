import { execFile } from 'node:child_process';
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { BASH } from './run-command';

const run = promisify(execFile);

/** Where the host tier's commands find programs: the system's folders, never the user's own (`~/bin`, `./node_modules/.bin`). */
export const HOST_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * Programs worth naming to the model when this machine has them: version control, runtimes, package managers, build
 * tools and test runners. Any other program on HOST_PATH runs too; these are the ones the description lists.
 */
const WELL_KNOWN = [
  'git',
  'node',
  'npm',
  'npx',
  'pnpm',
  'yarn',
  'bun',
  'deno',
  'tsc',
  'python3',
  'python',
  'pip',
  'pip3',
  'pytest',
  'uv',
  'make',
  'cmake',
  'gcc',
  'g++',
  'cc',
  'clang',
  'cargo',
  'rustc',
  'go',
  'java',
  'javac',
  'mvn',
  'gradle',
  'ruby',
  'gem',
  'bundle',
  'perl',
  'php',
  'composer',
  'dotnet',
  'sqlite3',
  'rg',
];

/** How the host tier can run commands on this machine, found once at start-up. */
export interface HostSandboxProbe {
  /** The OS sandbox: bubblewrap, on Linux. */
  kind: 'bubblewrap' | null;
  /** The sandbox program's absolute path. */
  executable: string | null;
  /** What the status shows (`bubblewrap 0.8.0`). */
  mechanism: string | null;
  /** Why there is none, and what to do about it. */
  problem?: string;
  /** Every program name on HOST_PATH: these run as external commands of the shell. */
  programs: ReadonlySet<string>;
  /** The well-known ones among them, for the tool description. */
  wellKnown: string[];
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The names of the executables in `dirs`, each once. */
export function listPrograms(dirs: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of entries) if (!names.has(name) && isExecutableFile(join(dir, name))) names.add(name);
  }
  return names;
}

/** The first `name` on `dirs`. */
export function findProgram(name: string, dirs: readonly string[] = HOST_PATH): string | null {
  for (const dir of dirs) if (isExecutableFile(join(dir, name))) return join(dir, name);
  return null;
}

async function probeBubblewrap(): Promise<Pick<HostSandboxProbe, 'kind' | 'executable' | 'mechanism' | 'problem'>> {
  const bwrap = findProgram('bwrap', [...HOST_PATH, ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)]);
  if (!bwrap)
    return {
      kind: null,
      executable: null,
      mechanism: null,
      problem:
        'bubblewrap is not installed; install it (Debian and Ubuntu: sudo apt install bubblewrap; Fedora: sudo dnf install bubblewrap) and restart boxagnts',
    };
  let version = 'bubblewrap';
  try {
    version = (await run(bwrap, ['--version'], { timeout: 5000 })).stdout.trim() || version;
    // The namespaces a command gets: a machine that refuses them (user namespaces off, a container without them)
    // cannot give the host tier its isolation, so the tier stays off rather than running anything unconfined.
    await run(bwrap, ['--ro-bind', '/', '/', '--unshare-all', '--die-with-parent', '--new-session', '--', 'true'], {
      timeout: 10_000,
    });
  } catch (error) {
    const stderr = error instanceof Error && 'stderr' in error ? String(error.stderr).trim() : '';
    const said = stderr || (error instanceof Error ? error.message : String(error));
    return {
      kind: null,
      executable: bwrap,
      mechanism: version,
      problem: `bubblewrap cannot create a sandbox here (${said}); it needs unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or on Ubuntu 24.04 an AppArmor profile for bwrap)`,
    };
  }
  return { kind: 'bubblewrap', executable: bwrap, mechanism: version };
}

/** bash sets each command's caps inside the sandbox. */
function probeBash(): string | undefined {
  try {
    accessSync(BASH, constants.X_OK);
    return undefined;
  } catch {
    return `${BASH} is not installed (Debian and Ubuntu: sudo apt install bash)`;
  }
}

/** Looks once for an OS sandbox and the programs of this machine. */
export async function probeHostSandbox(platform: NodeJS.Platform = process.platform): Promise<HostSandboxProbe> {
  const programs = listPrograms(HOST_PATH);
  const wellKnown = WELL_KNOWN.filter((name) => programs.has(name));
  if (platform === 'linux') {
    const bubblewrap = await probeBubblewrap();
    const problem = bubblewrap.problem ?? probeBash();
    return problem
      ? { ...bubblewrap, kind: null, problem, programs, wellKnown }
      : { ...bubblewrap, programs, wellKnown };
  }
  return {
    kind: null,
    executable: null,
    mechanism: null,
    problem: `the host tier runs programs only inside bubblewrap, on Linux; this machine runs ${platform}, where it is not available yet`,
    programs,
    wellKnown,
  };
}
