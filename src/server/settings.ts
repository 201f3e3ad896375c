import { Hono } from 'hono';
import type { Settings } from '../contract/settings';
import { JsonFileError } from '../workspace/json-file';
import { InvalidSettingsError } from '../workspace/settings';
import type { ServerContext } from './context';
import { ApiError } from './errors';
import { readJson } from './validate';

export function settingsRoutes(ctx: ServerContext): Hono {
  const { settings } = ctx.workspace;
  return new Hono()
    .get('/', (c) => c.json(settings.get() satisfies Settings))
    .patch('/', async (c) => {
      const patch = await readJson(c);
      try {
        return c.json((await settings.patch(patch)) satisfies Settings);
      } catch (error) {
        if (error instanceof InvalidSettingsError) {
          throw new ApiError(400, 'invalid_settings', error.message, error.field ? { field: error.field } : {});
        }
        if (error instanceof JsonFileError) {
          throw new ApiError(
            409,
            'settings_file_invalid',
            `settings.json was edited by hand and is now invalid, so it was left untouched: ${error.problem}`,
            {
              ...(error.line !== undefined ? { line: error.line } : {}),
              ...(error.field ? { field: error.field } : {}),
            },
          );
        }
        throw error;
      }
    });
}
