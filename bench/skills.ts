import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SkillCatalog } from '../src/tools/skills/skill-catalog';
import { skillsBlock, skillsBlockLimit } from '../src/tools/skills/skill-prompt';
import { type Bench, type Metric, median, percentile, round } from './lib';

const SKILLS = 200;

/** A SKILL.md of a realistic size: front matter, a page of instructions. */
function skillMd(i: number): string {
  const name = `skill-${String(i).padStart(3, '0')}`;
  const body = Array.from(
    { length: 40 },
    (_, line) => `${line + 1}. Step ${line + 1} of ${name}: read the files, change what is asked, check it.`,
  );
  return `---\nname: ${name}\ndescription: Does task number ${i} of a large collection, for projects that need it, with care.\nallowed-tools: read grep bash(npm test*)\n---\n# ${name}\n\n${body.join('\n')}\n`;
}

/** Skill discovery: listing 200 skill folders from disk, and the size of the skills block in the system prompt. */
export const skillsBench: Bench = {
  name: 'skills',
  async run(): Promise<Metric[]> {
    const root = await mkdtemp(join(tmpdir(), 'boxagnts-bench-skills-'));
    const dir = join(root, '.boxagnts', 'skills');
    try {
      for (let i = 0; i < SKILLS; i++) {
        const name = `skill-${String(i).padStart(3, '0')}`;
        await mkdir(join(dir, name, 'references'), { recursive: true });
        await writeFile(join(dir, name, 'SKILL.md'), skillMd(i));
        await writeFile(join(dir, name, 'references', 'notes.md'), '# notes\n');
      }
      const catalog = new SkillCatalog({
        root,
        folders: [{ dir, origin: 'workspace', editable: true, project: false }],
        settings: () => ({ disabled: [], trustProject: false }),
      });
      const times: number[] = [];
      for (let i = 0; i < 30; i++) {
        const started = performance.now();
        const { skills } = await catalog.list();
        times.push(performance.now() - started);
        if (skills.length !== SKILLS) throw new Error(`found ${skills.length} skills, not ${SKILLS}`);
      }
      const settled = times.slice(5);
      const loaded = await catalog.loaded();
      const limit = skillsBlockLimit(200_000);
      const block = skillsBlock(loaded, limit);
      const all = skillsBlock(loaded, Number.MAX_SAFE_INTEGER);
      const listed = (block.text.match(/^- /gm) ?? []).length;
      return [
        {
          name: `discover ${SKILLS} skills (read and parse every SKILL.md)`,
          value: round(median(settled)),
          unit: `ms (p95 ${round(percentile(settled, 95))} ms)`,
          target: '< 50 ms',
        },
        {
          name: `skills block in the system prompt (${SKILLS} skills, 200k-token window)`,
          value: block.text.length,
          unit: `characters (limit ${limit}; ${listed} skills listed, ${block.cut ? 'cut' : 'whole'}; uncut it would be ${all.text.length})`,
        },
      ];
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  },
};
