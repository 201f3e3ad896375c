import { Hono } from 'hono';
import { SiteBodySchema, SiteNameSchema } from '../contract/sites';
import type { Sites } from '../sites/sites';
import { JsonFileError } from '../workspace/json-file';
import { ApiError } from './errors';
import { parseInput, readBody } from './validate';

/** A change refused because sites.json was broken by hand: left untouched, as settings.json is. */
function refuseBrokenFile(error: unknown): never {
  if (error instanceof JsonFileError)
    throw new ApiError(
      409,
      'sites_file_invalid',
      `${error.message}. Fix the file (or delete it) first; it was left untouched.`,
      {
        ...(error.line !== undefined ? { line: error.line } : {}),
        ...(error.field ? { field: error.field } : {}),
      },
    );
  throw error;
}

/** `/api/sites`: list, create or replace, remove. The sites themselves are served at `/sites/NAME/` (see app.ts). */
export function siteRoutes(sites: Sites): Hono {
  return new Hono()
    .get('/', (c) => c.json(sites.list()))
    .put('/:name', async (c) => {
      const name = parseInput(SiteNameSchema, c.req.param('name'));
      const body = await readBody(c, SiteBodySchema);
      const refusal = sites.folders.refusal(body.folder);
      if (refusal) throw new ApiError(400, 'invalid_request', `folder: ${refusal}`, { field: 'folder' });
      const site = await sites.store.put(name, body).catch(refuseBrokenFile);
      return c.json({ site: sites.view(site) });
    })
    .delete('/:name', async (c) => {
      const name = parseInput(SiteNameSchema, c.req.param('name'));
      if (!(await sites.store.remove(name).catch(refuseBrokenFile)))
        throw new ApiError(404, 'site_not_found', `There is no site "${name}".`);
      return c.json({ removed: name });
    });
}
