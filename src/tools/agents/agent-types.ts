import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import {
  type AgentDefinition,
  AgentFrontMatterSchema,
  type AgentList,
  type AgentOrigin,
  type AgentSaveBody,
  type InvalidAgentFile,
} from '../../contract/agents';
import { errnoCode, errorMessage } from '../../fs/errors';
import { isRealFolder } from '../../fs/real-folder';
import { writeFileAtomic } from '../../workspace/atomic-write';
import { FrontMatterError, readFrontMatter, writeFrontMatter } from '../../workspace/front-matter';
import { describeFirstIssue } from '../../workspace/json-file';
import { BUILT_IN_AGENTS } from './built-in';
import { ourPermissionMode, ourToolName } from './foreign-names';

/** An agent file larger than this is refused: instructions are a page or two, not a book. */
const MAX_FILE_BYTES = 256 * 1024;

export interface AgentTypesOptions {
  /** The workspace folder. */
  root: string;
  /** The workspace's own agent files (`.boxagnts/agents/`), the only ones the dashboard writes. */
  dir: string;
  /** Every tool name this workspace has, to flag names an agent file gets wrong. */
  knownTools(): readonly string[];
}

interface Folder {
  dir: string;
  origin: Exclude<AgentOrigin, 'built-in'>;
}

/**
 * The agent types of a workspace, read from disk on every call (a handful of small files), so an edit in the
 * dashboard or in an editor applies to the next child run: `.boxagnts/agents/`, then, read-only, Claude Code's
 * `.claude/agents/` and opencode's `.opencode/agent/`, then the built-in ones. A name found twice is taken from the
 * first and listed as shadowed; a file that cannot be used is listed with the reason, and the others load.
 */
export class AgentTypes {
  private last: readonly AgentDefinition[] = BUILT_IN_AGENTS;

  constructor(private readonly options: AgentTypesOptions) {}

  /** The agent types as last listed (the built-in ones before the first listing), without reading the disk. */
  known(): readonly AgentDefinition[] {
    return this.last;
  }

  private folders(): Folder[] {
    const { root, dir } = this.options;
    return [
      { dir, origin: 'workspace' },
      { dir: join(root, '.claude', 'agents'), origin: 'claude' },
      { dir: join(root, '.opencode', 'agent'), origin: 'opencode' },
    ];
  }

  async list(): Promise<AgentList> {
    const agents: AgentDefinition[] = [];
    const invalid: InvalidAgentFile[] = [];
    const shadowed: AgentList['shadowed'] = [];
    const seen = new Set<string>();
    const take = (agent: AgentDefinition) => {
      if (seen.has(agent.name)) {
        shadowed.push({ name: agent.name, path: agent.path ?? 'built-in', origin: agent.origin });
        return;
      }
      seen.add(agent.name);
      agents.push(agent);
    };
    for (const folder of this.folders()) {
      for (const file of await this.markdownFiles(folder.dir)) {
        const path = relative(this.options.root, file).split(sep).join('/');
        try {
          take(this.parse(await readSmallFile(file), path, folder.origin));
        } catch (error) {
          invalid.push({ path, origin: folder.origin, problem: errorMessage(error) });
        }
      }
    }
    for (const agent of BUILT_IN_AGENTS) take({ ...agent, unknownTools: this.unknown(agent) });
    this.last = agents;
    return { agents, invalid, shadowed };
  }

  async get(name: string): Promise<AgentDefinition | undefined> {
    return (await this.list()).agents.find((agent) => agent.name === name);
  }

  /** Writes `.boxagnts/agents/NAME.md` (a built-in or read-only type of that name is then shadowed by it). */
  async save(name: string, body: AgentSaveBody): Promise<AgentDefinition> {
    const { instructions, ...fields } = body;
    const text = writeFrontMatter({ name, ...fields }, instructions);
    const path = relative(this.options.root, this.file(name)).split(sep).join('/');
    // Checked as it will be read, so that what is saved always loads.
    const agent = this.parse(text, path, 'workspace');
    await mkdir(this.options.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file(name), text, { mode: 0o600 });
    return agent;
  }

  /** Removes the workspace's file of that name; false when there was none. */
  async remove(name: string): Promise<boolean> {
    try {
      await lstat(this.file(name));
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return false;
      throw error;
    }
    await rm(this.file(name));
    return true;
  }

  private file(name: string): string {
    return join(this.options.dir, `${name}.md`);
  }

  private parse(text: string, path: string, origin: Exclude<AgentOrigin, 'built-in'>): AgentDefinition {
    const { data, body } = readFrontMatter(text);
    const fileName = path.split('/').at(-1)!.replace(/\.md$/i, '');
    const { tools, disallowed } = toolFields(data.tools);
    const parsed = AgentFrontMatterSchema.safeParse({
      ...data,
      name: data.name ?? fileName,
      tools,
      disallowedTools: data.disallowedTools ?? disallowed,
      permissionMode: ourPermissionMode(data.permissionMode),
      // `inherit` (Claude Code) is what an absent model means here.
      model: data.model === 'inherit' ? undefined : data.model,
    });
    if (!parsed.success) {
      const { field, problem } = describeFirstIssue(parsed.error);
      throw new FrontMatterError(field ? `${field}: ${problem}` : problem);
    }
    const fm = parsed.data;
    if (origin === 'workspace' && fm.name !== fileName)
      throw new FrontMatterError(`name "${fm.name}" must match the file name (${fileName}.md)`);
    const definition: AgentDefinition = {
      name: fm.name,
      description: fm.description,
      ...(fm.tools ? { tools: fm.tools.map(ourToolName) } : {}),
      disallowedTools: (fm.disallowedTools ?? []).map(ourToolName),
      ...(fm.model ? { model: fm.model } : {}),
      ...(fm.permissionMode ? { permissionMode: fm.permissionMode } : {}),
      ...(fm.maxTurns ? { maxTurns: fm.maxTurns } : {}),
      ...(fm.budgetUsd ? { budgetUsd: fm.budgetUsd } : {}),
      ...(fm.isolation ? { isolation: fm.isolation } : {}),
      skills: fm.skills ?? [],
      readOnly: fm.readOnly === true,
      instructions: body.trim(),
      origin,
      path,
      unknownTools: [],
    };
    return { ...definition, unknownTools: this.unknown(definition) };
  }

  private unknown(agent: AgentDefinition): string[] {
    const known = new Set(this.options.knownTools());
    return [...(agent.tools ?? []), ...agent.disallowedTools].filter((name) => !known.has(name) && !name.includes('*'));
  }

  /** The `.md` files of a folder of the workspace, skipping links (a link could lead out of the workspace). */
  private async markdownFiles(dir: string): Promise<string[]> {
    if (!(await isRealFolder(this.options.root, dir))) return [];
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith('.md'))
      .map((entry) => join(dir, entry.name))
      .sort();
  }
}

/**
 * `tools` as Claude Code writes it (a list or a comma string) or as opencode does (`{write: false}`: every tool but
 * those set to false).
 */
function toolFields(tools: unknown): { tools: unknown; disallowed: unknown } {
  if (typeof tools !== 'object' || tools === null || Array.isArray(tools)) return { tools, disallowed: undefined };
  const off = Object.entries(tools)
    .filter(([, on]) => on === false)
    .map(([name]) => name);
  return { tools: undefined, disallowed: off };
}

async function readSmallFile(file: string): Promise<string> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const { size } = await handle.stat();
    if (size > MAX_FILE_BYTES) throw new FrontMatterError(`the file is larger than ${MAX_FILE_BYTES / 1024} KB`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
