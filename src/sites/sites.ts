import type { Site, SiteView, SitesList } from '../contract/sites';
import type { WorkspacePaths } from '../workspace/paths';
import { SiteFolders } from './folders';
import { createSiteHandler } from './handler';
import { SitesStore } from './store';

/** The workspace's published folders: their list, the folders they read, and the handler the server mounts. */
export class Sites {
  readonly store: SitesStore;
  readonly folders: SiteFolders;
  readonly serve: ReturnType<typeof createSiteHandler>;

  /** `exposed`: the server listens beyond this computer, so only sites marked public are served. */
  constructor(
    paths: WorkspacePaths,
    readonly exposed: boolean,
  ) {
    this.store = new SitesStore(paths);
    this.folders = new SiteFolders(paths);
    this.serve = createSiteHandler(this.store, this.folders, { exposed });
  }

  list(): SitesList {
    const { sites, problem } = this.store.state();
    return {
      sites: sites.map((site) => this.view(site)),
      problem: problem
        ? {
            message: problem.message,
            ...(problem.line !== undefined ? { line: problem.line } : {}),
            ...(problem.field ? { field: problem.field } : {}),
          }
        : null,
      exposed: this.exposed,
    };
  }

  view(site: Site): SiteView {
    const folderExists = this.folders.folderExists(site.folder);
    const allowed = !this.exposed || site.public;
    return {
      ...site,
      url: `/sites/${site.name}/`,
      folderExists,
      served: site.enabled && folderExists && allowed,
      reachableBy: reachableBy(site, this.exposed),
    };
  }
}

/** Who can open a site, said plainly: the answer depends on the switch, the public mark and the bind address. */
export function reachableBy(site: Site, exposed: boolean): string {
  if (!site.enabled) return 'Nobody: the site is turned off.';
  if (exposed)
    return site.public
      ? 'Anyone who can reach this server over the network, without signing in.'
      : 'Nobody: the server listens beyond this computer and the site is not marked public.';
  return site.public
    ? 'Only this computer (the server listens on loopback). Marked public: served to the network when the server listens beyond this computer.'
    : 'Only this computer (the server listens on loopback).';
}
