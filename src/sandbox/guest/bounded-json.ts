import { cutMiddle, cutNote, keepShares } from './cut-middle';

/** Room a cut's note takes (`… 12,345,678 characters cut …` and its line breaks), with some to spare. */
const NOTE_ROOM = 48;
/** JSON escapes make text longer than its characters; each try shrinks by what the last one overshot. */
const TRIES = 4;
/** A tree with more values than this is cut as text: walking it in QuickJS would take longer than it is worth. */
const MAX_NODES = 100_000;

type Holder = Record<string, unknown>;

/**
 * The JSON text of a call's result, at most `max` characters long, so that a huge result never leaves QuickJS
 * whole. A text that is too long has the strings inside it cut in the middle, each keeping its start and its end,
 * the short ones whole and the long ones sharing the room left; a value that is still too long (a vast array of
 * small items) is cut as one text and arrives as a string. `json` says whether `value` is JSON text already (what
 * our tools return) or any value (what jsexec's `main` returns); a value JSON cannot show gives undefined.
 */
export function boundedJson(value: unknown, { json, max }: { json: boolean; max: number }): string | undefined {
  const text = json ? String(value) : JSON.stringify(value);
  if (text === undefined || text.length <= max) return text;
  // Parsing a vast tree is slow too: the model's value is measured before its text is parsed.
  const inside = json || stringSlots({ value }) !== null ? cutStringsInside(text, max) : null;
  return (
    (inside && shrink(max, inside)) ??
    shrink(max, { room: max - NOTE_ROOM, attempt: (room) => JSON.stringify(cutMiddle(text, room)) }) ??
    JSON.stringify(cutNote(text.length).trim())
  );
}

interface Shrinking {
  room: number;
  attempt(room: number): string;
}

/** Tries with less and less room until the text fits in `max`; null when the tries run out. */
function shrink(max: number, { room, attempt }: Shrinking): string | null {
  for (let i = 0; i < TRIES; i++) {
    const out = attempt(Math.max(0, room));
    if (out.length <= max) return out;
    room -= out.length - max + NOTE_ROOM;
  }
  return null;
}

/**
 * Cuts the strings inside a JSON text, sharing the room among them; null when the text is not JSON or its strings
 * are too short for cutting them to be enough.
 */
function cutStringsInside(text: string, max: number): Shrinking | null {
  let root: Holder;
  try {
    root = { value: JSON.parse(text) };
  } catch {
    return null;
  }
  const slots = stringSlots(root);
  if (slots === null) return null;
  const originals = slots.map(([, , original]) => original);
  const lengths = originals.map((s) => s.length);
  const room = lengths.reduce((sum, n) => sum + n, 0) - (text.length - max) - NOTE_ROOM * slots.length;
  if (room < 0) return null;
  return {
    room,
    attempt: (room) => {
      const shares = keepShares(lengths, room);
      slots.forEach(([holder, key], i) => {
        holder[key] = cutMiddle(originals[i]!, shares[i]!);
      });
      return JSON.stringify(root.value);
    },
  };
}

/**
 * Where the strings of a tree are, each as its holder, key and value, found without recursion (trees may be deep); null
 * when the tree holds more than MAX_NODES values.
 */
function stringSlots(root: Holder): [Holder, string, string][] | null {
  const slots: [Holder, string, string][] = [];
  const holders: Holder[] = [root];
  let nodes = 0;
  while (holders.length > 0) {
    const holder = holders.pop()!;
    // An array's length is known at once: listing a vast array's keys would already take seconds.
    const size = Array.isArray(holder) ? holder.length : 0;
    if (nodes + size > MAX_NODES) return null;
    for (const key of Array.isArray(holder) ? Array.from({ length: size }, (_, i) => String(i)) : Object.keys(holder)) {
      if (++nodes > MAX_NODES) return null;
      const value = holder[key];
      if (typeof value === 'string') slots.push([holder, key, value]);
      else if (value !== null && typeof value === 'object') holders.push(value as Holder);
    }
  }
  return slots;
}
