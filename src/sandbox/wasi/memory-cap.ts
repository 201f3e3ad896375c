/** WebAssembly memory grows in pages of 64 KiB. */
export const WASM_PAGE_BYTES = 65_536;

/** A 32-bit memory cannot have more pages than this (4 GiB). */
const MAX_PAGES_32 = 65_536;
const MEMORY_SECTION = 5;
const LIMITS_HAS_MAX = 0x01;
const LIMITS_MEMORY64 = 0x04;
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const NO_MEMORY = 'the module defines no memory of its own (an imported memory is not supported)';

/**
 * Returns a copy of a module whose memories declare `max = maxPages`, so `memory.grow` past the policy fails inside
 * the guest (it returns -1, and malloc returns NULL) instead of taking the host's memory. The module must define its
 * memory: an imported one would have to be created by the host, which this sandbox does not do.
 */
export function capMemory(bytes: Uint8Array, maxPages: number): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(maxPages) || maxPages < 0 || maxPages > MAX_PAGES_32) {
    throw new RangeError(`maxPages must be an integer from 0 to ${MAX_PAGES_32}, not ${maxPages}`);
  }
  if (bytes.length < HEADER.length || HEADER.some((b, i) => bytes[i] !== b)) {
    throw new Error('not a WebAssembly module (version 1): the header is wrong');
  }
  const reader = new Reader(bytes, HEADER.length);
  while (reader.offset < bytes.length) {
    const start = reader.offset;
    const id = reader.byte();
    const size = reader.u32();
    const end = reader.offset + size;
    if (end > bytes.length) throw new Error(`truncated module: section ${id} runs past the end`);
    if (id === MEMORY_SECTION) {
      const payload = capSection(new Reader(bytes.subarray(reader.offset, end), 0), maxPages);
      return concat([
        bytes.subarray(0, start),
        Uint8Array.of(MEMORY_SECTION),
        leb(payload.length),
        payload,
        bytes.subarray(end),
      ]);
    }
    reader.offset = end;
  }
  throw new Error(NO_MEMORY);
}

function capSection(reader: Reader, maxPages: number): Uint8Array {
  const count = reader.u32();
  if (count === 0) throw new Error(NO_MEMORY);
  const parts = [leb(count)];
  for (let i = 0; i < count; i++) {
    const flags = reader.u32();
    if (flags & LIMITS_MEMORY64) throw new Error('64-bit memories are not supported');
    const min = reader.u32();
    if (flags & LIMITS_HAS_MAX) reader.u32();
    if (min > maxPages) {
      throw new Error(
        `the module needs at least ${min} pages (${mib(min)}) of memory, more than the limit of ${maxPages} pages (${mib(maxPages)})`,
      );
    }
    parts.push(leb(flags | LIMITS_HAS_MAX), leb(min), leb(maxPages));
  }
  if (reader.offset !== reader.bytes.length) throw new Error('malformed memory section: trailing bytes');
  return concat(parts);
}

const mib = (pages: number) => `${Math.round(((pages * WASM_PAGE_BYTES) / 1024 / 1024) * 100) / 100} MiB`;

class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public offset: number,
  ) {}

  byte(): number {
    const value = this.bytes[this.offset++];
    if (value === undefined) throw new Error('truncated module');
    return value;
  }

  /** An unsigned LEB128 of at most 32 bits (padded encodings are valid and accepted). */
  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) {
        if (result > 0xffff_ffff) throw new Error('malformed module: integer too large');
        return result;
      }
    }
    throw new Error('malformed module: integer too long');
  }
}

function leb(value: number): Uint8Array {
  const out: number[] = [];
  do {
    let b = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) b |= 0x80;
    out.push(b);
  } while (value);
  return Uint8Array.from(out);
}

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
