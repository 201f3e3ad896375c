import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * The user's cache folder for boxagnts: `$BOXAGNTS_CACHE_DIR` (tests point it at a temporary folder), else
 * `$XDG_CACHE_HOME/boxagnts`, else `~/.cache/boxagnts`. A relative XDG_CACHE_HOME is ignored, as the XDG specification
 * says. Everything in it can be rebuilt: the instrumented WebAssembly modules, the single executable's unpacked files.
 */
export function userCacheDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CACHE_HOME;
  return env.BOXAGNTS_CACHE_DIR || join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'boxagnts');
}
