import type { CommandNode, SimpleCommandNode, StatementNode } from 'just-bash';
import type { PermissionLevel } from '../contract/permissions';
import { type CommandSink, programName, readCommand } from './shell-programs';
import {
  type Scope,
  type ShellSyntax,
  Variables,
  type Word,
  evaluate,
  everyNode,
  isNode,
  isNodeOf,
} from './shell-words';

/**
 * One simple command of a shell line, as permission rules see it. `text` is its words with quotes removed, joined
 * by one space (leading VAR=value assignments and redirections are not part of it). An unknown command is one whose
 * program — or the code it runs — is only known when the line runs (`$x y`, `eval "$cmd"`, `echo … | bash`).
 */
export type ShellCommand = (
  | {
      known: true;
      text: string;
      /** The program, named by the last segment of its path. */
      program: string;
      /** The same command with its program named by the last segment of its path (`/bin/rm x` → `rm x`). */
      short?: string;
    }
  | { known: false; text: string }
) & {
  /** The level the command needs when it is not the tool's own: `host` for a program of this machine. */
  level?: PermissionLevel;
};

/** `bash -c "eval 'sh -c …'"` nests; past this depth the rest is unknown. */
const MAX_DEPTH = 8;
/** The kinds of CommandNode (each checked against just-bash's types). */
const COMMAND_TYPES: ReadonlySet<string> = new Set<CommandNode['type']>([
  'SimpleCommand',
  'FunctionDef',
  'Group',
  'Subshell',
  'If',
  'For',
  'CStyleFor',
  'While',
  'Until',
  'Case',
  'ArithmeticCommand',
  'ConditionalCommand',
]);

function isCommand(node: { type: string }): node is CommandNode {
  return COMMAND_TYPES.has(node.type);
}

let shell: Promise<typeof import('just-bash')> | undefined;

/** just-bash takes over 100 ms to load, so it is loaded by the first shell call, not at start-up. */
function loadShell(): Promise<typeof import('just-bash')> {
  shell ??= import('just-bash');
  return shell;
}

function loadSyntax(): Promise<ShellSyntax> {
  return loadShell().then(({ parse, serialize }) => ({ parse, serialize }));
}

let builtins: Promise<ReadonlySet<string>> | undefined;

/** The commands the shell itself has (ls, grep, sed, …, curl): every other program is one of the machine's. */
export function shellBuiltins(): Promise<ReadonlySet<string>> {
  builtins ??= loadShell().then((m) => new Set([...m.getCommandNames(), ...m.getNetworkCommandNames()]));
  return builtins;
}

/** The simple commands a shell line would run, each once, in the order they appear. */
export async function shellCommands(line: string): Promise<ShellCommand[]> {
  const reader = new LineReader(await loadSyntax());
  reader.code(line);
  const seen = new Set<string>();
  return reader.commands.filter((c) => {
    const key = `${c.known}:${c.text}`;
    return !seen.has(key) && Boolean(seen.add(key));
  });
}

function fork(scope: Scope): Scope {
  return { vars: scope.vars, assigned: new Set(scope.assigned) };
}

/**
 * Walks a parsed line. Everything is visited — a node kind without its own case is searched through all its parts —
 * so commands inside pipelines, lists, subshells, groups, substitutions, functions, loops, conditionals and
 * redirections are all found. Along the way it keeps which variables were certainly assigned (see Variables):
 * only statements that run one after another in this shell pass that on; branches, loops, pipes, background
 * jobs and substitutions work on a copy.
 */
class LineReader implements CommandSink {
  readonly commands: ShellCommand[] = [];
  private depth = 0;

  constructor(private readonly syntax: ShellSyntax) {}

  known(words: readonly Word[]): void {
    const text = words.map((w) => w.text).join(' ');
    const program = words[0]!.text;
    const name = programName(program);
    const short = name !== program && name !== '' ? [name, ...words.slice(1).map((w) => w.text)].join(' ') : undefined;
    this.commands.push({ known: true, text, program: name || program, ...(short !== undefined ? { short } : {}) });
  }

  unknown(text: string): void {
    this.commands.push({ known: false, text: text.trim() });
  }

  code(text: string): void {
    if (this.depth >= MAX_DEPTH) return this.unknown(text);
    let script;
    try {
      script = this.syntax.parse(text);
    } catch {
      return this.unknown(text);
    }
    let broken = false;
    everyNode(script, (node) => {
      if (node.type === 'Statement' && node.deferredError) broken = true;
    });
    if (broken) return this.unknown(text);
    this.depth += 1;
    this.statements(script.statements, { vars: Variables.of(script), assigned: new Set() });
    this.depth -= 1;
  }

  private statements(list: readonly StatementNode[], scope: Scope): void {
    for (const statement of list) {
      statement.pipelines.forEach((pipeline, i) => {
        // Only the first pipeline of a list certainly runs, and only a lone command runs in this shell.
        const here = i === 0 && pipeline.commands.length === 1 && !statement.background;
        for (const command of pipeline.commands) this.command(command, here ? scope : fork(scope));
      });
    }
  }

  private command(node: CommandNode, scope: Scope): void {
    switch (node.type) {
      case 'SimpleCommand':
        return this.simple(node, scope);
      case 'Group':
        this.statements(node.body, scope);
        return this.any(node.redirections, scope);
      case 'FunctionDef':
        // The body runs when the function is called, with whatever the variables hold then.
        return this.any(node.body, { vars: scope.vars, assigned: new Set() });
      default:
        return this.parts(node, fork(scope));
    }
  }

  private simple(node: SimpleCommandNode, scope: Scope): void {
    this.any([node.assignments, node.redirections, node.name, node.args], scope);
    if (node.name === null) {
      for (const a of node.assignments) scope.assigned.add(a.name);
      return;
    }
    readCommand(
      [node.name, ...node.args].map((word) => evaluate(word, scope, this.syntax)),
      this,
    );
  }

  /** Any value of the tree: statement lists run in order on a copy of the scope; other nodes are searched. */
  private any(value: unknown, scope: Scope): void {
    if (Array.isArray(value)) {
      if (isNode(value[0]) && value[0].type === 'Statement')
        return this.statements(value as StatementNode[], fork(scope));
      for (const item of value) this.any(item, scope);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    // Some parts of the tree are plain objects (an if's clauses).
    if (!isNode(value)) return this.any(Object.values(value), scope);
    if (value.type === 'Script') return this.any(value.statements, scope);
    if (isNodeOf(value, 'ArithCommandSubst')) return this.code(value.command);
    if (isCommand(value)) return this.command(value, fork(scope));
    this.parts(value, scope);
  }

  private parts(node: { type: string }, scope: Scope): void {
    for (const [key, child] of Object.entries(node)) {
      // Arithmetic keeps some parts as text (`$(( ${x:-$(cmd)} ))`); code in them is not read here.
      if (typeof child === 'string' && node.type.startsWith('Arith') && key !== 'originalText' && /\$\(|`/.test(child))
        this.unknown(child);
      else this.any(child, scope);
    }
  }
}
