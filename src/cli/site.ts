import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { SiteFolderSchema, SiteNameSchema, type SiteView } from '../contract/sites';
import { Sites } from '../sites/sites';
import { JsonFileError } from '../workspace/json-file';
import { workspacePaths } from '../workspace/paths';
import { CommandError, UsageError, parseFlags } from './usage';

const USAGE = 'boxagnts site add NAME FOLDER | site rm NAME | site list [--json]';

/** A value checked by its contract schema; the first problem is a usage error naming the argument. */
function checked<S extends z.ZodType>(what: string, schema: S, value: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new UsageError(`${what} "${value}" ${result.error.issues[0]!.message}`);
  return result.data;
}

function line(site: SiteView): string {
  const flags = [
    site.enabled ? null : 'off',
    site.folderExists ? null : 'folder missing',
    site.listing ? 'listing' : null,
    site.dotfiles ? 'dotfiles' : null,
    site.public ? 'public' : null,
  ].filter(Boolean);
  return `${site.name}\t${site.folder}\t${site.url}${flags.length ? `\t(${flags.join(', ')})` : ''}`;
}

/**
 * `boxagnts site add|rm|list`: edits `.boxagnts/sites.json` the way the dashboard does (a running server picks the
 * change up at its next request). Needs no runtime, so it opens no model, sandbox or session.
 */
export async function siteCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseFlags(args, {
    'workspace-dir': { type: 'string' },
    json: { type: 'boolean' },
  });
  const [action, ...rest] = positionals;
  const dir = resolve(values['workspace-dir'] ?? process.cwd());
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new CommandError(`workspace folder ${dir} does not exist`);
  // Served or not, the list is what the file says; "who can reach it" assumes the default loopback server.
  const sites = new Sites(workspacePaths(dir), false);
  const failed = (error: unknown): never => {
    if (error instanceof JsonFileError) throw new CommandError(`${error.message}; fix the file (or delete it) first`);
    throw error;
  };
  switch (action) {
    case 'add': {
      if (rest.length !== 2) throw new UsageError(`give a name and a folder: boxagnts site add docs build/docs`);
      const name = checked('site name', SiteNameSchema, rest[0]!);
      const folder = checked('folder', SiteFolderSchema, rest[1]!.replace(/\/+$/, ''));
      const refusal = sites.folders.refusal(folder);
      if (refusal) throw new CommandError(`folder ${folder}: ${refusal}`);
      const site = sites.view(await sites.store.put(name, { folder }).catch(failed));
      process.stdout.write(
        `Published ${site.folder} at ${site.url}${site.folderExists ? '' : ` (the folder does not exist yet)`}\n`,
      );
      return;
    }
    case 'rm': {
      if (rest.length !== 1) throw new UsageError('give the name of the site to remove: boxagnts site rm docs');
      const name = checked('site name', SiteNameSchema, rest[0]!);
      if (!(await sites.store.remove(name).catch(failed))) throw new CommandError(`there is no site "${name}"`);
      process.stdout.write(`Removed the site ${name} (its folder is untouched)\n`);
      return;
    }
    case 'list': {
      if (rest.length !== 0) throw new UsageError('site list takes no arguments');
      const list = sites.list();
      if (values.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else if (list.sites.length === 0 && !list.problem)
        process.stdout.write('No sites. Add one: boxagnts site add NAME FOLDER\n');
      else if (list.sites.length > 0) process.stdout.write(`${list.sites.map(line).join('\n')}\n`);
      if (list.problem) throw new CommandError(`${list.problem.message}; no site is served until it is fixed`);
      return;
    }
    default:
      throw new UsageError(
        action === undefined ? `give a site command: ${USAGE}` : `unknown site command "${action}": ${USAGE}`,
      );
  }
}
