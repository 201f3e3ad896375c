import type { Context } from 'hono';
import type { z } from 'zod';
import { describeFirstIssue, fieldPath } from '../workspace/json-file';
import { prototypeKeyPath, prototypeKeyProblem } from '../workspace/prototype-keys';
import { ApiError } from './errors';
import { errorMessage } from '../fs/errors';

/**
 * Reads a JSON body; anything that is not JSON is a 400 with a message that says so, and so is a body holding a
 * prototype key anywhere (routes merge bodies into settings, secrets and sessions).
 */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') throw new ApiError(400, 'invalid_json', 'The request body must be JSON; it was empty.');
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    throw new ApiError(400, 'invalid_json', `The request body is not valid JSON: ${errorMessage(error)}`);
  }
  const unsafe = prototypeKeyPath(value);
  if (unsafe) {
    const field = fieldPath(unsafe);
    throw new ApiError(400, 'invalid_request', `${field}: ${prototypeKeyProblem(String(unsafe.at(-1)))}`, { field });
  }
  return value;
}

/** Validates input against a schema; the first problem becomes a 400 naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { field, problem } = describeFirstIssue(result.error);
  throw new ApiError(400, 'invalid_request', field ? `${field}: ${problem}` : problem, field ? { field } : {});
}

export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  return parseInput(schema, await readJson(c));
}
