import { boundedJson } from './bounded-json';

/**
 * Loaded into every QuickJS context, our tools' and the model's code alike. The engine hands each call's result,
 * or what it threw, through these, so that what leaves the guest is JSON text of a bounded length whatever the
 * guest produced.
 */
const globals = globalThis as Record<string, unknown>;

globals.__encodeResult = (value: unknown, json: boolean, max: number) => boundedJson(value, { json, max });

/** A thrown value as `{ message, stack }`: an error's name and message, anything else as text. */
globals.__encodeError = (thrown: unknown, max: number) => {
  if (thrown === null || typeof thrown !== 'object')
    return boundedJson({ message: String(thrown) }, { json: false, max });
  const { name, message, stack } = thrown as { name?: unknown; message?: unknown; stack?: unknown };
  const described = {
    message: `${typeof name === 'string' ? name : 'Error'}: ${typeof message === 'string' ? message : ''}`,
    ...(typeof stack === 'string' ? { stack } : {}),
  };
  return boundedJson(described, { json: false, max });
};
