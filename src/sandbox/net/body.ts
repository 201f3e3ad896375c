import type { Deadline } from './deadline';

export interface CappedBody {
  body: Uint8Array;
  /** The server had more than `maxBytes` to send; the rest was never read. */
  truncated: boolean;
}

/**
 * The part of a web stream this reads. Written out rather than named, because undici's ReadableStream and the one of
 * the DOM library (in the browser tests' type-check) are different types.
 */
interface ByteStream {
  getReader(): {
    read(): Promise<{ done: true; value?: undefined } | { done: false; value: Uint8Array }>;
    cancel(): Promise<void>;
  };
}

/** Reads at most `maxBytes` of `stream` within the deadline, then cancels it so the server stops sending. */
export async function readCapped(stream: ByteStream | null, maxBytes: number, deadline: Deadline): Promise<CappedBody> {
  if (stream === null) return { body: new Uint8Array(0), truncated: false };
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await deadline.race(reader.read());
    if (done) return { body: concat(chunks, size), truncated: false };
    if (size + value.byteLength > maxBytes) {
      chunks.push(value.subarray(0, maxBytes - size));
      // Not awaited: the connection is torn down with the exchange's agent whatever the server does.
      reader.cancel().catch(() => undefined);
      return { body: concat(chunks, maxBytes), truncated: true };
    }
    chunks.push(value);
    size += value.byteLength;
  }
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
