import { join, relative, sep } from 'node:path';
import type { ModelCatalog } from '../models/catalog';
import type { LocalServers } from '../models/local-servers/registry';
import { modelWindow } from '../models/local-servers/window';
import { SERVER_FACTS_WAIT_MS, modelInfo, parseModelId } from '../models/providers';
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

/**
 * A model's context window (the workspace default model when none is named): the catalog's, or the one its local
 * server runs it at when that is smaller and known. Never waits: a run asks the server first (`LocalServers.facts`).
 */
export function contextWindowOf(
  workspace: Workspace,
  catalog: ModelCatalog,
  servers: LocalServers,
  model: string | undefined,
): number | undefined {
  const settings = workspace.settings.get();
  const parsed = parseModelId(model ?? settings.defaultModel ?? '');
  const provider = parsed && settings.providers[parsed.providerId];
  if (!provider) return undefined;
  const catalogWindow = modelInfo(catalog, provider, parsed.modelId).contextWindow;
  return modelWindow(catalogWindow, provider, parsed.modelId, servers.cached(parsed.providerId, provider)).used;
}

/** Asks the model's local server (if it has one) what it runs the model at, waiting briefly; the answer is cached. */
export async function primeServerFacts(
  workspace: Workspace,
  servers: LocalServers,
  model: string | undefined,
): Promise<void> {
  const settings = workspace.settings.get();
  const parsed = parseModelId(model ?? settings.defaultModel ?? '');
  const provider = parsed && settings.providers[parsed.providerId];
  if (provider) await servers.facts(parsed.providerId, provider, { waitMs: SERVER_FACTS_WAIT_MS });
}
