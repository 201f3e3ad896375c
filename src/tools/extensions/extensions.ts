import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FSWatcher } from 'chokidar';
import { z } from 'zod';
import type { ExtensionOrigin, ExtensionProblem, ExtensionState } from '../../contract/tools';
import { errorMessage } from '../../fs/errors';
import type { Logger } from '../../log';
import type { Sandbox } from '../../sandbox/service';
import { JsonFileError, parseJsonText, validateJson } from '../../workspace/json-file';
import type { Tool } from '../tool';
import type { ToolSource } from '../source';
import { extensionTool, manifestNarrowing } from './extension-tool';
import { type ToolManifest, ToolManifestSchema, unknownPlaceholders } from './manifest';

const MAX_MANIFEST_BYTES = 256 * 1024;
const MAX_MODULE_BYTES = 64 * 1024 * 1024;
/** Editors write a file in several steps; changes are gathered for this long before the folder is read again. */
const SETTLE_MS = 150;

/** A tool loaded from a folder, for the Tools page. */
export type ExtensionInfo = { name: string } & ExtensionState;

interface Entry {
  folder: string;
  origin: ExtensionOrigin;
  /** Changes when tool.json or the module changes: an unchanged folder keeps its prepared module. */
  fingerprint: string;
  tool: Tool;
  ready: boolean;
  prepared: Promise<string>;
}

type Found =
  | { folder: string; origin: ExtensionOrigin; manifest: ToolManifest; modulePath: string; fingerprint: string }
  | ExtensionProblem;

export interface ExtensionToolsOptions {
  sources: { dir: string; origin: ExtensionOrigin }[];
  /** Where the workspace's own tools live; watched for changes. */
  watchDir: string | null;
  sandbox: Sandbox;
  /** Names taken by other tools: an extension may not reuse them. */
  reserved: () => ReadonlySet<string>;
  logger: Logger;
}

async function readFolder(folder: string, dir: string, origin: ExtensionOrigin): Promise<Found> {
  const problem = (message: string): ExtensionProblem => ({ folder, origin, message });
  const manifestPath = join(dir, 'tool.json');
  let text: string;
  try {
    const info = await stat(manifestPath);
    if (info.size > MAX_MANIFEST_BYTES) return problem(`tool.json is larger than ${MAX_MANIFEST_BYTES / 1024} KB`);
    text = await readFile(manifestPath, 'utf8');
  } catch {
    return problem('the folder has no tool.json');
  }
  let manifest: ToolManifest;
  try {
    manifest = validateJson('tool.json', text, parseJsonText('tool.json', text), ToolManifestSchema);
  } catch (error) {
    return problem(error instanceof JsonFileError ? error.message : `tool.json: ${errorMessage(error)}`);
  }
  try {
    z.fromJSONSchema(manifest.inputSchema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (error) {
    return problem(`tool.json (field "inputSchema"): not a usable JSON Schema: ${errorMessage(error)}`);
  }
  const unknown = unknownPlaceholders(manifest);
  if (unknown.length)
    return problem(
      `tool.json (field "input.argv"): ${unknown.map((f) => `{{${f}}}`).join(', ')} names no property of inputSchema`,
    );
  const modulePath = join(dir, manifest.module);
  let bytes: Buffer;
  try {
    const info = await stat(modulePath);
    if (!info.isFile()) return problem(`${manifest.module} is not a file`);
    if (info.size > MAX_MODULE_BYTES)
      return problem(`${manifest.module} is larger than ${MAX_MODULE_BYTES / 1024 / 1024} MB`);
    bytes = await readFile(modulePath);
  } catch {
    return problem(`the module ${manifest.module} named in tool.json is missing`);
  }
  const fingerprint = createHash('sha256').update(text).update('\0').update(bytes).digest('hex');
  return { folder, origin, manifest, modulePath, fingerprint };
}

/**
 * The WebAssembly tools of a workspace and of the product, read from their folders (`tool.json` + a `.wasm`
 * module). A folder that is wrong in any way becomes a problem with its reason, never an error for the other tools.
 * The workspace folder is watched: tools appear, change and disappear without a restart.
 */
export class ExtensionTools implements ToolSource {
  private entries = new Map<string, Entry>();
  private readonly listeners = new Set<() => void>();
  private problemList: ExtensionProblem[] = [];
  private watcher: FSWatcher | null = null;
  private settleTimer: NodeJS.Timeout | null = null;
  private loading: Promise<void> = Promise.resolve();
  private generation = 0;

  constructor(private readonly options: ExtensionToolsOptions) {}

  tools(): Tool[] {
    return [...this.entries.values()].map((e) => e.tool);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  info(): ExtensionInfo[] {
    return [...this.entries.values()].map((e) => ({
      name: e.tool.name,
      folder: e.folder,
      origin: e.origin,
      state: e.ready ? 'ready' : 'preparing',
    }));
  }

  problems(): ExtensionProblem[] {
    return this.problemList;
  }

  /** Reads every folder again; resolves once the tools are listed (their modules may still be preparing). */
  reload(): Promise<void> {
    this.loading = this.loading.then(() => this.scan());
    return this.loading;
  }

  /** Resolves when the latest reload and every module preparation it started have finished. */
  async settled(): Promise<void> {
    await this.loading;
    await Promise.allSettled([...this.entries.values()].map((e) => e.prepared));
  }

  async start(): Promise<void> {
    await this.reload();
    const dir = this.options.watchDir;
    if (!dir) return;
    // Loaded only when watching: a headless run never watches, and chokidar is a noticeable part of start-up.
    const { watch } = await import('chokidar');
    this.watcher = watch(dir, { ignoreInitial: true, depth: 2 });
    this.watcher.on('all', () => this.schedule());
    this.watcher.on('error', (error) => this.options.logger.warn({ err: error }, 'watching the tools folder failed'));
    await new Promise<void>((resolve) => this.watcher!.once('ready', () => resolve()));
  }

  async close(): Promise<void> {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    await this.watcher?.close();
    await this.loading;
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private schedule(): void {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => void this.reload(), SETTLE_MS);
  }

  private async scan(): Promise<void> {
    const generation = ++this.generation;
    const found: Found[] = [];
    for (const { dir, origin } of this.options.sources) {
      let folders: string[];
      try {
        folders = (await readdir(dir, { withFileTypes: true }))
          .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
          .map((d) => d.name)
          .sort();
      } catch {
        continue;
      }
      for (const folder of folders) found.push(await readFolder(folder, join(dir, folder), origin));
    }
    const problems: ExtensionProblem[] = [];
    const chosen = new Map<string, Extract<Found, { manifest: ToolManifest }>>();
    const reserved = this.options.reserved();
    for (const item of found) {
      if (!('manifest' in item)) {
        problems.push(item);
        continue;
      }
      const name = item.manifest.name;
      const taken = chosen.get(name);
      if (reserved.has(name))
        problems.push({
          folder: item.folder,
          origin: item.origin,
          message: `a built-in tool is already named "${name}"`,
        });
      // A workspace tool replaces a built-in one of the same name; two folders of one origin cannot share a name.
      else if (taken && taken.origin === item.origin)
        problems.push({
          folder: item.folder,
          origin: item.origin,
          message: `the folder ${taken.folder} already provides a tool named "${name}"`,
        });
      else if (!taken || item.origin === 'workspace') chosen.set(name, item);
    }
    if (generation !== this.generation) return;
    const entries = new Map<string, Entry>();
    for (const [name, item] of chosen) {
      const previous = this.entries.get(name);
      entries.set(name, previous && previous.fingerprint === item.fingerprint ? previous : this.entry(item));
    }
    this.entries = entries;
    this.problemList = problems;
    this.changed();
  }

  private entry(item: Extract<Found, { manifest: ToolManifest }>): Entry {
    const { sandbox } = this.options;
    const prepared = sandbox.prepareModule(item.manifest.name, item.modulePath, manifestNarrowing(item.manifest));
    const entry: Entry = {
      folder: item.folder,
      origin: item.origin,
      fingerprint: item.fingerprint,
      ready: false,
      prepared,
      tool: extensionTool({ manifest: item.manifest, sandbox, source: item.modulePath, prepared }),
    };
    prepared.then(
      () => {
        entry.ready = true;
        if (this.entries.get(entry.tool.name) === entry) this.changed();
      },
      (error: Error) => {
        // A module that cannot be run leaves the tool list and is reported in its place.
        if (this.entries.get(entry.tool.name) !== entry) return;
        this.entries.delete(entry.tool.name);
        this.problemList = [
          ...this.problemList,
          { folder: item.folder, origin: item.origin, message: `${item.manifest.module}: ${error.message}` },
        ];
        this.changed();
      },
    );
    return entry;
  }
}
