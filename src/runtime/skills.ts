import { join, relative, sep } from 'node:path';
import type { ModelCatalog } from '../models/catalog';
import { modelInfo, parseModelId } from '../models/providers';
import { packageRoot } from '../package-info';
import { SkillCatalog, type SkillFolder } from '../tools/skills/skill-catalog';
import { userDataDir } from '../workspace/paths';
import type { Workspace } from '../workspace/workspace';

/**
 * The skills a workspace sees, in order of precedence: its own (`.boxagnts/skills/`), those that came with the
 * repository (`.agents/skills/`, `.claude/skills/`: loaded once trusted), the user's (`~/.boxagnts/skills/`) and the
 * product's built-in ones.
 */
export function workspaceSkills(workspace: Workspace, env: NodeJS.ProcessEnv): SkillCatalog {
  const { root, skillsDir } = workspace.paths;
  const userDir = join(userDataDir(env), 'skills');
  const builtInDir = join(packageRoot(), 'skills');
  const folders: SkillFolder[] = [
    { dir: skillsDir, origin: 'workspace', editable: true, project: false },
    { dir: join(root, '.agents', 'skills'), origin: 'agents', editable: false, project: true },
    { dir: join(root, '.claude', 'skills'), origin: 'claude', editable: false, project: true },
    { dir: userDir, origin: 'user', editable: true, project: false },
    { dir: builtInDir, origin: 'built-in', editable: false, project: false },
  ];
  return new SkillCatalog({
    root,
    folders,
    settings: () => workspace.settings.get().skills,
    display: (folder, dir) => {
      const name = relative(folder.dir, dir);
      if (folder.origin === 'user') return `~/.boxagnts/skills/${name}`;
      if (folder.origin === 'built-in') return `skills/${name}`;
      return relative(root, dir).split(sep).join('/');
    },
  });
}

/** A model's context window as the catalog knows it (the workspace default model when none is named). */
export function contextWindowOf(
  workspace: Workspace,
  catalog: ModelCatalog,
  model: string | undefined,
): number | undefined {
  const settings = workspace.settings.get();
  const parsed = parseModelId(model ?? settings.defaultModel ?? '');
  const provider = parsed && settings.providers[parsed.providerId];
  return provider ? modelInfo(catalog, provider, parsed.modelId).contextWindow : undefined;
}
