import { z } from 'zod';
import type { PolicyNarrowing } from '../../sandbox/limits';
import type { SandboxResult } from '../../sandbox/protocol';
import type { Sandbox } from '../../sandbox/service';
import { toToolResult } from '../sandboxed/sandboxed-tool';
import type { JSONSchema, Tool, ToolResult } from '../tool';
import { PLACEHOLDER, type ToolManifest } from './manifest';

/** A call's input: the fields named by the manifest's argv placeholders, or sent whole on stdin. */
const InputFieldsSchema = z.record(z.string(), z.unknown());

/** What a module may print on stdout to give a structured result instead of plain text. */
const StructuredOutput = z.object({
  content: z.string(),
  /** true, or the error message itself. */
  error: z.union([z.boolean(), z.string()]).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

/** What the worker hands back from a WASI run. */
interface WasiOutput {
  stdout: string;
  trap?: string;
}

function argText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : JSON.stringify(value);
}

/**
 * The command line a call becomes: argv[0] is the tool's name, then each template with its placeholders filled in.
 * A template whose every placeholder is missing from the input is left out, so `--indent={{indent}}` disappears
 * when `indent` is not given.
 */
export function argvFor(manifest: ToolManifest, input: Record<string, unknown>): string[] {
  if (manifest.input.mode !== 'argv') return [manifest.name];
  const args = [manifest.name];
  for (const template of manifest.input.argv) {
    const fields = [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
    if (fields.length > 0 && fields.every((field) => input[field] === undefined)) continue;
    args.push(template.replace(PLACEHOLDER, (_, field: string) => argText(input[field])));
  }
  return args;
}

/** Plain text, or the `{content, error, metadata}` object the module printed. Failures show stderr and the exit code. */
export function presentOutput(result: SandboxResult): ToolResult {
  const output = (result.output ?? { stdout: '' }) as WasiOutput | { error: string };
  if ('error' in output) return { content: `The tool could not run: ${output.error}`, isError: true };
  const stdout = output.stdout.replace(/\n$/, '');
  const stderr = result.stderr.replace(/\n$/, '');
  if (result.exitCode !== 0 || output.trap) {
    const parts = [stdout, stderr && `[stderr]\n${stderr}`, output.trap && `The module trapped: ${output.trap}`].filter(
      Boolean,
    );
    return {
      content: `${parts.join('\n') || '(no output)'}\n(exit code ${result.exitCode})`,
      isError: true,
      metadata: { exitCode: result.exitCode },
    };
  }
  const stderrNote = stderr ? { stderr: stderr.slice(0, 2000) } : {};
  let structured: z.output<typeof StructuredOutput> | undefined;
  if (stdout.trimStart().startsWith('{')) {
    try {
      const parsed = StructuredOutput.safeParse(JSON.parse(stdout));
      if (parsed.success) structured = parsed.data;
    } catch {
      // Not JSON after all: plain text.
    }
  }
  if (!structured) return { content: stdout || '(no output)', metadata: stderrNote };
  const { content, error, metadata } = structured;
  const message = typeof error === 'string' ? error : content;
  return {
    content: message || '(no output)',
    ...(error ? { isError: true } : {}),
    metadata: { ...metadata, ...stderrNote },
  };
}

export interface ExtensionToolOptions {
  manifest: ToolManifest;
  sandbox: Sandbox;
  /** The module file beside tool.json. */
  source: string;
  /** Resolves with the module's hash once it has been prepared (checked and instrumented). */
  prepared: Promise<string>;
}

/** The limits a manifest asks for, as a narrowing of the workspace's sandbox limits. */
export function manifestNarrowing(manifest: ToolManifest): PolicyNarrowing {
  return { ...manifest.limits };
}

/** A tool shipped as a WebAssembly module: the model sees the manifest's schema; each call runs the module afresh. */
export function extensionTool({ manifest, sandbox, source, prepared }: ExtensionToolOptions): Tool {
  const narrowing = manifestNarrowing(manifest);
  return {
    name: manifest.name,
    description: manifest.description,
    permissionLevel: manifest.permissionLevel,
    source: 'extension',
    inputSchema: manifest.inputSchema as JSONSchema,
    ...(manifest.defer ? { defer: true } : {}),
    async execute(input, ctx) {
      // The registry checked the input against the manifest's schema, whose type is `object`.
      const fields = InputFieldsSchema.parse(input);
      const stdin = manifest.input.mode === 'stdin' ? JSON.stringify(fields) : '';
      const job = {
        kind: 'wasi' as const,
        name: manifest.name,
        source,
        hash: await prepared,
        args: argvFor(manifest, fields),
        stdin,
      };
      const { result, policy } = await sandbox.run(manifest.name, job, {
        signal: ctx.signal,
        scope: ctx.scope,
        narrowing,
      });
      return toToolResult(manifest.name, result, policy, presentOutput);
    },
  };
}
