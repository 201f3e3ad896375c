import { z } from 'zod';

/**
 * Published folders: `.boxagnts/sites.json` lists them, the server serves each at `/sites/NAME/`. The folder is
 * workspace-relative; the server still walks every request through the confiner, so this shape is only the first check.
 */

/** A site's name is a URL segment and a key: short, lower case, nothing to encode. */
export const SITE_NAME = /^[a-z0-9-]{1,40}$/;
export const SiteNameSchema = z.string().regex(SITE_NAME, 'must be 1 to 40 lower-case letters, digits or dashes');

/** A workspace-relative folder with `/` between names: never absolute, never climbing, never the workspace itself. */
export const SiteFolderSchema = z
  .string()
  .min(1, 'give a folder of the workspace, such as "build/docs" (the workspace itself cannot be published)')
  .max(1024)
  .refine((path) => !path.includes('\\') && !path.includes('\0'), 'must use / between folders (no backslash)')
  .refine((path) => !path.startsWith('/'), 'must be relative to the workspace, not absolute')
  .refine(
    (path) => path.split('/').every((part) => part !== '' && part !== '.' && part !== '..'),
    'must not have an empty, "." or ".." part',
  )
  .refine((path) => path.split('/')[0] !== '.boxagnts', 'the runtime’s own folder cannot be published');

/** The switches of a site; all off but `enabled` unless the user turns them on. */
const SiteFlags = {
  /** Served at all. */
  enabled: z.boolean().default(true),
  /** A folder without index.html lists its files. */
  listing: z.boolean().default(false),
  /** Files and folders whose names start with a dot are served. */
  dotfiles: z.boolean().default(false),
  /** Served also when the server listens beyond this computer (`--host`); otherwise a site is loopback only. */
  public: z.boolean().default(false),
};

export const SiteSchema = z.strictObject({ name: SiteNameSchema, folder: SiteFolderSchema, ...SiteFlags });
export type Site = z.output<typeof SiteSchema>;

/** The whole of `.boxagnts/sites.json`. */
export const SitesFileSchema = z.strictObject({
  sites: z.array(SiteSchema).superRefine((sites, ctx) => {
    const seen = new Set<string>();
    sites.forEach((site, index) => {
      if (seen.has(site.name))
        ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `the name "${site.name}" is used twice` });
      seen.add(site.name);
    });
  }),
});
export type SitesFile = z.output<typeof SitesFileSchema>;

/** `PUT /api/sites/:name`: creates the site or replaces it; flags left out keep their value (or default). */
export const SiteBodySchema = z.strictObject({
  folder: SiteFolderSchema,
  enabled: z.boolean().optional(),
  listing: z.boolean().optional(),
  dotfiles: z.boolean().optional(),
  public: z.boolean().optional(),
});
export type SiteBody = z.output<typeof SiteBodySchema>;

/** A site as the API shows it. */
export const SiteViewSchema = SiteSchema.extend({
  /** Path on this server, `/sites/NAME/`. */
  url: z.string(),
  /** Whether the folder exists as a folder (a link or a file is not one). */
  folderExists: z.boolean(),
  /** Whether a request would be answered now: enabled, folder there, and allowed on this bind address. */
  served: z.boolean(),
  /** Who can open it, in a sentence. */
  reachableBy: z.string(),
});
export type SiteView = z.output<typeof SiteViewSchema>;

/** `sites.json` that cannot be used: no site is served until it is fixed, and nothing else stops. */
export const SitesFileProblemSchema = z.object({
  message: z.string(),
  line: z.number().optional(),
  field: z.string().optional(),
});
export type SitesFileProblem = z.output<typeof SitesFileProblemSchema>;

/** `GET /api/sites`. */
export const SitesListSchema = z.object({
  sites: z.array(SiteViewSchema),
  problem: SitesFileProblemSchema.nullable(),
  /** The server listens beyond this computer: only sites marked public are served. */
  exposed: z.boolean(),
});
export type SitesList = z.output<typeof SitesListSchema>;

/** `PUT /api/sites/:name` answers with the site as saved. */
export const SiteSavedSchema = z.object({ site: SiteViewSchema });
