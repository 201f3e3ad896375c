import { Hono } from 'hono';
import {
  CreateSkillBodySchema,
  SaveSkillBodySchema,
  SkillEnabledBodySchema,
  type SkillList,
  SkillNameSchema,
  SkillTrustBodySchema,
} from '../contract/skills';
import { contextWindowOf } from '../runtime/skills';
import { skillSummary } from '../tools/skills/skill-catalog';
import { skillsBlock, skillsBlockLimit } from '../tools/skills/skill-prompt';
import { checkPath, FileApiError } from '../workspace/files';
import type { ServerContext } from './context';
import { ApiError } from './errors';
import { SkillFolders } from './skill-folders';
import { parseInput, readBody } from './validate';

/** The types a browser gives a `.zip` (Windows says x-zip-compressed). */
const ZIP_TYPES = new Set(['application/zip', 'application/x-zip-compressed']);

/**
 * The skills of the workspace for the Skills page: listed with the folders that failed and the ones shadowed, one
 * skill's SKILL.md and files, switched off and on, the repository's skills trusted, and the editable ones (the
 * workspace's and the user's) created from a template, saved, removed, imported from a `.zip` and exported as one.
 */
export function skillRoutes(ctx: ServerContext): Hono {
  const { settings } = ctx.workspace;
  const { skills } = ctx.runtime;
  const folders = new SkillFolders(ctx.workspace.paths, skills);
  const skillName = (name: string) => parseInput(SkillNameSchema, name);
  /** Skills settings as written, for changing one field of them. */
  const changeSkills = (change: (skills: { disabled?: string[] }) => Record<string, unknown>) =>
    settings.update((raw) => {
      const current = (raw.skills && typeof raw.skills === 'object' ? raw.skills : {}) as { disabled?: string[] };
      return { ...raw, skills: change(current) };
    });
  return (
    new Hono()
      .get('/', async (c) => {
        const { skills: found, invalid, shadowed } = await skills.list();
        const limit = skillsBlockLimit(
          contextWindowOf(ctx.workspace, ctx.runtime.catalog, ctx.runtime.localServers, undefined),
        );
        const block = skillsBlock(
          found.filter((skill) => skill.loaded),
          limit,
        );
        return c.json({
          skills: found.map(skillSummary),
          invalid,
          shadowed,
          projectTrusted: settings.get().skills.trustProject,
          promptBlock: { characters: block.text.length, limit, cut: block.cut },
        } satisfies SkillList);
      })
      .post('/', async (c) => c.json(await folders.create(await readBody(c, CreateSkillBodySchema)), 201))
      .post('/import', async (c) => {
        const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
        if (!ZIP_TYPES.has(type))
          throw new ApiError(
            415,
            'unsupported_media_type',
            'A skill is imported as a .zip (Content-Type: application/zip).',
          );
        return c.json(await folders.import(new Uint8Array(await c.req.arrayBuffer())), 201);
      })
      // On the list itself: any single name below /api/skills/ could be a skill's.
      .patch('/', async (c) => {
        const { trusted } = await readBody(c, SkillTrustBodySchema);
        await changeSkills((current) => ({ ...current, trustProject: trusted }));
        return c.json({ trusted });
      })
      .get('/:name', async (c) => c.json(await folders.detail(skillName(c.req.param('name')))))
      .get('/:name/files', async (c) => {
        const name = skillName(c.req.param('name'));
        let path: string;
        try {
          path = checkPath(c.req.query('path'));
        } catch (error) {
          if (error instanceof FileApiError) throw new ApiError(error.status, error.code, error.message);
          throw error;
        }
        return c.json(await folders.file(name, path));
      })
      .get('/:name/export', async (c) => {
        const name = skillName(c.req.param('name'));
        const zip = await folders.export(name);
        return c.body(zip, 200, {
          'Content-Type': 'application/zip',
          'Content-Disposition': `attachment; filename="${name}.zip"`,
          'Cache-Control': 'no-store',
        });
      })
      .put('/:name', async (c) => {
        const name = skillName(c.req.param('name'));
        const { source } = await readBody(c, SaveSkillBodySchema);
        return c.json(await folders.save(name, source));
      })
      .delete('/:name', async (c) => {
        const name = skillName(c.req.param('name'));
        await folders.remove(name);
        return c.json({ deleted: name });
      })
      .put('/:name/enabled', async (c) => {
        const name = skillName(c.req.param('name'));
        const { enabled } = await readBody(c, SkillEnabledBodySchema);
        if (!(await skills.get(name))) throw new ApiError(404, 'skill_not_found', `There is no skill named "${name}".`);
        await changeSkills((current) => {
          const disabled = new Set(current.disabled ?? []);
          if (enabled) disabled.delete(name);
          else disabled.add(name);
          return { ...current, disabled: [...disabled].sort() };
        });
        return c.json({ name, enabled });
      })
  );
}
