/**
 * Cutting long text down to size, keeping its start and its end. Used on both sides of the sandbox: inside QuickJS
 * to bound a call's result before it leaves the guest, and by the host's tool pipeline to cap what the model gets.
 */
import { formatCount, isLowSurrogate, prefixOf } from './text';

/** The line put where text was cut out. */
export function cutNote(removed: number): string {
  return `\n… ${formatCount(removed)} characters cut …\n`;
}

/** The start and end of `text` that keep `keep` characters in all (half from each end), never splitting a character. */
export function ends(text: string, keep: number): { head: string; tail: string; removed: number } {
  const head = prefixOf(text, Math.ceil(Math.max(0, keep) / 2));
  let tailStart = Math.max(head.length, text.length - Math.max(0, keep - head.length));
  if (tailStart < text.length && isLowSurrogate(text.charCodeAt(tailStart))) tailStart++;
  return { head, tail: text.slice(tailStart), removed: tailStart - head.length };
}

/**
 * `text` with its middle replaced by a note, keeping `keep` characters of it. A text the note would not make
 * shorter stays whole.
 */
export function cutMiddle(text: string, keep: number): string {
  if (text.length <= keep) return text;
  const { head, tail, removed } = ends(text, keep);
  const cut = head + cutNote(removed) + tail;
  return cut.length < text.length ? cut : text;
}

/**
 * How much of each of several texts to keep so that together they keep at most `budget` characters: short texts
 * stay whole and the long ones share the rest equally, so one huge text does not push out the small ones around it.
 */
export function keepShares(lengths: readonly number[], budget: number): number[] {
  const shares = new Array<number>(lengths.length).fill(0);
  const shortestFirst = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]!);
  let left = Math.max(0, budget);
  shortestFirst.forEach((index, done) => {
    const share = Math.min(lengths[index]!, Math.floor(left / (shortestFirst.length - done)));
    shares[index] = share;
    left -= share;
  });
  return shares;
}
