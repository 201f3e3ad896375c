import type { SecretKind } from '../contract/sessions';

/** What stands where a secret was. */
export const REDACTED = '[redacted]';

/** Shorter values are not treated as secrets: blanking them out would eat ordinary words. */
const MIN_SECRET_LENGTH = 8;
/** A run of this many characters that also occurs in a secret is a piece of it, e.g. a truncated echo `sk-abc123def…`. */
const MIN_PIECE_LENGTH = 10;

/** The secret values of this moment; asked again on every use, so a key set or removed counts at once. */
export type SecretSource = () => Iterable<string>;

/** A credential value as sent: URL-safe and base64 characters, without a sentence's final full stop. */
const VALUE = String.raw`[\w~+/=%.-]*[\w~+/=%-]`;
/**
 * Credentials as they are sent, known or not: after an Authorization scheme, a key header or field (also quoted, as
 * in an echoed JSON body), or a `key` query parameter. The value is the last group.
 */
const SENT_CREDENTIAL = new RegExp(
  String.raw`(\b(?:Bearer|Basic)\s+|\b(?:x-goog-|x-)?api[-_]?key\\?["']?\s*[:=]\s*\\?["']?|[?&]key=)(${VALUE})`,
  'gi',
);

/** A plain lower-case word after `Bearer` or `Basic` is prose ("Basic authentication"), not a credential. */
function isCredential(prefix: string, value: string): boolean {
  return value.length >= MIN_SECRET_LENGTH && !(/^(?:bearer|basic)\s/i.test(prefix) && /^[a-z]+$/.test(value));
}

function redactSentCredentials(text: string): string {
  return text.replace(SENT_CREDENTIAL, (match, prefix: string, value: string) =>
    isCredential(prefix, value) ? prefix + REDACTED : match,
  );
}

const escapeForClass = (char: string) => (/[\\\]^-]/.test(char) ? `\\${char}` : char);

/** The known secrets of one moment, prepared for matching. */
class SecretMatcher {
  /** Every `MIN_PIECE_LENGTH`-character piece of every secret. */
  private readonly pieces = new Set<string>();
  /** Runs of characters that occur in secrets, long enough to hold a piece; only these are searched for pieces. */
  private readonly runs: RegExp | undefined;

  /** `secrets` are distinct and sorted longest first, so a secret inside another cannot split it. */
  constructor(readonly secrets: readonly string[]) {
    const chars = new Set<string>();
    for (const secret of secrets) {
      for (const char of secret) chars.add(char);
      for (let i = 0; i + MIN_PIECE_LENGTH <= secret.length; i++)
        this.pieces.add(secret.slice(i, i + MIN_PIECE_LENGTH));
    }
    if (this.pieces.size > 0)
      this.runs = new RegExp(`[${[...chars].map(escapeForClass).join('')}]{${MIN_PIECE_LENGTH},}`, 'g');
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.replaceAll(secret, REDACTED);
    if (this.runs) out = out.replace(this.runs, (run) => this.redactPieces(run));
    return out;
  }

  /** Where `text` holds a secret or a piece of one, as [start, end) pairs that may overlap. */
  find(text: string): [number, number][] {
    const found: [number, number][] = [];
    for (const secret of this.secrets)
      for (let at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + secret.length))
        found.push([at, at + secret.length]);
    if (this.runs)
      for (const run of text.matchAll(this.runs))
        for (const [start, end] of this.pieceStretches(run[0])) found.push([run.index + start, run.index + end]);
    return found;
  }

  /** Replaces each stretch of `run` covered by overlapping pieces of secrets. */
  private redactPieces(run: string): string {
    let out = '';
    let copied = 0;
    for (const [start, end] of this.pieceStretches(run)) {
      out += run.slice(copied, start) + REDACTED;
      copied = end;
    }
    return out + run.slice(copied);
  }

  /** The stretches of `run` covered by overlapping pieces of secrets, in order, as [start, end) pairs. */
  private pieceStretches(run: string): [number, number][] {
    const stretches: [number, number][] = [];
    let start = -1;
    let end = -1;
    for (let i = 0; i + MIN_PIECE_LENGTH <= run.length; i++) {
      if (!this.pieces.has(run.slice(i, i + MIN_PIECE_LENGTH))) continue;
      if (i > end) {
        if (start >= 0) stretches.push([start, end]);
        start = i;
      }
      end = i + MIN_PIECE_LENGTH;
    }
    if (start >= 0) stretches.push([start, end]);
    return stretches;
  }
}

/**
 * Common shapes of keys and tokens, known or not, which an export takes out as well. Each needs enough characters of
 * its own alphabet after a fixed prefix that prose and identifiers do not fit. A private key block without its END
 * line (output cut short) is taken to the end of its base64 lines.
 */
const SECRET_SHAPES: readonly { kind: SecretKind; pattern: RegExp }[] = [
  {
    kind: 'private-key',
    pattern:
      /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|[\w+/=\s\\-]*)/g,
  },
  { kind: 'api-key', pattern: /\bsk-[A-Za-z0-9_-]{20,}/g },
  { kind: 'github-token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{30,})/g },
  { kind: 'slack-token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { kind: 'aws-access-key', pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g },
  { kind: 'google-api-key', pattern: /\bAIza[\w-]{35}/g },
  { kind: 'jwt', pattern: /\beyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]{10,}/g },
];

/** A stretch of a text that an export takes out, and why. */
export interface SecretSpan {
  start: number;
  end: number;
  kind: SecretKind;
}

/** Overlapping spans become one, of the most telling of their kinds: a stored secret, then a shape, then a credential. */
function mergeSpans(spans: SecretSpan[]): SecretSpan[] {
  const rank = (kind: SecretKind) => (kind === 'stored' ? 0 : kind === 'credential' ? 2 : 1);
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: SecretSpan[] = [];
  for (const span of sorted) {
    const last = merged.at(-1);
    if (!last || span.start >= last.end) merged.push({ ...span });
    else {
      last.end = Math.max(last.end, span.end);
      if (rank(span.kind) < rank(last.kind)) last.kind = span.kind;
    }
  }
  return merged;
}

/** `text` with each span (in order, not overlapping) replaced by REDACTED; `at` holds where each replacement starts. */
export function replaceSpans(text: string, spans: readonly SecretSpan[]): { text: string; at: number[] } {
  let out = '';
  let copied = 0;
  const at: number[] = [];
  for (const span of spans) {
    out += text.slice(copied, span.start);
    at.push(out.length);
    out += REDACTED;
    copied = span.end;
  }
  return { text: out + text.slice(copied), at };
}

/**
 * Takes secrets out of strings before they leave the process (responses, events, session files, exports, logs):
 * every known secret, every piece of one at least `MIN_PIECE_LENGTH` long, and anything shaped like a credential
 * as it is sent (`Bearer …`, `x-api-key: …`, `?key=…`), known or not.
 */
export class Redactor {
  private matcher = new SecretMatcher([]);

  /** Without a source, only credential shapes are redacted until `bind` names one. */
  constructor(private source: SecretSource = () => []) {}

  /** Secrets come from `source` from now on (the logger's redactor exists before the workspace is open). */
  bind(source: SecretSource): void {
    this.source = source;
  }

  redact(text: string): string {
    return this.redactWith(this.current(), text);
  }

  /**
   * A copy of `value` with every string redacted, in objects, arrays and errors (message, stack, cause, fields);
   * keys are left alone. Parts with nothing to redact are returned as they are, the whole value included.
   */
  // The walk replaces strings with strings and copies keep their prototype and keys, so the value keeps its type;
  // TypeScript cannot follow that through the walk, hence the typed overload over the implementation.
  redactValue<T>(value: T): T;
  redactValue(value: unknown): unknown {
    const matcher = this.current();
    return redactDeep(value, (text) => this.redactWith(matcher, text), new Set());
  }

  /**
   * Every stretch of `text` that an export takes out, in order and without overlaps: what `redact` takes out (known
   * secrets, pieces of them and sent credentials) and the common shapes of keys and tokens (SECRET_SHAPES).
   */
  findForExport(text: string): SecretSpan[] {
    if (text.length < MIN_SECRET_LENGTH) return [];
    const spans: SecretSpan[] = this.current()
      .find(text)
      .map(([start, end]) => ({ start, end, kind: 'stored' }));
    for (const match of text.matchAll(SENT_CREDENTIAL)) {
      const prefix = match[1]!;
      if (isCredential(prefix, match[2]!))
        spans.push({ start: match.index + prefix.length, end: match.index + match[0].length, kind: 'credential' });
    }
    for (const { kind, pattern } of SECRET_SHAPES)
      for (const match of text.matchAll(pattern))
        spans.push({ start: match.index, end: match.index + match[0].length, kind });
    return mergeSpans(spans);
  }

  private redactWith(matcher: SecretMatcher, text: string): string {
    if (text.length < MIN_SECRET_LENGTH) return text;
    return redactSentCredentials(matcher.secrets.length > 0 ? matcher.redact(text) : text);
  }

  /** The matcher for the secrets of now, rebuilt only when they changed. */
  private current(): SecretMatcher {
    const secrets = [...new Set(this.source())].filter((s) => s.length >= MIN_SECRET_LENGTH);
    secrets.sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
    const known = this.matcher.secrets;
    if (secrets.length !== known.length || secrets.some((s, i) => s !== known[i]))
      this.matcher = new SecretMatcher(secrets);
    return this.matcher;
  }
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * A copy of `value` with every string replaced by `redact` of it, as `Redactor.redactValue` makes one: keys are left
 * alone, parts with nothing changed are returned as they are.
 */
export function mapStrings<T>(value: T, redact: (text: string) => string): T;
export function mapStrings(value: unknown, redact: (text: string) => string): unknown {
  return redactDeep(value, redact, new Set());
}

/** `ancestors` holds the objects being walked, so a cycle (possible in what is logged) ends the walk. */
function redactDeep(value: unknown, redact: (text: string) => string, ancestors: Set<object>): unknown {
  if (typeof value === 'string') return redact(value);
  if (typeof value !== 'object' || value === null || ancestors.has(value)) return value;
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      value.forEach((item, i) => {
        const clean = redactDeep(item, redact, ancestors);
        if (clean !== item) (copy ??= [...value])[i] = clean;
      });
      return copy ?? value;
    }
    if (value instanceof Error) return redactError(value, redact, ancestors);
    if (!isPlainObject(value)) return value;
    let copy: Record<string, unknown> | undefined;
    for (const [key, item] of Object.entries(value)) {
      const clean = redactDeep(item, redact, ancestors);
      if (clean !== item) (copy ??= { ...value })[key] = clean;
    }
    return copy ?? value;
  } finally {
    ancestors.delete(value);
  }
}

/** The same kind of error (prototype, own fields, hidden ones such as `message`, `stack` and `cause`), redacted. */
function redactError(error: Error, redact: (text: string) => string, ancestors: Set<object>): Error {
  const fields = Reflect.ownKeys(error).map((key) => {
    const descriptor = Object.getOwnPropertyDescriptor(error, key)!;
    const value: unknown = Reflect.get(error, key);
    return { key, descriptor, value, clean: redactDeep(value, redact, ancestors) };
  });
  if (fields.every((f) => f.clean === f.value)) return error;
  // A real Error, so the copy is one to the engine too; its own stack goes, the original's fields come below.
  const copy = new Error();
  Reflect.deleteProperty(copy, 'stack');
  Object.setPrototypeOf(copy, Reflect.getPrototypeOf(error));
  for (const { key, descriptor, clean } of fields) {
    Object.defineProperty(copy, key, {
      value: clean,
      enumerable: descriptor.enumerable ?? false,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}
