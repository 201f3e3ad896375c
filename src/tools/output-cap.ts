import { cutNote, ends, keepShares } from '../sandbox/guest/cut-middle';
import { lineNumberAt } from '../sandbox/guest/text';
import type { SavedOutput } from './output-store';
import { type ContentBlock, type ToolResult, resultText } from './tool';

/** Characters of output a tool hands the model: enough to be useful, little enough to leave room for the rest. */
export const OUTPUT_CAP = 30_000;

/** An image larger than this is not passed on: no model takes one that size, and it would bloat the session. */
export const IMAGE_CAP_BYTES = 5 * 1024 * 1024;

/** Keeps the whole text of a cut result somewhere the model can read it; null when it could not be kept. */
export type KeepOutput = (text: string) => Promise<SavedOutput | null>;

function imageBytes(base64: string): number {
  return Math.floor((base64.length * 3) / 4);
}

function formatMb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * A tool's result as the model gets it, whatever the tool: text over OUTPUT_CAP characters in all keeps its start
 * and end (short blocks whole, long ones sharing the room) with a note where it was cut; an image over
 * IMAGE_CAP_BYTES is replaced by a note. When text was cut, the whole of it is kept through `keep` and a note at the
 * end says how to read it in pages. A result within the caps is returned as it is.
 */
export async function capResult(result: ToolResult, keep?: KeepOutput): Promise<ToolResult> {
  const blocks: ContentBlock[] =
    typeof result.content === 'string' ? [{ type: 'text', text: result.content }] : result.content;
  const lengths = blocks.map((b) => (b.type === 'text' ? b.text.length : 0));
  const total = lengths.reduce((sum, n) => sum + n, 0);
  const oversized = blocks.some((b) => b.type === 'image' && imageBytes(b.data) > IMAGE_CAP_BYTES);
  if (total <= OUTPUT_CAP && !oversized) return result;

  const shares = total > OUTPUT_CAP ? keepShares(lengths, OUTPUT_CAP) : lengths;
  // The saved text is the blocks joined by line breaks, as resultText joins them; `start` is a block's place in it.
  const whole = resultText(result);
  let start = 0;
  let firstCutLine: number | null = null;
  const capped = blocks.map((block, i): ContentBlock => {
    const blockStart = start;
    start += resultText({ content: [block] }).length + 1;
    if (block.type === 'image') {
      const bytes = imageBytes(block.data);
      return bytes > IMAGE_CAP_BYTES
        ? {
            type: 'text',
            text: `[${block.mediaType} image of ${formatMb(bytes)} left out: images over ${formatMb(IMAGE_CAP_BYTES)} are not passed on]`,
          }
        : block;
    }
    if (shares[i]! >= block.text.length) return block;
    const { head, tail, removed } = ends(block.text, shares[i]!);
    firstCutLine ??= lineNumberAt(whole, blockStart + head.length);
    return { type: 'text', text: head + cutNote(removed) + tail };
  });
  // Only images were too large (a string result has none).
  if (firstCutLine === null) return { ...result, content: capped };

  const saved = keep ? await keep(whole) : null;
  const note = cutMessage(total, firstCutLine, saved);
  const content =
    typeof result.content === 'string'
      ? `${textOf(capped)}\n\n${note}`
      : [...capped, { type: 'text' as const, text: note }];
  return {
    ...result,
    content,
    metadata: { ...result.metadata, outputCut: { characters: total, ...(saved ? { savedAs: saved.guestPath } : {}) } },
  };
}

function textOf(blocks: ContentBlock[]): string {
  return blocks.map((b) => (b.type === 'text' ? b.text : '')).join('\n');
}

/** What the model is told about a cut: how much there was, and where to read the rest. */
function cutMessage(total: number, line: number, saved: SavedOutput | null): string {
  const cut = `[Output cut to ${OUTPUT_CAP.toLocaleString('en')} of ${total.toLocaleString('en')} characters.`;
  if (!saved) return `${cut} The rest was not kept.]`;
  const what = saved.complete ? 'All of it is saved' : 'Its start is saved (up to the size limit for saved output)';
  return `${cut} ${what}; read it in pages from where it was cut: read {"file_path": "${saved.guestPath}", "offset": ${line}}]`;
}
