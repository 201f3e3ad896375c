import { coerceArguments, isRecord } from './coerce';
import { parseAlmostJson } from './repair-json';
import { opensValue, readValues, valueEnd } from './span';

/**
 * How a call was written: `hermes` `<tool_call>{…}</tool_call>` (Qwen, Hermes; also with Qwen3-Coder's
 * `<function=…>` inside), `mistral` `[TOOL_CALLS][…]` or `[TOOL_CALLS]name[ARGS]{…}`, `llama` `<|python_tag|>{…}`,
 * `function-tag` `<function=name>{…}</function>`, `fenced` a ``` code block holding a call, `json` a bare JSON
 * object (or list) on its own line, also in OpenAI's `{"type":"function","function":{…}}` shape.
 */
export type TextCallFormat = 'hermes' | 'mistral' | 'llama' | 'function-tag' | 'fenced' | 'json';

/** What extraction needs of a tool (a `Tool` fits). */
export interface OfferedTool {
  readonly name: string;
  readonly inputSchema: Record<string, unknown>;
}

export interface TextToolCall {
  name: string;
  input: Record<string, unknown>;
  format: TextCallFormat;
  /** What was fixed to make the call valid, in words ("removed a trailing comma"); empty when nothing was. */
  repairs: string[];
}

export interface TextCallFailure {
  format: TextCallFormat;
  /** The tool it meant to call, when that could be read. */
  name?: string;
  /** The call as written. */
  raw: string;
  /** What is wrong, for the model to put right ("`file_path` is required by read"). */
  reason: string;
}

export interface TextToolCalls {
  /** In the order they were written. */
  calls: TextToolCall[];
  failures: TextCallFailure[];
  /** The answer without the call markup, trimmed: what the user should see. */
  text: string;
}

/** Special markers that only ever introduce a tool call. */
const MARKERS = /<tool_call>|\[TOOL_CALLS\]|<\|python_tag\|>|<function=/g;
const MARKER_STRINGS = ['<tool_call>', '[TOOL_CALLS]', '<|python_tag|>', '<function='];
const ARGUMENT_KEYS = ['arguments', 'parameters', 'input', 'args'] as const;
const NAME_KEYS = ['name', 'tool', 'tool_name', 'function'] as const;
/** Code block languages a model may put a call under; others (```ts, ```yaml) are code, not calls. */
const CALL_FENCES = new Set(['', 'json', 'jsonc', 'json5', 'tool_call', 'tool_calls', 'tool_code', 'function_call']);
const FENCE = /^[ \t]*```[ \t]*([\w-]*)[^\n]*\n([\s\S]*?)(?:^[ \t]*```[ \t]*$|(?![\s\S]))/gm;
const LINE_VALUE = /^[ \t]*[{[]/gm;

interface Matcher {
  byName: Map<string, OfferedTool>;
  /** A name key holding an offered tool's name, quoted: `"name": "read"`, `'tool':'read'`. */
  nameKey: RegExp;
  /** The same, global: to find one outside the calls already read. */
  nameKeys: RegExp;
}

const matchers = new WeakMap<readonly OfferedTool[], Matcher>();

/** Built once per list of tools: a run hands the same list for each answer. */
function matcherFor(tools: readonly OfferedTool[]): Matcher {
  let matcher = matchers.get(tools);
  if (!matcher) {
    const names = tools.map((t) => t.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    const source = `["']?(?:${NAME_KEYS.join('|')})["']?\\s*:\\s*["'](?:${names || '(?!)'})["']`;
    matcher = {
      byName: new Map(tools.map((t) => [t.name, t])),
      nameKey: new RegExp(source),
      nameKeys: new RegExp(source, 'g'),
    };
    matchers.set(tools, matcher);
  }
  return matcher;
}

/**
 * Whether `text` may hold a call: a marker, or a `{` and a quoted offered tool name under a name key. Cheap (a few
 * substring searches and one regular expression), so an ordinary answer costs next to nothing.
 */
export function mayHoldToolCall(text: string, tools: readonly OfferedTool[]): boolean {
  if (MARKER_STRINGS.some((marker) => text.includes(marker))) return true;
  return tools.length > 0 && text.includes('{') && matcherFor(tools).nameKey.test(text);
}

/**
 * The tool calls a model wrote into its answer's text instead of the API's tool-call field, repaired where the fix is
 * certain (almost-JSON, arguments that miss the schema in a fixable way), with the markup taken out of the text. Only
 * offered tools' names make a call: JSON in an ordinary answer (a package.json, an example) is left alone.
 */
export function extractToolCalls(text: string, tools: readonly OfferedTool[]): TextToolCalls {
  if (!mayHoldToolCall(text, tools)) return { calls: [], failures: [], text: text.trim() };
  return new Extraction(text, matcherFor(tools)).run();
}

interface Candidate {
  name: string;
  args: unknown;
  /** It has the shape of a call (arguments, or OpenAI's `type: function`), not only a name: needed without markup. */
  shaped: boolean;
}

/** The calls a parsed value holds: one, a list of them, or OpenAI's `{ tool_calls: [...] }`. */
function candidatesOf(value: unknown): Candidate[] {
  if (Array.isArray(value)) return value.flatMap(candidatesOf);
  if (!isRecord(value)) return [];
  if (Array.isArray(value.tool_calls)) return value.tool_calls.flatMap(candidatesOf);
  const fn = value.function;
  if (isRecord(fn) && typeof fn.name === 'string')
    return [{ name: fn.name, args: fn.arguments ?? fn.parameters, shaped: true }];
  const name = NAME_KEYS.map((key) => value[key]).find((v) => typeof v === 'string');
  if (typeof name !== 'string') return [];
  const argsKey = ARGUMENT_KEYS.find((key) => Object.hasOwn(value, key));
  return [
    { name, args: argsKey ? value[argsKey] : undefined, shaped: argsKey !== undefined || value.type === 'function' },
  ];
}

/** The tool name in a call too broken to parse, if one can be read. */
const nameIn = (raw: string) => /["']?(?:name|tool|tool_name)["']?\s*:\s*["']([\w.-]+)["']/.exec(raw)?.[1];
/** An arguments key: with a name key, unparseable text that has one is a broken call rather than some code. */
const ARGUMENTS_KEY = /["']?(?:arguments|parameters|input|args)["']?\s*:/;

interface Span {
  start: number;
  end: number;
}

const within = (spans: readonly Span[], index: number) => spans.some((s) => index >= s.start && index < s.end);

class Extraction {
  private readonly found: { at: number; call?: TextToolCall; failure?: TextCallFailure }[] = [];
  /** The stretches of text that held calls: removed from the text, and not searched again. */
  private readonly spans: Span[] = [];
  /** Every code block: a JSON line inside one is code, not a call of its own. */
  private readonly blocks: Span[] = [];
  private readonly searches = new Map<string, { from: number; at: number }>();

  constructor(
    private readonly text: string,
    private readonly matcher: Matcher,
  ) {}

  run(): TextToolCalls {
    this.markers();
    if (this.spans.length > 0 && this.text.includes('```')) this.emptiedFences();
    if (this.nameOutsideCalls()) {
      this.fences();
      this.lines();
    }
    const ordered = this.found.sort((a, b) => a.at - b.at);
    return {
      calls: ordered.flatMap((f) => f.call ?? []),
      failures: ordered.flatMap((f) => f.failure ?? []),
      text: this.remainingText(),
    };
  }

  private markers(): void {
    const text = this.text;
    MARKERS.lastIndex = 0;
    for (let match = MARKERS.exec(text); match; match = MARKERS.exec(text)) {
      const start = match.index;
      const end =
        match[0] === '<tool_call>'
          ? this.hermes(start)
          : match[0] === '[TOOL_CALLS]'
            ? this.mistral(start)
            : match[0] === '<function='
              ? this.functionTag(start, 'function-tag')
              : this.llama(start);
      if (end !== undefined) {
        this.spans.push({ start, end });
        MARKERS.lastIndex = end;
      }
    }
  }

  /** `<tool_call>` JSON or `<function=…>` `</tool_call>`; the closing tag may be missing. Returns the span's end. */
  private hermes(start: number): number | undefined {
    const text = this.text;
    const from = skipSpace(text, start + '<tool_call>'.length);
    const close = this.indexOf('</tool_call>', from);
    const next = this.indexOf('<tool_call>', from);
    const closed = close !== -1 && (next === -1 || close < next);
    const until = closed ? close : next === -1 ? text.length : next;
    const missing = closed ? [] : ['added the missing </tool_call>'];
    const fenced = /^```[\w-]*[ \t]*\n/.exec(text.slice(from, from + 40));
    const at = fenced ? from + fenced[0].length : from;
    let end: number | undefined;
    if (text.startsWith('<function=', at)) end = this.functionTag(at, 'hermes', until, missing);
    else if (opensValue(text, at)) {
      const { raws, end: valuesEnd } = readValues(text, at, until);
      for (const raw of raws) this.fromJson(raw, start, 'hermes', true, missing);
      end = valuesEnd;
    }
    if (end === undefined) return undefined;
    return closed ? close + '</tool_call>'.length : skipFence(text, end);
  }

  /** `[TOOL_CALLS][{…}, …]`, or `[TOOL_CALLS]name[ARGS]{…}` (optionally with `[CALL_ID]id` before `[ARGS]`). */
  private mistral(start: number): number | undefined {
    const text = this.text;
    const from = skipSpace(text, start + '[TOOL_CALLS]'.length);
    if (opensValue(text, from)) {
      const end = valueEnd(text, from);
      const raw = text.slice(from, end === -1 ? text.length : end);
      this.fromJson(raw, start, 'mistral', true, []);
      return from + raw.length;
    }
    const head = /([\w.-]+)(?:\[CALL_ID\][\w-]*)?\[ARGS\]\s*/y;
    head.lastIndex = from;
    const match = head.exec(text);
    if (!match || !opensValue(text, head.lastIndex)) return undefined;
    const end = valueEnd(text, head.lastIndex);
    const raw = text.slice(head.lastIndex, end === -1 ? text.length : end);
    this.fromArguments(match[1]!, raw, text.slice(start, head.lastIndex + raw.length), start, 'mistral');
    return head.lastIndex + raw.length;
  }

  /** `<|python_tag|>{…}` (calls separated by `;`), up to `<|eom_id|>` or `<|eot_id|>`, which go too. */
  private llama(start: number): number | undefined {
    const text = this.text;
    const from = skipSpace(text, start + '<|python_tag|>'.length);
    if (!opensValue(text, from)) return undefined;
    const { raws, end } = readValues(text, from);
    for (const raw of raws) this.fromJson(raw, start, 'llama', true, []);
    const stop = /^\s*<\|(?:eom_id|eot_id)\|>/.exec(text.slice(end, end + 40));
    return end + (stop ? stop[0].length : 0);
  }

  /**
   * `<function=name>{…}</function>` (Llama), or `<function=name><parameter=key>value</parameter>…</function>`
   * (Qwen3-Coder, whose values are text: the schema turns them into numbers and lists).
   */
  private functionTag(
    start: number,
    format: TextCallFormat,
    until = this.text.length,
    notes: string[] = [],
  ): number | undefined {
    const text = this.text;
    const head = /<function=([^>\s]+)>\s*/y;
    head.lastIndex = start;
    const match = head.exec(text);
    if (!match || match.index + match[0].length > until) return undefined;
    const name = match[1]!;
    const from = head.lastIndex;
    const close = this.indexOf('</function>', from);
    const closed = close !== -1 && close <= until;
    const contentEnd = closed ? close : until;
    const content = text.slice(from, contentEnd);
    // Without its closing tag, the call ends where its arguments do: the prose after it stays.
    const tagEnd = closed ? close + '</function>'.length : undefined;
    let argsEnd: number;
    if ((closed && content.trim() === '') || content.startsWith('<parameter=')) {
      const params = [...content.matchAll(/<parameter=([^>\s]+)>\n?([\s\S]*?)\n?(?:<\/parameter>|(?=<parameter=)|$)/g)];
      const last = params.at(-1);
      argsEnd = last ? from + last.index + last[0].length : from;
      const args = Object.fromEntries(params.map((param) => [param[1]!, param[2]!]));
      this.resolve({ name, args, shaped: true }, text.slice(start, tagEnd ?? argsEnd), start, format, notes);
    } else if (text.startsWith('{', from)) {
      const argsClose = valueEnd(text, from, contentEnd);
      argsEnd = argsClose === -1 ? contentEnd : argsClose;
      const raw = text.slice(start, tagEnd ?? argsEnd);
      this.fromArguments(name, text.slice(from, argsEnd), raw, start, format, notes);
    } else return undefined;
    return tagEnd ?? argsEnd;
  }

  /** Code blocks that held nothing but marked calls (```<tool_call>…</tool_call>```) go with them. */
  private emptiedFences(): void {
    const text = this.text;
    FENCE.lastIndex = 0;
    for (let match = FENCE.exec(text); match; match = FENCE.exec(text)) {
      const start = match.index;
      const end = start + match[0].length;
      const inside = this.spans.filter((s) => s.start >= start && s.end <= end);
      if (inside.length === 0) continue;
      const rest = inside.reduce((body, s) => body.replace(text.slice(s.start, s.end), ''), match[2]!);
      if (rest.trim() === '') this.spans.push({ start, end });
    }
  }

  /** Code blocks that hold a call to an offered tool; other code blocks stay in the text. */
  private fences(): void {
    const text = this.text;
    FENCE.lastIndex = 0;
    for (let match = FENCE.exec(text); match; match = FENCE.exec(text)) {
      const start = match.index;
      const end = start + match[0].length;
      this.blocks.push({ start, end });
      if (this.covered(start) || !CALL_FENCES.has(match[1]!.toLowerCase())) continue;
      const body = match[2]!;
      const bodyStart = start + match[0].indexOf('\n') + 1;
      const at = skipSpace(text, bodyStart);
      if (!opensValue(text, at) || !this.matcher.nameKey.test(body)) continue;
      const { raws } = readValues(text, at, bodyStart + body.length);
      if (raws.map((raw) => this.fromJson(raw, start, 'fenced', false, [])).some(Boolean))
        this.spans.push({ start, end });
    }
  }

  /** A JSON object or list on a line of its own (or the whole answer) that holds a call to an offered tool. */
  private lines(): void {
    const text = this.text;
    LINE_VALUE.lastIndex = 0;
    for (let match = LINE_VALUE.exec(text); match; match = LINE_VALUE.exec(text)) {
      const at = match.index + match[0].length - 1;
      if (this.covered(at) || within(this.blocks, at)) continue;
      const close = valueEnd(text, at);
      const end = close === -1 ? text.length : close;
      LINE_VALUE.lastIndex = end;
      if (!this.matcher.nameKey.test(text.slice(at, end))) continue;
      if (this.fromJson(text.slice(at, end), at, 'json', false, [])) this.spans.push({ start: match.index, end });
    }
  }

  /**
   * Reads the calls in one JSON value. `marked`: the markup says it is a call, so anything unusable is a failure;
   * otherwise only call-shaped objects naming an offered tool count. Returns whether it held a call attempt.
   */
  private fromJson(raw: string, at: number, format: TextCallFormat, marked: boolean, notes: string[]): boolean {
    const parsed = parseAlmostJson(raw);
    if (!parsed.ok || (!isRecord(parsed.value) && !Array.isArray(parsed.value))) {
      // Unmarked, it names an offered tool (the caller checked); with an arguments key too it is a broken call.
      if (!marked && !ARGUMENTS_KEY.test(raw)) return false;
      const name = nameIn(raw);
      const why = parsed.ok
        ? 'it is not a JSON object'
        : `it is not valid JSON and could not be repaired (${parsed.reason})`;
      this.fail(at, {
        format,
        ...(name ? { name } : {}),
        raw,
        reason: `the call${name ? ` to ${name}` : ''} was not run: ${why}`,
      });
      return true;
    }
    const candidates = candidatesOf(parsed.value).filter(
      (c) => marked || (c.shaped && this.matcher.byName.has(c.name)),
    );
    if (candidates.length === 0) {
      if (marked)
        this.fail(at, {
          format,
          raw,
          reason: `a tool call needs a "name" and "arguments"; ${this.offered()}`,
        });
      return marked;
    }
    for (const candidate of candidates) this.resolve(candidate, raw, at, format, [...notes, ...parsed.repairs]);
    return true;
  }

  /** A call whose name the markup gave, with its arguments as written (almost-JSON). */
  private fromArguments(
    name: string,
    rawArgs: string,
    raw: string,
    at: number,
    format: TextCallFormat,
    notes: string[] = [],
  ): void {
    const parsed = parseAlmostJson(rawArgs);
    if (!parsed.ok) {
      const reason = `the arguments of ${name} are not valid JSON and could not be repaired (${parsed.reason})`;
      this.fail(at, { format, name, raw, reason });
      return;
    }
    this.resolve({ name, args: parsed.value, shaped: true }, raw, at, format, [...notes, ...parsed.repairs]);
  }

  /** Checks the name against the offered tools and the arguments against its schema. */
  private resolve(candidate: Candidate, raw: string, at: number, format: TextCallFormat, notes: string[]): void {
    const tool = this.toolNamed(candidate.name);
    if (!tool) {
      this.fail(at, {
        format,
        name: candidate.name,
        raw,
        reason: `there is no tool "${candidate.name}"; ${this.offered()}`,
      });
      return;
    }
    const renamed = tool.name === candidate.name ? [] : [`called ${tool.name} for "${candidate.name}"`];
    const coerced = coerceArguments(tool.name, candidate.args, tool.inputSchema);
    if (!coerced.ok) {
      this.fail(at, { format, name: tool.name, raw, reason: coerced.reason });
      return;
    }
    this.found.push({
      at,
      call: { name: tool.name, input: coerced.input, format, repairs: [...notes, ...renamed, ...coerced.repairs] },
    });
  }

  /** The offered tool a name means: exactly, or but for case or a `functions.` prefix (OpenAI's namespace). */
  private toolNamed(name: string): OfferedTool | undefined {
    const exact = this.matcher.byName.get(name);
    if (exact) return exact;
    const plain = name.replace(/^functions\./, '').toLowerCase();
    const near = [...this.matcher.byName.values()].filter((t) => t.name.toLowerCase() === plain);
    return near.length === 1 ? near[0] : undefined;
  }

  /**
   * `text.indexOf(tag, from)`, remembered: with many markers in prose and one closing tag at the end, each would
   * otherwise search the rest of the text again.
   */
  private indexOf(tag: string, from: number): number {
    const last = this.searches.get(tag);
    // No `tag` lies between the last search's start and what it found, so a later start finds the same.
    if (last && from >= last.from && (last.at === -1 || last.at >= from)) return last.at;
    const at = this.text.indexOf(tag, from);
    this.searches.set(tag, { from, at });
    return at;
  }

  private offered(): string {
    const names = [...this.matcher.byName.keys()];
    if (names.length === 0) return 'no tools are offered';
    return `the tools are: ${names.length > 30 ? `${names.slice(0, 30).join(', ')}, …` : names.join(', ')}`;
  }

  private fail(at: number, failure: TextCallFailure): void {
    this.found.push({ at, failure });
  }

  /** Whether an offered tool is named outside the calls the markers held: only then can there be more. */
  private nameOutsideCalls(): boolean {
    const pattern = this.matcher.nameKeys;
    pattern.lastIndex = 0;
    for (let match = pattern.exec(this.text); match; match = pattern.exec(this.text))
      if (!this.covered(match.index)) return true;
    return false;
  }

  private covered(index: number): boolean {
    return within(this.spans, index);
  }

  /**
   * The text outside the calls. Where a call was cut out, the white space on its two sides becomes one separator: a
   * paragraph break if either side held two line breaks, a line break if one, else a space. The rest stays as written.
   */
  private remainingText(): string {
    const pieces: string[] = [];
    let from = 0;
    for (const span of [...this.spans].sort((a, b) => a.start - b.start)) {
      if (span.start >= from) pieces.push(this.text.slice(from, span.start));
      from = Math.max(from, span.end);
    }
    pieces.push(this.text.slice(from));
    const out: string[] = [];
    // The most line breaks on one side of the seam being joined; -1 while no text came yet.
    let gap = -1;
    for (const piece of pieces) {
      const lead = spaceFrom(piece, 0, 1);
      if (lead === piece.length) {
        if (gap >= 0) gap = Math.max(gap, breaks(piece));
        continue;
      }
      const trail = spaceFrom(piece, piece.length - 1, -1);
      if (gap >= 0) {
        gap = Math.max(gap, breaks(piece.slice(0, lead)));
        out.push(gap >= 2 ? '\n\n' : gap === 1 ? '\n' : ' ');
      }
      out.push(piece.slice(lead, piece.length - trail));
      gap = breaks(piece.slice(piece.length - trail));
    }
    return out.join('');
  }
}

/** How many white space characters `text` has from `at` on, going forward (`step` 1) or back (-1). */
function spaceFrom(text: string, at: number, step: 1 | -1): number {
  let i = at;
  while (i >= 0 && i < text.length && /\s/.test(text[i]!)) i += step;
  return Math.abs(i - at);
}

const breaks = (space: string) => space.split('\n').length - 1;

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}

/** Past a code fence that closes right after `end` (a call fenced inside `<tool_call>` without its closing tag). */
function skipFence(text: string, end: number): number {
  const fence = /^\s*```/.exec(text.slice(end, end + 20));
  return fence ? end + fence[0].length : end;
}
