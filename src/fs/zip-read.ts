import { Inflate } from 'fflate';

/** A `.zip` that is refused; the message says which entry and why. */
export class ZipError extends Error {
  override readonly name = 'ZipError';
}

export interface ZipLimits {
  /** Files (folders aside) the archive may hold. */
  maxFiles: number;
  /** Bytes all files may unpack to together. */
  maxBytes: number;
}

/** A file of an archive: its path (`/` between folders, never `..`, never absolute) and its bytes. */
export interface ZipFile {
  path: string;
  data: Uint8Array;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const UNIX = 3;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const DOS_DIRECTORY = 0x10;
/** Compressed bytes inflated at a time, so a bomb is stopped soon after it passes its declared size. */
const INFLATE_SLICE = 16 * 1024;

/**
 * Reads the files of a `.zip` held in memory, by its central directory, refusing rather than repairing: an entry
 * whose path climbs out (`..`) or is absolute, a link or special file (by the Unix mode in its external attributes),
 * an encrypted entry, a method other than stored or deflated, a duplicate path, more files or more unpacked bytes
 * than the limits (counted as they inflate, whatever sizes the archive declares). Nothing is written anywhere.
 */
export function readZip(bytes: Uint8Array, limits: ZipLimits): ZipFile[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => (at + 2 <= bytes.length ? view.getUint16(at, true) : corrupt());
  const u32 = (at: number) => (at + 4 <= bytes.length ? view.getUint32(at, true) : corrupt());
  const end = findEnd(bytes, view);
  if (u16(end + 4) !== 0 || u16(end + 6) !== 0) throw new ZipError('Archives split over several files are not read.');
  const count = u16(end + 10);
  let at = u32(end + 16);
  if (count === 0xffff || at === 0xffffffff) throw new ZipError('ZIP64 archives are not read.');
  if (count > limits.maxFiles * 2) throw new ZipError(`The archive holds more than ${limits.maxFiles * 2} entries.`);

  const files: ZipFile[] = [];
  const seen = new Set<string>();
  let total = 0;
  for (let index = 0; index < count; index++) {
    if (u32(at) !== CENTRAL) corrupt();
    const madeBy = u16(at + 4) >> 8;
    const flags = u16(at + 8);
    const method = u16(at + 10);
    const compressedSize = u32(at + 20);
    const declaredSize = u32(at + 24);
    const nameLength = u16(at + 28);
    const external = u32(at + 38);
    const local = u32(at + 42);
    if (at + 46 + nameLength > bytes.length) corrupt();
    const raw = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + u16(at + 30) + u16(at + 32);

    const mode = madeBy === UNIX ? external >>> 16 : 0;
    const type = mode & S_IFMT;
    if (type === S_IFLNK) throw new ZipError(`${raw} is a symbolic link; links are not unpacked.`);
    const folder = raw.endsWith('/') || type === S_IFDIR || (external & DOS_DIRECTORY) !== 0;
    if (type !== 0 && type !== S_IFREG && type !== S_IFDIR)
      throw new ZipError(`${raw} is not a regular file or folder.`);
    const path = checkEntryPath(raw);
    if (folder) continue;
    if (flags & 1) throw new ZipError(`${path} is encrypted.`);
    if (method !== 0 && method !== 8)
      throw new ZipError(`${path} is compressed with method ${method}; only stored and deflated entries are read.`);
    if (seen.has(path)) throw new ZipError(`${path} appears twice in the archive.`);
    seen.add(path);
    if (files.length >= limits.maxFiles) throw new ZipError(`The archive holds more than ${limits.maxFiles} files.`);

    if (u32(local) !== LOCAL) corrupt();
    const start = local + 30 + u16(local + 26) + u16(local + 28);
    if (start + compressedSize > bytes.length) corrupt();
    const stored = bytes.subarray(start, start + compressedSize);
    if (declaredSize > limits.maxBytes - total)
      throw new ZipError(`The archive unpacks to more than ${limits.maxBytes} bytes.`);
    // Inflated no further than the size declared (which fits the limits): a bomb that lies about it stops there.
    const data = method === 0 ? stored : inflateAtMost(stored, declaredSize, path);
    if (data?.length !== declaredSize)
      throw new ZipError(`${path} does not unpack to the size the archive declares for it.`);
    total += data.length;
    files.push({ path, data });
  }
  return files;
}

/** The end-of-central-directory record, searched backwards over a comment of up to 64 KB. */
function findEnd(bytes: Uint8Array, view: DataView): number {
  for (let at = bytes.length - 22; at >= 0 && at >= bytes.length - 22 - 0xffff; at--)
    if (view.getUint32(at, true) === EOCD) return at;
  throw new ZipError('This is not a .zip archive.');
}

function corrupt(): never {
  throw new ZipError('The archive is damaged or cut short.');
}

/** An entry's path as written, refused when it could land anywhere but below the folder it is unpacked into. */
function checkEntryPath(raw: string): string {
  const path = raw.replace(/\/$/, '');
  const reason = raw.includes('\0')
    ? 'it contains a NUL character'
    : raw.includes('\\')
      ? 'it contains a backslash'
      : raw.startsWith('/') || /^[A-Za-z]:/.test(raw)
        ? 'it is absolute'
        : path.split('/').some((part) => part === '' || part === '.' || part === '..')
          ? 'it has an empty, "." or ".." part'
          : null;
  if (reason) throw new ZipError(`The entry "${raw.slice(0, 200)}" is refused: ${reason}.`);
  return path;
}

/** Inflates a deflated entry; undefined as soon as it passes `limit` bytes. */
function inflateAtMost(stored: Uint8Array, limit: number, path: string): Uint8Array | undefined {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const inflate = new Inflate((chunk) => {
    size += chunk.length;
    chunks.push(chunk);
  });
  try {
    for (let at = 0; at < stored.length || at === 0; at += INFLATE_SLICE) {
      inflate.push(stored.subarray(at, at + INFLATE_SLICE), at + INFLATE_SLICE >= stored.length);
      if (size > limit) return undefined;
    }
  } catch {
    throw new ZipError(`${path} cannot be unpacked: the archive is damaged.`);
  }
  const data = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    data.set(chunk, offset);
    offset += chunk.length;
  }
  return data;
}
