import { z } from 'zod';

// What the guest may ask of the host through `__host(op, json)`. The guest is not trusted (jsexec runs the model's
// own code, which can call `__host` with anything), so each call's arguments are parsed here before any is used.

const path = z.string();
const count = z.number().int().nonnegative();

const HostCallSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('sleep'), args: z.object({ ms: z.number().optional() }) }),
  z.object({
    op: z.literal('fetch'),
    args: z.object({
      url: z.string(),
      method: z.string().optional(),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.string().optional(),
      maxBytes: count,
      timeoutMs: z.number().optional(),
    }),
  }),
  z.object({
    op: z.literal('exec'),
    args: z.object({
      program: z.string().min(1).max(4096),
      args: z.array(z.string().max(1_000_000)).max(100_000),
      cwd: path,
      env: z.record(z.string(), z.string()),
      stdin: z.string(),
    }),
  }),
  z.object({ op: z.literal('walk'), args: z.object({ path }) }),
  z.object({
    op: z.literal('matchFile'),
    args: z.object({ path, pattern: z.string().max(10_000), flags: z.enum(['', 'i']) }),
  }),
  z.object({ op: z.literal('stat'), args: z.object({ path }) }),
  z.object({ op: z.literal('readdir'), args: z.object({ path }) }),
  z.object({
    op: z.literal('readFile'),
    args: z.object({ path, as: z.enum(['text', 'base64']).optional(), maxBytes: count }),
  }),
  z.object({
    op: z.literal('writeFile'),
    args: z.object({
      path,
      content: z.string(),
      encoding: z.enum(['utf8', 'base64']).optional(),
      append: z.boolean().optional(),
    }),
  }),
  z.object({ op: z.literal('mkdir'), args: z.object({ path }) }),
  z.object({
    op: z.literal('rm'),
    args: z.object({ path, recursive: z.boolean().optional(), force: z.boolean().optional() }),
  }),
  z.object({ op: z.literal('rename'), args: z.object({ path, to: path }) }),
  z.object({ op: z.literal('copy'), args: z.object({ path, to: path, recursive: z.boolean().optional() }) }),
  z.object({ op: z.literal('chmod'), args: z.object({ path, mode: count }) }),
  z.object({ op: z.literal('utimes'), args: z.object({ path, atimeMs: z.number(), mtimeMs: z.number() }) }),
]);
export type HostCall = z.infer<typeof HostCallSchema>;

/** The guest's call, parsed; or why it cannot be, as a message for the guest. */
export function parseHostCall(op: string, argsJson: string): { call: HostCall } | { invalid: string } {
  let args: unknown;
  try {
    args = JSON.parse(argsJson);
  } catch {
    return { invalid: `__host ${op}: the arguments are not JSON` };
  }
  const parsed = HostCallSchema.safeParse({ op, args });
  if (parsed.success) return { call: parsed.data };
  const unknownOp = parsed.error.issues.some((issue) => issue.path.length === 1 && issue.path[0] === 'op');
  if (unknownOp) return { invalid: `unknown operation ${op}` };
  return { invalid: `__host ${op}: invalid arguments: ${describeIssues(parsed.error)}` };
}

/** The issues as one line, each naming its field (`args.url: expected string, received number`). */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.slice(1).join('.');
      return field ? `${field}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
