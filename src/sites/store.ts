import { readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Site, type SiteBody, SitesFileSchema } from '../contract/sites';
import { errnoCode } from '../fs/errors';
import { writeFileAtomic } from '../workspace/atomic-write';
import { JsonFileError, parseJsonText, validateJson } from '../workspace/json-file';
import { isPlainObject } from '../workspace/merge-patch';
import type { WorkspacePaths } from '../workspace/paths';

export const SITES_FILE = 'sites.json';

/** What the file holds now: its sites, or why it cannot be used (then no site is served). */
export type SitesState = { sites: readonly Site[]; problem: null } | { sites: readonly Site[]; problem: JsonFileError };

/**
 * `.boxagnts/sites.json`. It is read again whenever it changed on disk (by size and time), so `boxagnts site add` in
 * another process, or a hand edit, applies to the running server at once. A broken file is reported with its field
 * and line and never rewritten; until it is fixed no site is served and nothing else is affected.
 */
export class SitesStore {
  readonly file: string;
  private cached: { stamp: string; state: SitesState } | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(paths: WorkspacePaths) {
    this.file = join(paths.dataDir, SITES_FILE);
  }

  /** How problems name the file: as the user finds it in the workspace, not by its path on this machine. */
  static readonly LABEL = `.boxagnts/${SITES_FILE}`;

  state(): SitesState {
    const stamp = this.stamp();
    if (this.cached?.stamp === stamp) return this.cached.state;
    const state = this.load(stamp);
    this.cached = { stamp, state };
    return state;
  }

  /** The site of this name, if the file is usable and has one. */
  get(name: string): Site | undefined {
    return this.state().sites.find((site) => site.name === name);
  }

  /** Adds the site or replaces its folder and the flags given; the others keep their value. */
  put(name: string, body: SiteBody): Promise<Site> {
    return this.change((sites) => {
      const before = sites.find((site) => site.name === name);
      const site: Site = {
        name,
        folder: body.folder,
        enabled: body.enabled ?? before?.enabled ?? true,
        listing: body.listing ?? before?.listing ?? false,
        dotfiles: body.dotfiles ?? before?.dotfiles ?? false,
        public: body.public ?? before?.public ?? false,
      };
      const next = before ? sites.map((s) => (s.name === name ? site : s)) : [...sites, site];
      return { next, result: site };
    });
  }

  /** False when there was no such site. */
  remove(name: string): Promise<boolean> {
    return this.change((sites) =>
      sites.some((site) => site.name === name)
        ? { next: sites.filter((site) => site.name !== name), result: true }
        : { next: null, result: false },
    );
  }

  /** Changes run one at a time on what is on disk now; a broken file is refused (JsonFileError), never overwritten. */
  private change<T>(work: (sites: readonly Site[]) => { next: Site[] | null; result: T }): Promise<T> {
    const next = this.queue.then(async () => {
      this.cached = undefined;
      const state = this.state();
      if (state.problem) throw state.problem;
      const { next: sites, result } = work(state.sites);
      if (sites) await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
      if (sites) await writeFileAtomic(this.file, `${JSON.stringify({ sites }, null, 2)}\n`);
      this.cached = undefined;
      return result;
    });
    // The caller gets `next` and its error; the queue only waits for it to settle before the next change.
    this.queue = next.catch(() => undefined);
    return next;
  }

  private stamp(): string {
    try {
      const info = statSync(this.file, { bigint: true });
      return `${info.ino}-${info.size}-${info.mtimeNs}`;
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return 'absent';
      throw error;
    }
  }

  private load(stamp: string): SitesState {
    if (stamp === 'absent') return { sites: [], problem: null };
    try {
      const text = readFileSync(this.file, 'utf8');
      const label = SitesStore.LABEL;
      const raw = parseJsonText(label, text);
      if (!isPlainObject(raw))
        throw new JsonFileError(label, 'the top level must be a JSON object such as {"sites": []}', 1);
      return { sites: validateJson(label, text, raw, SitesFileSchema).sites, problem: null };
    } catch (error) {
      if (error instanceof JsonFileError) return { sites: [], problem: error };
      if (errnoCode(error) === 'ENOENT') return { sites: [], problem: null };
      throw error;
    }
  }
}
