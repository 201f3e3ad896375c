import { createHash } from 'node:crypto';
import { z } from 'zod';

// The single executable carries the package (package.json, dist/, skills/ and the node_modules dist/ imports) as two
// SEA assets, written by scripts/build-binary.mjs: the manifest, and the payload, every file's bytes one after the
// other in the manifest's order, compressed with Brotli.
export const MANIFEST_ASSET = 'boxagnts-manifest.json';
export const PAYLOAD_ASSET = 'boxagnts-payload.br';

/** A path relative to the package folder, with forward slashes and no `..`, `.` or empty part. */
const RelativePath = z
  .string()
  .refine((path) => path.split('/').every((part) => part !== '' && part !== '.' && part !== '..'), 'a bad file path');

export const Manifest = z.object({
  version: z.string().regex(/^[0-9A-Za-z.+-]+$/),
  files: z.array(z.object({ path: RelativePath, size: z.number().int().nonnegative(), sha256: z.string() })),
});
export type Manifest = z.infer<typeof Manifest>;

/**
 * The unpacked package's folder name: the version, and a hash of the manifest (so of every file's path and content).
 * Two builds of one version with different contents never share a folder.
 */
export function unpackedFolderName(manifestText: string, version: string): string {
  return `sea-${version}-${createHash('sha256').update(manifestText).digest('hex').slice(0, 16)}`;
}
