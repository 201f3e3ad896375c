// word_count: reads the tool input `{"text": "..."}` from stdin and writes the tool result to stdout.
//
// The JSON string is decoded and counted in a single pass over the input bytes, so the text is never copied into
// an AssemblyScript string: the module is built with the stub runtime (a bump allocator, nothing is freed) and runs
// under a 16 MiB memory cap, so one input buffer is all it may afford.
//
// Counting rules: characters are Unicode code points; a word is a maximal run of non-whitespace characters; lines
// are counted like an editor shows them (a final line without a trailing newline counts, an empty text has 0 lines).

// Raw WASI binding: the wasi-shim's `process.stdin.read` needs an ArrayBuffer, which would have to be reallocated
// (and so copied) as the input grows.
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_read")
declare function fd_read(fd: u32, iovs: usize, iovsLength: usize, nread: usize): u16;

const STDIN: u32 = 0;
const EXIT_BAD_INPUT = 2;

/** One iovec (pointer, length) followed by the `nread` result word. */
const scratch = memory.data(12);

let input: usize = 0;
let length: usize = 0;
let pos: usize = 0;

function readStdin(): void {
  let capacity: usize = 65536;
  input = heap.alloc(capacity);
  for (;;) {
    // The stub runtime grows the last allocation in place, so this does not copy.
    if (length == capacity) {
      capacity <<= 1;
      input = heap.realloc(input, capacity);
    }
    store<usize>(scratch, input + length);
    store<usize>(scratch, capacity - length, 4);
    const errno = fd_read(STDIN, scratch, 1, scratch + 8);
    if (errno != 0) fail("could not read stdin (WASI errno " + errno.toString() + ")");
    const n = load<u32>(scratch, 8);
    if (n == 0) return;
    length += n;
  }
}

function fail(message: string): void {
  process.stderr.write("word_count: " + message + "\n");
  process.exit(EXIT_BAD_INPUT);
  unreachable();
}

function peek(): i32 {
  return pos < length ? <i32>load<u8>(input + pos) : -1;
}

function next(): i32 {
  const c = peek();
  if (c < 0) fail("unexpected end of input");
  pos++;
  return c;
}

function skipSpace(): void {
  for (let c = peek(); c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d; c = peek()) pos++;
}

function expect(c: i32): void {
  skipSpace();
  if (next() != c) fail("expected '" + String.fromCharCode(c) + "' at byte " + (pos - 1).toString());
}

/** Whitespace as JavaScript's `\s` defines it. */
function isSpace(c: i32): bool {
  if (c <= 0x20) return c == 0x20 || (c >= 0x09 && c <= 0x0d);
  return c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000 || c == 0xfeff;
}

function hex4(): i32 {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    const c = next();
    let digit = -1;
    if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) digit = c - 0x57;
    else if (c >= 0x41 && c <= 0x46) digit = c - 0x37;
    if (digit < 0) fail("bad \\u escape at byte " + (pos - 1).toString());
    value = (value << 4) | digit;
  }
  return value;
}

/** The code point of one UTF-8 sequence whose lead byte was just read (input is trusted to be UTF-8: it is JSON from the host). */
function utf8(lead: i32): i32 {
  let extra = 0;
  let cp = lead;
  if (lead >= 0xf0) { extra = 3; cp = lead & 0x07; }
  else if (lead >= 0xe0) { extra = 2; cp = lead & 0x0f; }
  else if (lead >= 0xc0) { extra = 1; cp = lead & 0x1f; }
  for (let i = 0; i < extra; i++) cp = (cp << 6) | (next() & 0x3f);
  return cp;
}

/** The next code point of a JSON string body, or -1 at its closing quote. */
function stringChar(): i32 {
  const c = next();
  if (c == 0x22) return -1;
  if (c >= 0x80) return utf8(c);
  if (c != 0x5c) return c;
  const e = next();
  if (e == 0x6e) return 0x0a;
  if (e == 0x74) return 0x09;
  if (e == 0x72) return 0x0d;
  if (e == 0x62) return 0x08;
  if (e == 0x66) return 0x0c;
  if (e != 0x75) return e; // \" \\ \/
  const unit = hex4();
  // A surrogate pair written as two escapes is one character.
  if (unit >= 0xd800 && unit <= 0xdbff && peek() == 0x5c && pos + 1 < length && load<u8>(input + pos + 1) == 0x75) {
    const save = pos;
    pos += 2;
    const low = hex4();
    if (low >= 0xdc00 && low <= 0xdfff) return 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
    pos = save;
  }
  return unit;
}

/** Whether the key just opened matches `text` (keys are compared raw: the host never escapes plain ASCII). */
function keyIsText(): bool {
  const start = pos;
  while (stringChar() >= 0);
  const end = pos - 1;
  return end - start == 4 && load<u32>(input + start) == 0x74786574; // "text", little-endian
}

let words = 0;
let lines = 0;
let characters = 0;

function countString(): void {
  let inWord = false;
  let last = -1;
  for (let c = stringChar(); c >= 0; c = stringChar()) {
    characters++;
    if (c == 0x0a) lines++;
    if (isSpace(c)) inWord = false;
    else if (!inWord) {
      inWord = true;
      words++;
    }
    last = c;
  }
  if (last >= 0 && last != 0x0a) lines++;
}

function parseInput(): void {
  let seen = false;
  expect(0x7b);
  skipSpace();
  if (peek() == 0x7d) fail('missing "text"');
  for (;;) {
    expect(0x22);
    const isText = keyIsText();
    expect(0x3a);
    expect(0x22);
    if (isText) {
      countString();
      seen = true;
    } else {
      while (stringChar() >= 0);
    }
    skipSpace();
    const c = next();
    if (c == 0x7d) break;
    if (c != 0x2c) fail("expected ',' or '}' at byte " + (pos - 1).toString());
  }
  if (!seen) fail('missing "text"');
}

function plural(n: i32, word: string): string {
  return n.toString() + " " + word + (n == 1 ? "" : "s");
}

readStdin();
parseInput();
process.stdout.write(
  '{"content":"' + plural(words, "word") + ", " + plural(lines, "line") + ", " + plural(characters, "character") + '",' +
    '"metadata":{"words":' + words.toString() + ',"lines":' + lines.toString() + ',"characters":' + characters.toString() + "}}\n",
);
