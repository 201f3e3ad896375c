import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boundedJson } from '../../src/sandbox/guest/bounded-json';
import { cutMiddle, keepShares } from '../../src/sandbox/guest/cut-middle';
import { IMAGE_CAP_BYTES, OUTPUT_CAP, capResult } from '../../src/tools/output-cap';
import { type SavedOutput, ToolOutputStore } from '../../src/tools/output-store';
import type { ToolResult } from '../../src/tools/tool';
import { tempDir } from '../helpers/workspace';

/** `count` numbered lines of about 40 characters. */
function lines(count: number): string {
  return Array.from({ length: count }, (_, i) => `line ${i + 1} ${'-'.repeat(30)}`).join('\n');
}

/** A stand-in for the store: remembers what it was asked to keep. */
function keeper(saved: SavedOutput | null = { guestPath: '/.tool-output/ses_a/call_b.txt', complete: true }) {
  const kept: string[] = [];
  return { kept, keep: async (text: string) => (kept.push(text), saved) };
}

const textOf = (result: ToolResult) =>
  typeof result.content === 'string'
    ? result.content
    : result.content.map((b) => (b.type === 'text' ? b.text : `[${b.type}]`)).join('\n');

describe('cutting text', () => {
  it('keeps the start and the end, says how much went, and never makes a text longer', () => {
    const cut = cutMiddle(`${'a'.repeat(500)}${'b'.repeat(500)}`, 100);
    expect(cut).toMatch(/^a{50}\n… 900 characters cut …\nb{50}$/);
    expect(cutMiddle('short', 2)).toBe('short');
  });

  it('shares room so that short texts stay whole and long ones split the rest', () => {
    expect(keepShares([10, 1000, 5000], 1000)).toEqual([10, 495, 495]);
    expect(keepShares([10, 20], 1000)).toEqual([10, 20]);
  });
});

describe('a result leaving the guest', () => {
  const MAX = 10_000;

  it('passes a small result through as its JSON text', () => {
    expect(boundedJson({ a: [1, 'two'] }, { json: false, max: MAX })).toBe('{"a":[1,"two"]}');
    expect(boundedJson(undefined, { json: false, max: MAX })).toBeUndefined();
  });

  it('cuts the long strings inside a result and keeps its shape', () => {
    const shell = JSON.stringify({ stdout: lines(5000), stderr: 'warning: one\n', exitCode: 3, cwd: '/src' });
    const text = boundedJson(shell, { json: true, max: MAX })!;
    expect(text.length).toBeLessThanOrEqual(MAX);
    const output = JSON.parse(text);
    expect(output).toMatchObject({ stderr: 'warning: one\n', exitCode: 3, cwd: '/src' });
    expect(output.stdout).toMatch(/^line 1 -+\nline 2 [^]*characters cut[^]*line 5000 -+$/);
  });

  it('cuts a vast structure of small values as one text', () => {
    const text = boundedJson(
      Array.from({ length: 200_000 }, (_, i) => i),
      { json: false, max: MAX },
    )!;
    expect(text.length).toBeLessThanOrEqual(MAX);
    expect(JSON.parse(text)).toMatch(/^\[0,1,2,[^]*characters cut[^]*,199999\]$/);
  });
});

describe('capping a tool result', () => {
  it('returns a result within the caps as it is', async () => {
    const result = { content: 'fine', metadata: { n: 1 } };
    expect(await capResult(result, keeper().keep)).toBe(result);
  });

  it('keeps the start and end of long text, saves the whole of it, and says where to read on', async () => {
    const whole = lines(10_000);
    const { kept, keep } = keeper();
    const result = await capResult({ content: whole, isError: true }, keep);
    const shown = textOf(result);
    expect(shown.length).toBeLessThan(OUTPUT_CAP + 500);
    expect(shown.startsWith('line 1 ')).toBe(true);
    expect(shown).toMatch(
      /line 10000 -+\n\n\[Output cut to 30,000 of [\d,]+ characters\. All of it is saved; read it in pages from where it was cut/,
    );
    expect(result.isError).toBe(true);
    expect(kept).toEqual([whole]);
    expect(result.metadata).toEqual({
      outputCut: { characters: whole.length, savedAs: '/.tool-output/ses_a/call_b.txt' },
    });
    // The offset given is the line where the cut begins: the line holding the first character left out.
    const offset = Number(
      /read \{"file_path": "\/\.tool-output\/ses_a\/call_b\.txt", "offset": (\d+)\}/.exec(shown)![1],
    );
    expect(offset).toBe(whole.slice(0, OUTPUT_CAP / 2 + 1).split('\n').length);
  });

  it('cuts only the long block of several, leaves images alone, and replaces an oversized image by a note', async () => {
    const small = 'a short note';
    const image = { type: 'image' as const, data: 'iVBORw0KGgo=', mediaType: 'image/png' };
    const huge = {
      type: 'image' as const,
      data: 'A'.repeat(Math.ceil(((IMAGE_CAP_BYTES + 1024) * 4) / 3)),
      mediaType: 'image/jpeg',
    };
    const result = await capResult(
      { content: [{ type: 'text', text: small }, image, { type: 'text', text: lines(5000) }, huge] },
      keeper().keep,
    );
    const blocks = result.content as { type: string; text?: string }[];
    expect(blocks[0]).toEqual({ type: 'text', text: small });
    expect(blocks[1]).toBe(image);
    expect(blocks[2]!.text).toMatch(/characters cut/);
    expect(blocks[3]).toEqual({
      type: 'text',
      text: '[image/jpeg image of 5.0 MB left out: images over 5.0 MB are not passed on]',
    });
    expect(blocks[4]!.text).toMatch(/^\[Output cut to 30,000 of/);
    const onlyImage = await capResult({ content: [huge] });
    expect(onlyImage.content).toEqual([{ type: 'text', text: expect.stringMatching(/left out/) }]);
  });

  it('says so when the rest was not kept, or only its start', async () => {
    expect(textOf(await capResult({ content: lines(5000) }))).toMatch(/The rest was not kept\.\]$/);
    const partial = await capResult(
      { content: lines(5000) },
      keeper({ guestPath: '/.tool-output/s/c.txt', complete: false }).keep,
    );
    expect(textOf(partial)).toMatch(/Its start is saved \(up to the size limit for saved output\); read it in pages/);
  });
});

describe('saved tool output', () => {
  it('is written per session and call, bounded in size, and goes with its session', async () => {
    const dir = await tempDir();
    let maxBytes = 1000;
    const store = new ToolOutputStore({ dir, maxBytes: () => maxBytes });
    expect(await store.save('ses_1', 'call_1', 'whole text')).toEqual({
      guestPath: '/.tool-output/ses_1/call_1.txt',
      complete: true,
    });
    expect(readFileSync(join(dir, 'ses_1', 'call_1.txt'), 'utf8')).toBe('whole text');

    const long = await store.save('ses_1', 'call/../../x', 'é'.repeat(800));
    expect(long).toMatchObject({
      complete: false,
      guestPath: expect.stringMatching(/^\/\.tool-output\/ses_1\/id-[0-9a-f]{32}\.txt$/),
    });
    const written = readFileSync(join(dir, 'ses_1', long!.guestPath.split('/').at(-1)!), 'utf8');
    expect(written).toMatch(/^é{500}\n\[… cut here: the output was 1,600 bytes; the first 1,000 are kept\]\n$/);

    maxBytes = 0;
    expect(await store.save('ses_2', 'call_1', 'x')).toBeNull();
    await store.removeSession('ses_1');
    expect(existsSync(join(dir, 'ses_1'))).toBe(false);
  });
});
