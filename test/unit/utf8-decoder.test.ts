import { describe, expect, it } from 'vitest';
import { Utf8Decoder } from '../../src/sandbox/guest/utf8-decoder';

const bytes = (...values: number[]) => new Uint8Array(values);

describe("the guest's UTF-8 decoder", () => {
  it('decodes text as the platform decoder does, invalid bytes included', () => {
    const samples = [
      new TextEncoder().encode('plain, é, ✓, 😀 and 中文'),
      bytes(0xe9, 0x0a, 0x30), // latin1 é: not UTF-8
      bytes(0xc3), // cut short at the end
      bytes(0xe2, 0x82, 0x41), // cut short in the middle
      bytes(0xc0, 0xaf, 0xe0, 0x80, 0xaf), // overlong forms
      bytes(0xed, 0xa0, 0x80), // a surrogate
      bytes(0xf4, 0x90, 0x80, 0x80, 0xff, 0x80), // past U+10FFFF, and stray bytes
    ];
    for (const sample of samples) expect(new Utf8Decoder().decode(sample)).toBe(new TextDecoder().decode(sample));
  });

  it('throws on invalid bytes when fatal, as callers rely on to tell text from bytes', () => {
    expect(() => new Utf8Decoder('utf-8', { fatal: true }).decode(bytes(0xe9, 0x0a))).toThrow(TypeError);
    expect(new Utf8Decoder('utf-8', { fatal: true }).decode(bytes(0xc3, 0xa9))).toBe('é');
  });
});
