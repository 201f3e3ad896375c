import { posix } from 'node:path';
import { z } from 'zod';
import type { Tool } from './tool';

const InputObject = z.record(z.string(), z.unknown());

/**
 * The guest path for a path the model sent as the workspace's absolute host path (models trained on other agents
 * send `/home/me/project/src/a.ts`): `/src/a.ts`. Judged on names alone, after folding `.` and `..`, so
 * `<workspace>/../x` is outside and stays as sent, and nothing on disk (no symbolic link) is followed; every other
 * path is returned unchanged, for the confiner to judge as usual.
 */
export function hostPathToGuest(path: string, workDir: string): string {
  if (!path.startsWith('/') || workDir === '/') return path;
  const root = posix.normalize(workDir).replace(/\/+$/, '');
  const folded = posix.normalize(path);
  if (folded === root || folded === `${root}/`) return '/';
  return folded.startsWith(`${root}/`) ? folded.slice(root.length) : path;
}

/** The call's input with each of the tool's path fields (`Tool.pathInputs`) mapped by hostPathToGuest. */
export function mapHostPaths(tool: Tool, input: unknown, workDir: string): unknown {
  const fields = tool.pathInputs;
  const object = InputObject.safeParse(input);
  if (!fields || !object.success) return input;
  const mapped = { ...object.data };
  for (const field of fields) {
    const value = mapped[field];
    if (typeof value === 'string') mapped[field] = hostPathToGuest(value, workDir);
  }
  return mapped;
}
