import { z } from 'zod';
import { PERMISSION_LEVELS } from '../../permissions/policy';

const MiB = 1024 * 1024;

/** `{{field}}` in an argv template stands for that input field. */
export const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/g;

/**
 * How the tool's input reaches the module: as JSON on stdin, or spread into argv by templates such as
 * `["--indent", "{{indent}}", "{{path}}"]`.
 */
const InputMapping = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('stdin') }),
  z.strictObject({ mode: z.literal('argv'), argv: z.array(z.string().max(4096)).max(256) }),
]);

/** Limits a manifest may ask for; they only ever narrow the workspace's sandbox limits. */
const Limits = z.strictObject({
  timeoutMs: z.number().int().min(100).max(3_600_000).optional(),
  maxMemoryBytes: z
    .number()
    .int()
    .min(MiB)
    .max(4096 * MiB)
    .optional(),
  maxStackBytes: z
    .number()
    .int()
    .min(64 * 1024)
    .max(64 * MiB)
    .optional(),
  fuel: z.number().int().min(1).optional(),
});

/** `tool.json`: everything the runtime needs to offer and run a WebAssembly tool. */
export const ToolManifestSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z
    .string()
    .regex(/^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/, 'must start with a letter and use letters, digits, _ and - (at most 64)'),
  description: z.string().min(1).max(4000),
  permissionLevel: z.enum(PERMISSION_LEVELS),
  inputSchema: z.looseObject({ type: z.literal('object') }),
  input: InputMapping,
  module: z
    .string()
    .regex(/^[\w.-]+\.wasm$/, 'must be the name of a .wasm file beside tool.json')
    .refine((name) => !name.startsWith('.'), 'must not start with a dot'),
  limits: Limits.optional(),
  /** Offered to the model by name only until tool_search finds it, unless the workspace lists it in tools.offered. */
  defer: z.boolean().optional(),
});
export type ToolManifest = z.output<typeof ToolManifestSchema>;

/** The input fields an argv template names that the input schema does not define. */
export function unknownPlaceholders(manifest: ToolManifest): string[] {
  if (manifest.input.mode !== 'argv') return [];
  const properties = (manifest.inputSchema.properties ?? {}) as Record<string, unknown>;
  const named = manifest.input.argv.flatMap((arg) => [...arg.matchAll(PLACEHOLDER)].map((m) => m[1]!));
  return [...new Set(named.filter((field) => !Object.hasOwn(properties, field)))];
}
