import type { CommandNode, ScriptNode, WordNode } from 'just-bash';

type WordPart = WordNode['parts'][number];
/** An arithmetic expression's node; just-bash exports only a few of its node types, the rest are reached from them. */
type ArithNode = Extract<CommandNode, { type: 'ArithmeticCommand' }>['expression']['expression'];

/** The node kinds that the walks below read fields of, each known by its `type`. */
export type ShellNode = CommandNode | WordPart | ArithNode;

/** Whether a node of the tree is of the kind `type`: the parser gives every node its kind in `type`. */
export function isNodeOf<K extends ShellNode['type']>(
  node: { type: string },
  type: K,
): node is Extract<ShellNode, { type: K }> {
  return node.type === type;
}

/** The two functions of just-bash that reading a command line needs (loaded on first use: see shell-command.ts). */
export interface ShellSyntax {
  parse(text: string): ScriptNode;
  serialize(script: ScriptNode): string;
}

/** A word of a command as rules see it. */
export interface Word {
  /** Its value with the quotes removed; where a part's value is only known when the line runs, that part's source. */
  text: string;
  /** Whether `text` is the value the shell will use. */
  known: boolean;
}

/** An AST node, as the generic walks see it. */
export type AnyNode = { type: string } & Record<string, unknown>;

export function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && 'type' in value && typeof value.type === 'string';
}

/** Calls `visit` for every node under `value`, whatever its kind, so no construct of the grammar is skipped. */
export function everyNode(value: unknown, visit: (node: AnyNode) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) everyNode(item, visit);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (isNode(value)) visit(value);
  for (const child of Object.values(value)) everyNode(child, visit);
}

/** The text of a word made only of literal and quoted text, or undefined when any part is an expansion. */
export function literalText(word: WordNode): string | undefined {
  let text = '';
  for (const part of word.parts) {
    const value = literalPart(part);
    if (value === undefined) return undefined;
    text += value;
  }
  return text;
}

function literalPart(part: WordPart): string | undefined {
  if (part.type === 'Literal' || part.type === 'SingleQuoted' || part.type === 'Escaped') return part.value;
  if (part.type !== 'DoubleQuoted') return undefined;
  let text = '';
  for (const inner of part.parts) {
    const value = literalPart(inner);
    if (value === undefined) return undefined;
    text += value;
  }
  return text;
}

/** The variable a word is made of alone (`$x`, `"$x"`, `${x}`), if it is. */
function wholeVariable(word: WordNode): string | undefined {
  const [part, ...rest] = word.parts;
  const inner = part?.type === 'DoubleQuoted' && part.parts.length === 1 ? part.parts[0] : part;
  return rest.length === 0 && inner?.type === 'ParameterExpansion' && inner.operation === null
    ? inner.parameter
    : undefined;
}

/** Builtins that set variables named by their arguments (`read x`, `declare -n y=x`, `printf -v x`, `unset x`). */
const SETS_NAMED_VARIABLES = new Set([
  'declare',
  'typeset',
  'local',
  'export',
  'readonly',
  'read',
  'mapfile',
  'readarray',
  'getopts',
  'unset',
  'printf',
  'let',
  'wait',
]);
/** Builtins that run code in this shell, which may set any variable. */
const RUNS_CODE_HERE = new Set(['eval', 'source', '.', 'alias']);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
/** A value that an unquoted `$x` turns into exactly one word, as written: no splitting, no file-name expansion. */
const ONE_WORD = /^[^\s*?[]+$/;

/**
 * What the line's variables hold, where that can be known before it runs: a variable every write of which (anywhere
 * in the line, branches, loops and functions included) assigns the same literal text. `$x` has that value at a
 * point where an assignment to x certainly ran before (see `assigned` in shell-command.ts); anywhere else it may be
 * unset, so it is unknown. Any write the reader cannot follow (`read x`, `for x`, `export x=…`, `((x++))`, a name
 * built at run time, `eval`, `source`) makes the variable, or every variable, unknown.
 */
export class Variables {
  private constructor(
    private readonly values: ReadonlyMap<string, string>,
    /** Whether the line changes IFS, so unquoted expansions split in ways not read here. */
    private readonly splitsOtherwise: boolean,
  ) {}

  static of(script: ScriptNode): Variables {
    const literal = new Map<string, Set<string>>();
    const other = new Set<string>();
    /** Variables used as a program (`$x y`): if one may hold a program that sets variables, none is known. */
    const programs = new Set<string>();
    let everything = false;
    everyNode(script, (node) => {
      if (isNodeOf(node, 'SimpleCommand')) {
        if (node.name === null) {
          for (const a of node.assignments) {
            const value = !a.append && !a.array && a.value ? literalText(a.value) : undefined;
            if (value === undefined) other.add(a.name);
            else literal.set(a.name, (literal.get(a.name) ?? new Set()).add(value));
          }
          return;
        }
        // `x=v cmd` sets x for cmd only, but for some builtins it stays: never relied on.
        for (const a of node.assignments) other.add(a.name);
        const words = [node.name, ...node.args].map(literalText);
        const programVariable = wholeVariable(node.name);
        if (programVariable !== undefined) programs.add(programVariable);
        // A program only known when it runs may be one that sets variables (`read`, `eval`).
        else if (words[0] === undefined) everything = true;
        if (words.some((w) => w !== undefined && RUNS_CODE_HERE.has(w))) everything = true;
        else if (words.some((w) => w !== undefined && SETS_NAMED_VARIABLES.has(w))) {
          if (words.includes(undefined)) everything = true;
          for (const side of words.flatMap((w) => w?.split('=') ?? [])) {
            const name = NAME.exec(side)?.[0];
            if (name) other.add(name);
          }
        }
      } else if (isNodeOf(node, 'For') || isNodeOf(node, 'ArithAssignment')) {
        other.add(node.variable);
      } else if (isNodeOf(node, 'ParameterExpansion')) {
        const operation = node.operation;
        if (operation?.type === 'AssignDefault') other.add(node.parameter);
        if (operation?.type === 'Indirection' && operation.innerOp?.type === 'AssignDefault') everything = true;
      } else if (isNodeOf(node, 'ArithUnary')) {
        if (node.operator !== '++' && node.operator !== '--') return;
        const operand = node.operand;
        if (operand.type === 'ArithVariable') other.add(operand.name);
        else if (operand.type === 'ArithArrayElement') other.add(operand.array);
        else everything = true;
      } else if (isNodeOf(node, 'ArithDynamicAssignment')) {
        everything = true;
      } else if (isNodeOf(node, 'ArithBracedExpansion') && node.content.includes('=')) {
        everything = true;
      }
    });
    const values = new Map<string, string>();
    for (const [name, set] of literal) if (set.size === 1 && !other.has(name)) values.set(name, [...set][0]!);
    for (const name of programs) {
      const program = values.get(name);
      if (program === undefined || RUNS_CODE_HERE.has(program) || SETS_NAMED_VARIABLES.has(program)) everything = true;
    }
    if (everything) values.clear();
    return new Variables(values, everything || literal.has('IFS') || other.has('IFS'));
  }

  /** The value `$name` has where the variables in `assigned` were certainly set before, if it can be known. */
  value(name: string, assigned: ReadonlySet<string>, quoted: boolean): string | undefined {
    const value = assigned.has(name) ? this.values.get(name) : undefined;
    if (value === undefined || quoted) return value;
    return !this.splitsOtherwise && ONE_WORD.test(value) ? value : undefined;
  }
}

/** Where a word is read: the line's variables, and those certainly assigned before this point. */
export interface Scope {
  vars: Variables;
  assigned: Set<string>;
}

/** A word's value where it can be known before the line runs, else its source for that part (`rm $(cat list)`). */
export function evaluate(word: WordNode, scope: Scope, syntax: ShellSyntax): Word {
  return join(word.parts.map((part) => evaluatePart(part, scope, syntax, false)));
}

function join(words: Word[]): Word {
  return { text: words.map((w) => w.text).join(''), known: words.every((w) => w.known) };
}

function evaluatePart(part: WordPart, scope: Scope, syntax: ShellSyntax, quoted: boolean): Word {
  switch (part.type) {
    case 'Literal':
    case 'SingleQuoted':
    case 'Escaped':
      return { text: part.value, known: true };
    case 'DoubleQuoted':
      return join(part.parts.map((inner) => evaluatePart(inner, scope, syntax, true)));
    case 'ParameterExpansion': {
      const value = part.operation === null ? scope.vars.value(part.parameter, scope.assigned, quoted) : undefined;
      if (value !== undefined) return { text: value, known: true };
    }
  }
  return { text: partSource(part, syntax), known: false };
}

/** The source of one part of a word (`$x`, `$(cat list)`, `{a,b}`), through just-bash's own printer. */
function partSource(part: WordPart, syntax: ShellSyntax): string {
  const command = {
    type: 'SimpleCommand' as const,
    name: { type: 'Word' as const, parts: [part] },
    args: [],
    assignments: [],
    redirections: [],
  };
  return syntax.serialize({
    type: 'Script',
    statements: [
      {
        type: 'Statement',
        pipelines: [{ type: 'Pipeline', commands: [command], negated: false }],
        operators: [],
        background: false,
      },
    ],
  });
}
