/**
 * What bundled browser libraries expect from their surroundings and QuickJS does not have: UTF-8 text codecs,
 * timers, AbortController, performance.now. Imported first by the bundles that need them.
 */
import { Utf8Decoder } from './utf8-decoder';

const g = globalThis as Record<string, unknown>;

class Utf8Encoder {
  readonly encoding = 'utf-8';
  encode(input = ''): Uint8Array {
    const out: number[] = [];
    for (let i = 0; i < input.length; i++) {
      let c = input.charCodeAt(i);
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < input.length) {
        const d = input.charCodeAt(i + 1);
        if (d >= 0xdc00 && d < 0xe000) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        }
      }
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return new Uint8Array(out);
  }
}

/**
 * Timers on a virtual clock: nothing here waits. When the guest has nothing else to do, the engine fires the
 * earliest timer (`__nextTimer`), as an event loop would once its time came. Real pauses (`sleep`) go to the host.
 */
const timers = new Map<number, { at: number; run: () => void }>();
let clock = 0;
let nextId = 0;
const setTimer = (fn: (...args: unknown[]) => void, ms = 0, ...args: unknown[]) => {
  const id = ++nextId;
  timers.set(id, { at: clock + Math.max(0, Number(ms) || 0), run: () => fn(...args) });
  return id;
};
g.__nextTimer = () => {
  let earliest: [number, { at: number; run: () => void }] | undefined;
  for (const entry of timers) if (!earliest || entry[1].at < earliest[1].at) earliest = entry;
  if (!earliest) return false;
  timers.delete(earliest[0]);
  clock = earliest[1].at;
  earliest[1].run();
  return true;
};

class Signal {
  aborted = false;
  reason: unknown = undefined;
  onabort: (() => void) | null = null;
  private listeners: (() => void)[] = [];
  addEventListener(_type: string, listener: () => void) {
    this.listeners.push(listener);
  }
  removeEventListener(_type: string, listener: () => void) {
    this.listeners = this.listeners.filter((l) => l !== listener);
  }
  throwIfAborted() {
    if (this.aborted) throw this.reason;
  }
  fire(reason: unknown) {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    for (const listener of this.listeners) listener();
    this.onabort?.();
  }
  static abort(reason?: unknown) {
    const signal = new Signal();
    signal.fire(reason ?? new Error('aborted'));
    return signal;
  }
  static timeout() {
    return new Signal();
  }
  static any(signals: Signal[]) {
    const signal = new Signal();
    for (const s of signals) s.addEventListener('abort', () => signal.fire(s.reason));
    return signal;
  }
}

class Controller {
  readonly signal = new Signal();
  abort(reason?: unknown) {
    this.signal.fire(reason ?? new Error('aborted'));
  }
}

/** Fetch's Headers: names compared without case, values of repeated names joined by ", ". */
class HeaderMap {
  private readonly map = new Map<string, [string, string]>();
  constructor(init?: Iterable<[string, string]> | Record<string, string> | HeaderMap) {
    if (!init) return;
    const pairs =
      init instanceof HeaderMap
        ? [...init.entries()]
        : Symbol.iterator in Object(init)
          ? [...(init as Iterable<[string, string]>)]
          : Object.entries(init);
    for (const [name, value] of pairs) this.append(name, value);
  }
  append(name: string, value: string) {
    const key = name.toLowerCase();
    const current = this.map.get(key);
    this.map.set(key, [current?.[0] ?? name, current ? `${current[1]}, ${value}` : String(value)]);
  }
  set(name: string, value: string) {
    this.map.set(name.toLowerCase(), [name, String(value)]);
  }
  get(name: string) {
    return this.map.get(name.toLowerCase())?.[1] ?? null;
  }
  has(name: string) {
    return this.map.has(name.toLowerCase());
  }
  delete(name: string) {
    this.map.delete(name.toLowerCase());
  }
  forEach(fn: (value: string, name: string) => void) {
    for (const [key, [, value]] of this.map) fn(value, key);
  }
  *entries(): IterableIterator<[string, string]> {
    for (const [key, [, value]] of this.map) yield [key, value];
  }
  keys() {
    return this.map.keys();
  }
  [Symbol.iterator]() {
    return this.entries();
  }
}

g.Headers ??= HeaderMap;
g.TextEncoder ??= Utf8Encoder;
g.TextDecoder ??= Utf8Decoder;
g.setTimeout ??= setTimer;
g.setInterval ??= setTimer;
g.clearTimeout ??= (id: number) => timers.delete(id);
g.clearInterval ??= (id: number) => timers.delete(id);
g.queueMicrotask ??= (fn: () => void) => void Promise.resolve().then(fn);
g.AbortController ??= Controller;
g.AbortSignal ??= Signal;
g.performance ??= { now: () => clock };
