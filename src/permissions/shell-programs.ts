import type { Word } from './shell-words';

/** Where the commands of a line go as they are found. */
export interface CommandSink {
  /** A command whose program is known, as its words. */
  known(words: readonly Word[]): void;
  /** A command whose program, or what it runs, is only known when the line runs. */
  unknown(text: string): void;
  /** Shell code given as text (`bash -c`, `eval`, an alias), read like a line of its own. */
  code(text: string): void;
}

/** How a program that runs another one takes its options: the command starts after them. */
interface Wrapper {
  /** Short options without a value; a cluster such as `-0r` combines them. */
  flags?: string;
  /** Short options with a value, attached (`-n5`) or as the next word (`-n 5`). */
  valued?: string;
  /** Short options whose value, if any, is attached (xargs `-i[R]`). */
  attached?: string;
  longFlags?: readonly string[];
  /** Long options with a value, as `--name=value` or `--name value`. */
  longValued?: readonly string[];
  /** Options with which it runs nothing (`command -v rm` only prints). */
  runsNothing?: string;
  /** Words between the options and the command: timeout's duration. */
  operands?: number;
  /** Whether NAME=value words may come before the command (env). */
  assignments?: boolean;
}

const WRAPPERS: Record<string, Wrapper> = {
  env: {
    flags: 'i0v',
    valued: 'uC',
    longFlags: ['--ignore-environment', '--null', '--debug'],
    longValued: ['--unset', '--chdir'],
    assignments: true,
  },
  command: { flags: 'p', runsNothing: 'vV' },
  builtin: {},
  exec: { flags: 'cl', valued: 'a' },
  nice: { flags: '0123456789', valued: 'n', longValued: ['--adjustment'] },
  nohup: {},
  time: { flags: 'p' },
  timeout: {
    flags: 'v',
    valued: 'sk',
    longFlags: ['--preserve-status', '--foreground', '--verbose'],
    longValued: ['--signal', '--kill-after'],
    operands: 1,
  },
  stdbuf: { valued: 'ioe', longValued: ['--input', '--output', '--error'] },
  setsid: { flags: 'cfw' },
  ionice: { flags: 't', valued: 'cnp' },
  sudo: {
    flags: 'AbEHKknPS',
    valued: 'CDghpRrTtUu',
    longValued: [
      '--user',
      '--group',
      '--host',
      '--prompt',
      '--chdir',
      '--chroot',
      '--role',
      '--type',
      '--close-from',
      '--other-user',
      '--command-timeout',
    ],
  },
  doas: { flags: 'n', valued: 'Cu' },
  xargs: {
    flags: '0rtpx',
    valued: 'adEILnPs',
    attached: 'eil',
    longFlags: ['--null', '--no-run-if-empty', '--verbose', '--interactive', '--exit', '--open-tty'],
    longValued: [
      '--arg-file',
      '--delimiter',
      '--eof',
      '--replace',
      '--max-lines',
      '--max-args',
      '--max-procs',
      '--max-chars',
      '--process-slot-var',
    ],
  },
};

/** Stands for arguments only known when the line runs: the items xargs reads, those an alias is used with. */
const RUN_TIME_ARGUMENTS: Word = { text: '…', known: false };
const XARGS_REPLACES = new Set(['I', 'i', '--replace']);
const FIND_RUNS = new Set(['-exec', '-execdir', '-ok', '-okdir']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

function wordsText(words: readonly Word[]): string {
  return words.map((w) => w.text).join(' ');
}

/** The last segment of a program written as a path (`/bin/rm` → `rm`). */
export function programName(program: string): string {
  return program.slice(program.lastIndexOf('/') + 1);
}

/**
 * Reads one simple command: reports it, then whatever it runs in turn — the command after a wrapper (`env`,
 * `timeout 5`, `xargs`, `sudo` …), the code of `bash -c`, `eval` and `alias`, and what `find -delete` and
 * `find -exec` do.
 */
export function readCommand(words: readonly Word[], sink: CommandSink): void {
  const [program, ...args] = words;
  if (!program) return;
  if (!program.known || program.text === '') return sink.unknown(wordsText(words));
  sink.known(words);
  const name = programName(program.text);
  const wrapper = WRAPPERS[name];
  if (wrapper) return unwrap(name, wrapper, args, sink, wordsText(words));
  switch (name) {
    case 'bash':
    case 'sh':
      return shell(args, sink, wordsText(words));
    case 'eval':
      return args.every((a) => a.known) ? sink.code(wordsText(args)) : sink.unknown(wordsText(words));
    case 'alias':
      for (const arg of args) {
        if (!arg.known) sink.unknown(wordsText(words));
        // Where the alias is used, its value runs with that command's arguments after it.
        else if (arg.text.includes('='))
          sink.code(`${arg.text.slice(arg.text.indexOf('=') + 1)} ${RUN_TIME_ARGUMENTS.text}`);
      }
      return;
    case 'find':
      return find(args, sink, wordsText(words));
  }
}

type Start = { at: number; options: string[] } | 'unknown' | 'nothing';

/** Where the command a wrapper runs starts among its arguments. */
function commandStart(args: readonly Word[], wrapper: Wrapper): Start {
  const options: string[] = [];
  let at = 0;
  while (at < args.length) {
    const { text, known } = args[at]!;
    if (known && !text.startsWith('-')) break;
    // A word only known when it runs may be an option; env's `NAME=$x` is still an assignment.
    if (!known) {
      if (wrapper.assignments && ASSIGNMENT.test(text)) break;
      return 'unknown';
    }
    // A lone `-` is env's old spelling of -i; for the others it would be a program that does not exist.
    if (text === '-') {
      at += 1;
      continue;
    }
    if (text === '--') {
      at += 1;
      break;
    }
    if (text.startsWith('--')) {
      const name = text.split('=', 1)[0]!;
      options.push(name);
      if (wrapper.longFlags?.includes(name)) at += 1;
      else if (wrapper.longValued?.includes(name)) at += text.includes('=') ? 1 : 2;
      else return 'unknown';
      continue;
    }
    const cluster = text.slice(1);
    let words = 1;
    for (let i = 0; i < cluster.length; i++) {
      const letter = cluster[i]!;
      options.push(letter);
      if (wrapper.runsNothing?.includes(letter)) return 'nothing';
      if (wrapper.flags?.includes(letter)) continue;
      if (wrapper.attached?.includes(letter)) break;
      if (!wrapper.valued?.includes(letter)) return 'unknown';
      if (i === cluster.length - 1) words = 2;
      break;
    }
    at += words;
  }
  if (wrapper.assignments) while (at < args.length && ASSIGNMENT.test(args[at]!.text)) at += 1;
  return { at: at + (wrapper.operands ?? 0), options };
}

function unwrap(name: string, wrapper: Wrapper, args: readonly Word[], sink: CommandSink, text: string): void {
  const start = commandStart(args, wrapper);
  if (start === 'nothing') return;
  // An option not in the table may take a value, so where the command starts cannot be told.
  if (start === 'unknown') return sink.unknown(text);
  const command = args.slice(start.at);
  if (name !== 'xargs') return readCommand(command, sink);
  const run = command.length > 0 ? command : [{ text: 'echo', known: true }];
  readCommand(start.options.some((o) => XARGS_REPLACES.has(o)) ? run : [...run, RUN_TIME_ARGUMENTS], sink);
}

/** `bash -c CODE` runs CODE; `bash FILE` runs a script file (matched as that command); plain `bash` reads its input. */
function shell(args: readonly Word[], sink: CommandSink, text: string): void {
  let code = false;
  let at = 0;
  for (; at < args.length; at++) {
    const arg = args[at]!;
    if (!arg.known) return sink.unknown(text);
    if (arg.text === '--' || arg.text === '-') {
      at += 1;
      break;
    }
    if (!/^[-+]./.test(arg.text)) break;
    if (arg.text.startsWith('--')) {
      if (arg.text === '--rcfile' || arg.text === '--init-file') at += 1;
      continue;
    }
    const letters = arg.text.slice(1);
    // -s: commands come from standard input, whatever the operands.
    if (letters.includes('s')) return sink.unknown(text);
    if (letters.includes('c')) code = true;
    if (/[oO]/.test(letters)) at += 1;
  }
  const operand = args[at];
  if (!code) {
    if (!operand) sink.unknown(text);
    return;
  }
  if (!operand) return;
  if (!operand.known) return sink.unknown(text);
  sink.code(operand.text);
}

/** `find PATHS… -delete` is matched as `rm PATHS…`; `find … -exec CMD … ;` as `CMD …`. */
function find(args: readonly Word[], sink: CommandSink, text: string): void {
  // A word only known when it runs, even a quoted one, may turn out to be -delete or -exec.
  if (!args.every((a) => a.known)) return sink.unknown(text);
  let at = 0;
  while (at < args.length && /^-([HLP]|D|O\d*)$/.test(args[at]!.text)) at += args[at]!.text === '-D' ? 2 : 1;
  const paths: Word[] = [];
  while (at < args.length && !/^[-(!)]/.test(args[at]!.text)) paths.push(args[at++]!);
  if (paths.length === 0) paths.push({ text: '.', known: true });
  for (; at < args.length; at++) {
    const arg = args[at]!;
    if (arg.text === '-delete') readCommand([{ text: 'rm', known: true }, ...paths], sink);
    if (!FIND_RUNS.has(arg.text)) continue;
    const command: Word[] = [];
    for (at += 1; at < args.length; at++) {
      const word = args[at]!;
      if (word.text === ';' || (word.text === '+' && command.at(-1)?.text === '{}')) break;
      command.push(word);
    }
    readCommand(command, sink);
  }
}
