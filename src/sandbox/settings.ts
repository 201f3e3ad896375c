import { isAbsolute, posix } from 'node:path';
import type { z } from 'zod';
import { SandboxSettingsSchema as SandboxSettingsShape } from '../contract/settings';
import { parseAllowEntry } from './net/allow-entry';
import { parseBlockEntry } from './net/block-networks';
import { NetPolicyConfigError } from './net/types';

/** Where the sandbox shows the folder of cut tool output, read-only: the one part of the runtime's folder a tool may read. */
export const TOOL_OUTPUT_GUEST_DIR = '/.tool-output';

type Path = (string | number)[];

/** Why a mount's guest path cannot be used, or undefined when it can. */
function guestPathProblem(guest: string): string | undefined {
  if (!guest.startsWith('/') || posix.normalize(guest) !== guest || guest === '/' || guest.endsWith('/'))
    return 'must be an absolute guest path such as /data (not / itself)';
  if (guest === '/.boxagnts' || guest.startsWith('/.boxagnts/')) return 'must not be inside /.boxagnts';
  if (guest === TOOL_OUTPUT_GUEST_DIR || guest.startsWith(`${TOOL_OUTPUT_GUEST_DIR}/`))
    return `must not be inside ${TOOL_OUTPUT_GUEST_DIR} (where cut tool output is read)`;
  return undefined;
}

/** The contract's sandbox settings with the checks only the sandbox can make: its net entries and its mounts. */
export const SandboxSettingsSchema = SandboxSettingsShape.superRefine((settings, ctx) => {
  const refuse = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });
  // Read by the net policy's own parser, so an invalid entry is refused with its reason, never ignored.
  const netEntries = (entries: readonly string[] | undefined, parse: (text: string) => unknown, path: Path) =>
    entries?.forEach((entry, i) => {
      try {
        parse(entry);
      } catch (error) {
        if (!(error instanceof NetPolicyConfigError)) throw error;
        refuse([...path, i], error.message);
      }
    });
  netEntries(settings.allowedOutboundHosts, parseAllowEntry, ['allowedOutboundHosts']);
  netEntries(settings.blockNetworks, parseBlockEntry, ['blockNetworks']);
  settings.mounts.forEach((mount, i) => {
    if (!isAbsolute(mount.host)) refuse(['mounts', i, 'host'], 'must be an absolute path on this machine');
    const problem = guestPathProblem(mount.guest);
    if (problem) refuse(['mounts', i, 'guest'], problem);
  });
  for (const [tool, narrowing] of Object.entries(settings.tools)) {
    netEntries(narrowing.allowedOutboundHosts, parseAllowEntry, ['tools', tool, 'allowedOutboundHosts']);
    netEntries(narrowing.blockNetworks, parseBlockEntry, ['tools', tool, 'blockNetworks']);
  }
});
export type SandboxSettings = z.output<typeof SandboxSettingsSchema>;
