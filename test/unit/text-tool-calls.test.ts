import { describe, expect, it } from 'vitest';
import {
  type OfferedTool,
  extractToolCalls,
  failuresMessage,
  mayHoldToolCall,
  toolsPrompt,
} from '../../src/agent/text-tool-calls';
import { parseAlmostJson } from '../../src/agent/text-tool-calls/repair-json';
import { coerceArguments } from '../../src/agent/text-tool-calls/coerce';

const tool = (name: string, description: string, properties: Record<string, unknown>, required: string[] = []) => ({
  name,
  description,
  inputSchema: { type: 'object', properties, required, additionalProperties: false },
});

const TOOLS = [
  tool(
    'read',
    'Read a file with line numbers. Pages with offset and limit.',
    {
      file_path: { type: 'string' },
      offset: { type: 'integer', minimum: 1 },
      limit: { type: 'integer' },
    },
    ['file_path'],
  ),
  tool('write', 'Write a whole file.', { file_path: { type: 'string' }, content: { type: 'string' } }, [
    'file_path',
    'content',
  ]),
  tool(
    'grep',
    'Search file contents, e.g. "TODO" in *.ts.',
    {
      pattern: { type: 'string' },
      paths: { type: 'array', items: { type: 'string' } },
      case_insensitive: { type: 'boolean' },
      label: { type: ['string', 'null'] },
      ratio: { type: 'number' },
    },
    ['pattern'],
  ),
  tool(
    'todo_write',
    'Keep the task list.',
    {
      todos: {
        type: 'array',
        items: {
          type: 'object',
          properties: { content: { type: 'string' }, done: { type: 'boolean' } },
          required: ['content'],
        },
      },
    },
    ['todos'],
  ),
  tool('brief', 'Tell the user something.', {
    message: { type: 'string' },
    kind: { type: 'string', enum: ['progress', 'summary'], default: 'progress' },
  }),
  tool('enter_plan_mode', 'Switch to plan mode.', {}),
] satisfies OfferedTool[];

const extract = (text: string) => extractToolCalls(text, TOOLS);
const schemaOf = (name: string) => TOOLS.find((t) => t.name === name)!.inputSchema;
const READ = '{"name": "read", "arguments": {"file_path": "src/a.ts"}}';

describe('formats', () => {
  it('reads a Hermes/Qwen call and keeps the text around it', () => {
    const out = extract(`I will read the file first.\n<tool_call>\n${READ}\n</tool_call>`);
    expect(out.calls).toEqual([{ name: 'read', input: { file_path: 'src/a.ts' }, format: 'hermes', repairs: [] }]);
    expect(out.failures).toEqual([]);
    expect(out.text).toBe('I will read the file first.');
  });

  it('reads several Hermes calls in their order', () => {
    const out = extract(
      `<tool_call>${READ}</tool_call>\n<tool_call>{"name": "grep", "arguments": {"pattern": "TODO"}}</tool_call>`,
    );
    expect(out.calls.map((c) => c.name)).toEqual(['read', 'grep']);
    expect(out.text).toBe('');
  });

  it('tolerates a missing closing tag at the end, and before the next call', () => {
    const last = extract(`Reading.\n<tool_call>\n${READ}`);
    expect(last.calls).toHaveLength(1);
    expect(last.calls[0]!.repairs).toEqual(['added the missing </tool_call>']);
    expect(last.text).toBe('Reading.');
    const between = extract(`<tool_call>${READ}\n<tool_call>{"name": "enter_plan_mode", "arguments": {}}</tool_call>`);
    expect(between.calls.map((c) => c.name)).toEqual(['read', 'enter_plan_mode']);
  });

  it('stops a call missing its closing tag where its JSON ends, keeping the prose after it', () => {
    const out = extract(`<tool_call>\n${READ}\nThen I will summarise it.`);
    expect(out.calls).toHaveLength(1);
    expect(out.text).toBe('Then I will summarise it.');
  });

  it('removes a code block that held only marked calls', () => {
    const out = extract(`Here:\n\`\`\`\n<tool_call>${READ}</tool_call>\n<tool_call>${READ}</tool_call>\n\`\`\`\nDone.`);
    expect(out.calls).toHaveLength(2);
    expect(out.text).toBe('Here:\nDone.');
  });

  it('reads a call fenced inside <tool_call>', () => {
    const out = extract(`<tool_call>\n\`\`\`json\n${READ}\n\`\`\`\n</tool_call>`);
    expect(out.calls.map((c) => c.input)).toEqual([{ file_path: 'src/a.ts' }]);
    expect(out.text).toBe('');
  });

  it("reads Qwen3-Coder's <function=…><parameter=…> inside <tool_call>, typing the values by the schema", () => {
    const out = extract(
      '<tool_call>\n<function=read>\n<parameter=file_path>\nsrc/a.ts\n</parameter>\n<parameter=limit>\n20\n</parameter>\n</function>\n</tool_call>',
    );
    expect(out.calls).toEqual([
      {
        name: 'read',
        input: { file_path: 'src/a.ts', limit: 20 },
        format: 'hermes',
        repairs: ['turned "20" into the number 20 for `limit`'],
      },
    ]);
  });

  it('reads fenced code blocks marked json, tool_call or nothing', () => {
    for (const lang of ['json', 'tool_call', '']) {
      const out = extract(`Let me look:\n\`\`\`${lang}\n${READ}\n\`\`\`\nThen I will fix it.`);
      expect(out.calls.map((c) => [c.name, c.format])).toEqual([['read', 'fenced']]);
      expect(out.text).toBe('Let me look:\nThen I will fix it.');
    }
  });

  it('reads a bare JSON call: the whole answer, or a line of it, with arguments, parameters or input', () => {
    expect(extract(READ).calls.map((c) => [c.name, c.format])).toEqual([['read', 'json']]);
    const line = extract(
      `Checking the file.\n{"name": "read", "parameters": {"file_path": "a"}}\n{"name": "grep", "input": {"pattern": "x"}}\nDone soon.`,
    );
    expect(line.calls.map((c) => c.input)).toEqual([{ file_path: 'a' }, { pattern: 'x' }]);
    expect(line.text).toBe('Checking the file.\nDone soon.');
  });

  it("reads OpenAI's function shape with arguments as a JSON string, alone or in tool_calls", () => {
    const call = (path: string) =>
      `{"type": "function", "function": {"name": "read", "arguments": ${JSON.stringify(JSON.stringify({ file_path: path }))}}}`;
    expect(extract(call('a')).calls).toEqual([
      { name: 'read', input: { file_path: 'a' }, format: 'json', repairs: ['read the arguments from a JSON string'] },
    ]);
    const wrapped = extract(`{"tool_calls": [${call('a')}, ${call('b')}]}`);
    expect(wrapped.calls.map((c) => c.input)).toEqual([{ file_path: 'a' }, { file_path: 'b' }]);
  });

  it('reads a JSON list as several calls', () => {
    const out = extract(`[${READ}, {"name": "grep", "arguments": {"pattern": "x"}}]`);
    expect(out.calls.map((c) => c.name)).toEqual(['read', 'grep']);
  });

  it('reads Mistral [TOOL_CALLS] lists and the name[ARGS] form', () => {
    const list = extract(`[TOOL_CALLS][${READ}, {"name": "grep", "arguments": {"pattern": "x"}}]`);
    expect(list.calls.map((c) => [c.name, c.format])).toEqual([
      ['read', 'mistral'],
      ['grep', 'mistral'],
    ]);
    const args = extract('[TOOL_CALLS]read[ARGS]{"file_path": "a"}[TOOL_CALLS]grep[CALL_ID]c1[ARGS]{"pattern": "x"}');
    expect(args.calls.map((c) => [c.name, c.input])).toEqual([
      ['read', { file_path: 'a' }],
      ['grep', { pattern: 'x' }],
    ]);
    expect(args.text).toBe('');
  });

  it('reads Llama <|python_tag|> calls (several separated by ;) and <function=name> tags', () => {
    const tag = extract(
      '<|python_tag|>{"name": "read", "parameters": {"file_path": "a"}}; {"name": "grep", "parameters": {"pattern": "x"}}<|eom_id|>',
    );
    expect(tag.calls.map((c) => [c.name, c.format])).toEqual([
      ['read', 'llama'],
      ['grep', 'llama'],
    ]);
    expect(tag.text).toBe('');
    const fn = extract('Looking.\n<function=read>{"file_path": "a", "offset": 3}</function>');
    expect(fn.calls).toEqual([
      { name: 'read', input: { file_path: 'a', offset: 3 }, format: 'function-tag', repairs: [] },
    ]);
    expect(fn.text).toBe('Looking.');
    expect(extract('<function=enter_plan_mode></function>').calls.map((c) => c.input)).toEqual([{}]);
  });

  it('keeps the order of calls written in different formats', () => {
    const out = extract(
      `\`\`\`json\n${READ}\n\`\`\`\n<tool_call>{"name": "grep", "arguments": {"pattern": "x"}}</tool_call>`,
    );
    expect(out.calls.map((c) => [c.name, c.format])).toEqual([
      ['read', 'fenced'],
      ['grep', 'hermes'],
    ]);
  });
});

describe('repairs', () => {
  it('names what it fixed in almost-JSON', () => {
    const cases: [string, string[]][] = [
      ['{"file_path": "a",}', ['removed a trailing comma']],
      ["{'file_path': 'a'}", ['replaced single quotes with double quotes']],
      ['{file_path: "a"}', ['quoted keys']],
      ['{"file_path": "a"', ['closed 1 brace']],
      ['{"file_path": "a", "offset": None}', ['turned Python True/False/None into JSON']],
      ['{"file_path": "a" // the file\n}', ['removed comments']],
      ['{"file_path": "a" "limit": 3}', ['added a missing comma']],
      ['{"file_path": "a", "paths": ["x"}', ['closed 1 bracket']],
    ];
    for (const [raw, repairs] of cases) {
      const parsed = parseAlmostJson(raw);
      expect(parsed.ok && parsed.repairs, raw).toEqual(repairs);
    }
  });

  it('leaves valid JSON alone, with no repairs', () => {
    expect(parseAlmostJson('{"a": [1, "b, }"]}')).toEqual({ ok: true, value: { a: [1, 'b, }'] }, repairs: [] });
  });

  it('repairs a whole malformed call and reports every fix', () => {
    const out = extract(
      "<tool_call>{'name': 'grep', 'arguments': {pattern: 'TODO', case_insensitive: True, label: None, paths: 'src',}",
    );
    expect(out.calls).toEqual([
      {
        name: 'grep',
        input: { pattern: 'TODO', case_insensitive: true, label: null, paths: ['src'] },
        format: 'hermes',
        repairs: [
          'added the missing </tool_call>',
          'replaced single quotes with double quotes',
          'quoted keys',
          'turned Python True/False/None into JSON',
          'removed a trailing comma',
          'closed 1 brace',
          'put the single value in a list for `paths`',
        ],
      },
    ]);
  });

  it('escapes the raw line breaks of file contents written inside a string', () => {
    const out = extract(
      '<tool_call>{"name": "write", "arguments": {"file_path": "a.py", "content": "x = 1\nprint(x)\n"}}</tool_call>',
    );
    expect(out.calls[0]!.input).toEqual({ file_path: 'a.py', content: 'x = 1\nprint(x)\n' });
    expect(out.calls[0]!.repairs).toEqual(['escaped line breaks inside a string']);
  });

  it('matches a tool name that differs in case or carries the functions. prefix', () => {
    const out = extract('<tool_call>{"name": "functions.Read", "arguments": {"file_path": "a"}}</tool_call>');
    expect(out.calls.map((c) => [c.name, c.repairs])).toEqual([['read', ['called read for "functions.Read"']]]);
  });
});

describe('coercion', () => {
  const schema = schemaOf('grep');
  const coerce = (args: unknown) => coerceArguments('grep', args, schema);

  it('turns strings into the numbers and booleans the schema wants, and numbers into strings', () => {
    expect(coerce({ pattern: 5, ratio: '0.5', case_insensitive: 'TRUE' })).toEqual({
      ok: true,
      input: { pattern: '5', ratio: 0.5, case_insensitive: true },
      repairs: [
        'turned 5 into the string "5" for `pattern`',
        'turned "TRUE" into true for `case_insensitive`',
        'turned "0.5" into the number 0.5 for `ratio`',
      ],
    });
    expect(coerceArguments('read', { file_path: 'a', limit: '20' }, schemaOf('read'))).toEqual({
      ok: true,
      input: { file_path: 'a', limit: 20 },
      repairs: ['turned "20" into the number 20 for `limit`'],
    });
  });

  it('puts a single value in a list, and reads a list written as a JSON string', () => {
    expect(coerce({ pattern: 'x', paths: 'src' })).toMatchObject({ ok: true, input: { paths: ['src'] } });
    expect(coerce({ pattern: 'x', paths: '["a", "b"]' })).toEqual({
      ok: true,
      input: { pattern: 'x', paths: ['a', 'b'] },
      repairs: ['read the JSON in the string for `paths`'],
    });
  });

  it('reads arguments given as a JSON string, and takes none as no arguments', () => {
    expect(coerce('{"pattern": "x"}')).toEqual({
      ok: true,
      input: { pattern: 'x' },
      repairs: ['read the arguments from a JSON string'],
    });
    expect(coerceArguments('enter_plan_mode', undefined, schemaOf('enter_plan_mode'))).toEqual({
      ok: true,
      input: {},
      repairs: [],
    });
  });

  it('drops null for an optional property, keeps it where null is allowed', () => {
    expect(coerceArguments('read', { file_path: 'a', offset: null }, schemaOf('read'))).toEqual({
      ok: true,
      input: { file_path: 'a' },
      repairs: ['dropped `offset`, which was null'],
    });
    expect(coerce({ pattern: 'x', label: null })).toEqual({
      ok: true,
      input: { pattern: 'x', label: null },
      repairs: [],
    });
  });

  it('fills a missing property from its default, never invents one', () => {
    expect(coerceArguments('brief', { message: 'hi' }, schemaOf('brief'))).toMatchObject({
      ok: true,
      input: { message: 'hi' },
    });
    const required = { ...schemaOf('brief'), required: ['message', 'kind'] };
    expect(coerceArguments('brief', { message: 'hi' }, required)).toEqual({
      ok: true,
      input: { message: 'hi', kind: 'progress' },
      repairs: ['used the default "progress" for `kind`'],
    });
  });

  it('renames a key written in another case or with dashes to the one the schema names', () => {
    expect(coerceArguments('read', { filePath: 'a', 'li-mit': 3 }, schemaOf('read'))).toEqual({
      ok: true,
      input: { file_path: 'a', limit: 3 },
      repairs: ['renamed `filePath` to `file_path`', 'renamed `li-mit` to `limit`'],
    });
  });

  it('keeps a __proto__ key a plain key', () => {
    const out = coerceArguments(
      'read',
      JSON.parse('{"file_path": "a", "__proto__": {"polluted": true}}'),
      schemaOf('read'),
    );
    expect(out.ok && Object.getPrototypeOf(out.input)).toBe(Object.prototype);
    expect(out.ok && Object.hasOwn(out.input, '__proto__')).toBe(true);
  });

  it('coerces one level down: the items of a list of objects', () => {
    const out = extract(
      '<tool_call>{"name": "todo_write", "arguments": {"todos": [{"content": "a", "done": "false"}, {"content": 7}]}}</tool_call>',
    );
    expect(out.calls[0]!.input).toEqual({ todos: [{ content: 'a', done: false }, { content: '7' }] });
    expect(out.calls[0]!.repairs).toEqual([
      'turned "false" into false for `todos[0].done`',
      'turned 7 into the string "7" for `todos[1].content`',
    ]);
  });
});

describe('failures', () => {
  it('names a missing required property and the tool', () => {
    const out = extract('<tool_call>{"name": "read", "arguments": {"limit": 5}}</tool_call>');
    expect(out.calls).toEqual([]);
    expect(out.failures).toEqual([
      {
        format: 'hermes',
        name: 'read',
        raw: '{"name": "read", "arguments": {"limit": 5}}',
        reason: '`file_path` is required by read',
      },
    ]);
    expect(out.text).toBe('');
    const other = extract('<tool_call>{"name": "read", "arguments": {"path": "a", "lines": 5}}</tool_call>');
    expect(other.failures.map((f) => f.reason)).toEqual([
      '`file_path` is required by read (it takes no `path` or `lines`)',
    ]);
    const two = extract('<tool_call>{"name": "write", "arguments": {}}</tool_call>');
    expect(two.failures.map((f) => f.reason)).toEqual(['`file_path` and `content` are required by write']);
    const nested = extract('<tool_call>{"name": "todo_write", "arguments": {"todos": [{"done": true}]}}</tool_call>');
    expect(nested.failures.map((f) => f.reason)).toEqual(['`todos[0].content` is required by todo_write']);
  });

  it('names a value that cannot be made the type the schema wants', () => {
    const out = extract('<tool_call>{"name": "read", "arguments": {"file_path": "a", "limit": "all"}}</tool_call>');
    expect(out.failures.map((f) => f.reason)).toEqual(['`limit` of read must be a whole number, not the string "all"']);
    const half = extract('<tool_call>{"name": "read", "arguments": {"file_path": "a", "limit": 2.5}}</tool_call>');
    expect(half.failures.map((f) => f.reason)).toEqual(['`limit` of read must be a whole number, not the number 2.5']);
  });

  it('names a tool that is not offered, and lists those that are', () => {
    const out = extract('<tool_call>{"name": "delete_everything", "arguments": {}}</tool_call>');
    expect(out.failures).toEqual([
      {
        format: 'hermes',
        name: 'delete_everything',
        raw: '{"name": "delete_everything", "arguments": {}}',
        reason:
          'there is no tool "delete_everything"; the tools are: read, write, grep, todo_write, brief, enter_plan_mode',
      },
    ]);
  });

  it('says where JSON that cannot be repaired went wrong', () => {
    const raw = '{"name": "read", "arguments": {"file_path": "a" : "b"}}';
    const out = extract(`<tool_call>${raw}</tool_call>`);
    expect(out.failures).toEqual([
      {
        format: 'hermes',
        name: 'read',
        raw,
        reason:
          'the call to read was not run: it is not valid JSON and could not be repaired (Object key expected near `…: {"file_path": "a" : "b"}}`)',
      },
    ]);
    const args = extract('[TOOL_CALLS]read[ARGS]{"file_path": "a" : "b"}');
    expect(args.failures.map((f) => [f.name, f.format])).toEqual([['read', 'mistral']]);
    expect(args.failures[0]!.reason).toMatch(/^the arguments of read are not valid JSON and could not be repaired/);
  });

  it('reports a bare JSON call that names a tool and its arguments but cannot be repaired', () => {
    const raw = '{"name": "read", "arguments": {"file_path": "a" : "b"}}';
    const out = extract(`Reading it.\n${raw}`);
    expect(out.failures.map((f) => [f.format, f.name, f.raw])).toEqual([['json', 'read', raw]]);
    expect(out.text).toBe('Reading it.');
  });

  it('refuses arguments that are not an object, and a marked call without a name', () => {
    expect(extract('<tool_call>{"name": "read", "arguments": "src/a.ts"}</tool_call>').failures[0]!.reason).toBe(
      'the arguments of read must be a JSON object, not a string that holds none',
    );
    expect(extract('<tool_call>{"name": "read", "arguments": ["a"]}</tool_call>').failures[0]!.reason).toBe(
      'the arguments of read must be a JSON object of parameters, not a list',
    );
    expect(extract('<tool_call>{"arguments": {"file_path": "a"}}</tool_call>').failures[0]!.reason).toBe(
      'a tool call needs a "name" and "arguments"; the tools are: read, write, grep, todo_write, brief, enter_plan_mode',
    );
  });

  it('keeps the calls that work when another in the same answer fails', () => {
    const out = extract(`<tool_call>${READ}</tool_call><tool_call>{"name": "write", "arguments": {}}</tool_call>`);
    expect(out.calls.map((c) => c.name)).toEqual(['read']);
    expect(out.failures.map((f) => f.name)).toEqual(['write']);
  });

  it('gives the model one message with every reason', () => {
    const { failures } = extract('<tool_call>{"name": "write", "arguments": {}}</tool_call>');
    expect(failuresMessage(failures)).toBe(
      [
        'A tool call in your answer could not be run:',
        '- `file_path` and `content` are required by write',
        'Write the call again as <tool_call>{"name": "TOOL", "arguments": {...}}</tool_call>.',
      ].join('\n'),
    );
  });
});

describe('no false positives', () => {
  const unchanged = (text: string) => {
    const out = extract(text);
    expect(out).toEqual({ calls: [], failures: [], text: text.trim() });
  };

  it('leaves an answer that explains a package.json', () => {
    unchanged(
      'Your package.json declares the name and the scripts:\n```json\n{\n  "name": "my-app",\n  "version": "1.0.0",\n  "scripts": { "test": "vitest" }\n}\n```\nRun `npm test` to start them.',
    );
  });

  it('leaves a package whose name is a tool name but that holds no arguments', () => {
    unchanged('```json\n{"name": "read", "version": "2.0.0", "main": "index.js"}\n```');
    unchanged('{"name": "grep", "description": "a grep clone", "license": "MIT"}');
    unchanged('The package is called\n{"name": "grep"}');
  });

  it('leaves a documented call shape naming no offered tool', () => {
    unchanged(
      'An OpenAI tool call looks like this:\n```json\n{"type": "function", "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}}\n```',
    );
    unchanged('Call it as\n{"name": "search", "arguments": {"query": "x"}}\nand read the result.');
  });

  it('leaves code in other languages, even when it spells a call', () => {
    unchanged('```ts\nconst call =\n{ name: "read", arguments: { file_path: "a" } };\n```');
  });

  it('leaves broken code that names a tool but holds no arguments', () => {
    unchanged('{ "name": "read", run() { return 1 } : }');
  });

  it('leaves prose that mentions the markers', () => {
    unchanged('Qwen wraps each call in `<tool_call>` tags, Mistral starts with `[TOOL_CALLS]`.');
    unchanged('Llama writes <|python_tag|> before built-in calls and <function=name> for others.');
  });

  it('finds nothing when no tools are offered', () => {
    expect(extractToolCalls(READ, [])).toEqual({ calls: [], failures: [], text: READ });
  });

  it('checks cheaply first', () => {
    expect(mayHoldToolCall('Plain prose with a { brace } and "read" quoted.', TOOLS)).toBe(false);
    expect(mayHoldToolCall(`Text ${READ}`, TOOLS)).toBe(true);
    expect(mayHoldToolCall('x [TOOL_CALLS] y', TOOLS)).toBe(true);
  });
});

describe('cut short', () => {
  it('never throws on any prefix of an answer, and calls only offered tools', () => {
    const answer = [
      "Let me look. <tool_call>{'name': 'grep', 'arguments': {pattern: 'a\"b', paths: ['x', 'y'],}}</tool_call>",
      '```json\n{"name": "read", "arguments": {"file_path": "a", "limit": "5"}}\n```',
      '[TOOL_CALLS]read[ARGS]{"file_path": "b"} <|python_tag|>{"name": "write", "parameters": {"file_path": "c", "content": "x\ny"}}<|eom_id|>',
      '<function=read><parameter=file_path>d</parameter></function> done.',
    ].join('\n');
    const names = new Set(TOOLS.map((t) => t.name));
    for (let end = 0; end <= answer.length; end++) {
      const out = extract(answer.slice(0, end));
      for (const call of out.calls) expect(names.has(call.name)).toBe(true);
    }
    expect(extract(answer).calls.map((c) => c.name)).toEqual(['grep', 'read', 'read', 'write', 'read']);
    expect(extract(answer).text).toBe('Let me look.\ndone.');
  });
});

describe('text left over', () => {
  it('joins the text around a call cut from the middle of a line or between paragraphs', () => {
    expect(extract(`I will check <tool_call>${READ}</tool_call> now.`).text).toBe('I will check now.');
    expect(extract(`First paragraph.\n\n<tool_call>${READ}</tool_call>\n\nSecond paragraph.`).text).toBe(
      'First paragraph.\n\nSecond paragraph.',
    );
  });

  it('keeps the rest of the text exactly as written', () => {
    const text = 'Line with two trailing spaces  \nnext line\n\n\n\nafter three blank lines';
    expect(extract(`${text}\n<tool_call>${READ}</tool_call>`).text).toBe(text);
  });
});

describe('toolsPrompt', () => {
  const prompt = toolsPrompt(TOOLS);

  it('lists each tool on one line with its first sentence and typed parameters, * for required ones', () => {
    expect(prompt).toContain(
      '- read(file_path*: string, offset: integer, limit: integer): Read a file with line numbers.\n',
    );
    expect(prompt).toContain(
      '- grep(pattern*: string, paths: string[], case_insensitive: boolean, label: string, ratio: number): Search file contents, e.g. "TODO" in *.ts.\n',
    );
    expect(prompt).toContain('- todo_write(todos*: {content*: string, done: boolean}[]): Keep the task list.\n');
    expect(prompt).toContain('- brief(message: string, kind: "progress"|"summary"): Tell the user something.\n');
    expect(prompt).toContain('- enter_plan_mode(): Switch to plan mode.\n');
  });

  it('gives the exact format to answer with, and where results come back', () => {
    expect(prompt).toContain('<tool_call>{"name": "TOOL", "arguments": {"PARAMETER": "value"}}</tool_call>');
    expect(prompt).toContain('one block per call');
    expect(prompt).toContain('The results come back in the next user message');
    expect(prompt.length).toBeLessThan(1500);
  });

  it('asks for calls the extractor reads', () => {
    const example = /<tool_call>.*<\/tool_call>/
      .exec(prompt)![0]
      .replace('TOOL', 'read')
      .replace('PARAMETER', 'file_path');
    expect(extract(example).calls).toEqual([
      { name: 'read', input: { file_path: 'value' }, format: 'hermes', repairs: [] },
    ]);
  });

  it('is empty when no tools are offered', () => {
    expect(toolsPrompt([])).toBe('');
  });
});
