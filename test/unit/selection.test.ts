import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { selectTools } from '../../src/tools/selection';
import { fixedSource } from '../../src/tools/source';
import { type Tool, defineTool } from '../../src/tools/tool';

const tool = (name: string, extra: { defer?: boolean; source?: Tool['source'] } = {}) =>
  defineTool({
    name,
    description: name,
    permissionLevel: 'read',
    input: z.strictObject({}),
    ...extra,
    execute: async () => ({ content: name }),
  });

const sources = (...tools: Tool[]) => [fixedSource(tools)];

describe('selectTools', () => {
  it('offers a tool marked defer by name only, listed in tool_search', () => {
    const selected = selectTools({ sources: sources(tool('read'), tool('sleep', { defer: true })) });
    expect([...selected.deferred]).toEqual(['sleep']);
    expect(selected.tools.map((t) => t.name)).toEqual(['read', 'sleep', 'tool_search']);
    expect(selected.tools.at(-1)!.description).toContain('Offered by name only until found: sleep.');
  });

  it('offers deferred tools in full when the selection asks for them, by name or pattern', () => {
    const all = sources(
      tool('sleep', { defer: true }),
      tool('jsexec', { defer: true }),
      tool('brief', { defer: true }),
    );
    expect([...selectTools({ sources: all, offer: ['sleep', 'js*'] }).deferred]).toEqual(['brief']);
    const none = selectTools({ sources: all, offer: ['*'] });
    expect(none.deferred.size).toBe(0);
    expect(none.tools.at(-1)!.description).not.toContain('Offered by name only');
  });

  it('still defers MCP tools when there are many, unless offered', () => {
    const mcp = Array.from({ length: 41 }, (_, i) => tool(`mcp__x__t${i}`, { source: 'mcp' }));
    const selected = selectTools({ sources: sources(tool('read'), ...mcp), offer: ['mcp__x__t1'] });
    expect(selected.deferred.has('mcp__x__t0')).toBe(true);
    expect(selected.deferred.has('mcp__x__t1')).toBe(false);
    expect(selected.deferred.has('read')).toBe(false);
  });

  it('never defers, nor names, a denied tool', () => {
    const selected = selectTools({ sources: sources(tool('sleep', { defer: true })), deny: ['sleep'] });
    expect(selected.deferred.size).toBe(0);
    expect(selected.tools.map((t) => t.name)).toEqual(['tool_search']);
  });
});
