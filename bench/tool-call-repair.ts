import { extractToolCalls } from '../src/agent/text-tool-calls';
import type { Sandbox } from '../src/sandbox/service';
import { nativeTools } from '../src/tools/native/index';
import { sandboxedTools } from '../src/tools/sandboxed/index';
import { type Bench, type Metric, median, round } from './lib';

const SIZE = 4096;
const BATCH = 200;
const BATCHES = 50;

/** Prose and a code block with braces, as a coding answer has: about SIZE characters, no call. */
function prose(size: number): string {
  const paragraph =
    'The parser reads the configuration once at start-up and keeps it in memory; a change on disk is picked up by the watcher, which re-reads the file and swaps the object in one step so no request sees half of it.\n\n';
  const code =
    '```ts\nexport function load(path: string): Config {\n  const text = readFileSync(path, "utf8");\n  return { ...DEFAULTS, ...JSON.parse(text) };\n}\n```\n\n';
  let out = '';
  while (out.length < size) out += out.length % 3 === 0 ? code : paragraph;
  return out.slice(0, size);
}

const hermes =
  '<tool_call>\n{"name": "read", "arguments": {"file_path": "src/config.ts", "offset": 1, "limit": 200}}\n</tool_call>';
const malformed =
  "<tool_call>\n{'name': 'read', 'arguments': {file_path: 'src/config.ts', limit: '200', offset: None,}";

/** Microseconds per call of `work`, the median over BATCHES batches of BATCH calls (after one warm-up batch). */
function microsPerCall(work: () => unknown): number {
  const perCall: number[] = [];
  for (let b = 0; b <= BATCHES; b++) {
    const started = performance.now();
    for (let i = 0; i < BATCH; i++) work();
    if (b > 0) perCall.push(((performance.now() - started) * 1000) / BATCH);
  }
  return median(perCall);
}

/**
 * Tool calls written as text: the whole path (find, repair, coerce) on a 4 KB answer of a model offered the built-in
 * tools. The answer with no call runs on every text answer, so it must be the cheapest.
 */
export const toolCallRepairBench: Bench = {
  name: 'tool-call-repair',
  async run(): Promise<Metric[]> {
    const tools = [...nativeTools(), ...sandboxedTools({} as Sandbox)];
    const plain = prose(SIZE);
    const withJson = `${prose(SIZE - 120)}\n\`\`\`json\n{"name": "read", "version": "1.0.0", "main": "index.js"}\n\`\`\``;
    const oneCall = `${prose(SIZE - hermes.length - 2)}\n\n${hermes}`;
    const broken = `${prose(SIZE - malformed.length - 2)}\n\n${malformed}`;
    const check = (text: string, calls: number) => {
      const found = extractToolCalls(text, tools).calls.length;
      if (found !== calls) throw new Error(`expected ${calls} call(s), found ${found}`);
    };
    check(plain, 0);
    check(withJson, 0);
    check(oneCall, 1);
    check(broken, 1);
    const target = '< 1000 µs';
    const metric = (name: string, text: string, list = () => tools): Metric => ({
      name,
      value: round(
        microsPerCall(() => extractToolCalls(text, list())),
        1,
      ),
      unit: 'µs per answer',
      target,
    });
    return [
      metric('4 KB answer, no call', plain),
      metric('4 KB answer, no call, new tool list each time', plain, () => tools.slice()),
      metric('4 KB answer, no call, JSON naming a tool', withJson),
      metric('4 KB answer, one Hermes call', oneCall),
      metric('4 KB answer, one malformed call to repair', broken),
    ];
  },
};
