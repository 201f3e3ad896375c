/**
 * TextDecoder for UTF-8, which QuickJS does not have. Invalid bytes become U+FFFD, each maximal invalid run once
 * (as the Encoding Standard says), or with `fatal` make decode throw: just-bash decodes with `fatal` to learn whether
 * output is UTF-8 text at all, and a decoder that never throws had it decode text twice into garbage.
 */
export class Utf8Decoder {
  readonly encoding = 'utf-8';
  readonly fatal: boolean;

  constructor(_label = 'utf-8', options: { fatal?: boolean } = {}) {
    this.fatal = options.fatal === true;
  }

  decode(input?: ArrayBuffer | ArrayBufferView): string {
    if (!input) return '';
    const bytes =
      input instanceof Uint8Array
        ? input
        : ArrayBuffer.isView(input)
          ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
          : new Uint8Array(input);
    const parts: string[] = [];
    let chunk: number[] = [];
    const emit = (codePoint: number) => {
      chunk.push(codePoint);
      if (chunk.length >= 4096) {
        parts.push(String.fromCodePoint(...chunk));
        chunk = [];
      }
    };
    for (let i = 0; i < bytes.length;) {
      const lead = bytes[i]!;
      if (lead < 0x80) {
        emit(lead);
        i++;
        continue;
      }
      const sequence = SEQUENCES.find((s) => lead >= s.from && lead <= s.to);
      let end = i + 1;
      let codePoint = sequence ? lead & sequence.mask : 0;
      for (let k = 0; sequence && k < sequence.follow; k++, end++) {
        const next = bytes[end];
        // The first continuation byte's range rules out overlong forms, surrogates and code points past U+10FFFF.
        const [low, high] = k === 0 ? (sequence.second ?? [0x80, 0xbf]) : [0x80, 0xbf];
        if (next === undefined || next < low || next > high) break;
        codePoint = (codePoint << 6) | (next & 0x3f);
      }
      if (sequence && end - i === sequence.follow + 1) {
        emit(codePoint);
      } else {
        if (this.fatal) throw new TypeError('The encoded data was not valid utf-8');
        emit(0xfffd);
      }
      i = end;
    }
    parts.push(String.fromCodePoint(...chunk));
    return parts.join('');
  }
}

/** Lead bytes of multi-byte sequences: how many bytes follow, the bits the lead carries, and special ranges. */
const SEQUENCES: readonly { from: number; to: number; follow: number; mask: number; second?: [number, number] }[] = [
  { from: 0xc2, to: 0xdf, follow: 1, mask: 0x1f },
  { from: 0xe0, to: 0xe0, follow: 2, mask: 0x0f, second: [0xa0, 0xbf] },
  { from: 0xe1, to: 0xec, follow: 2, mask: 0x0f },
  { from: 0xed, to: 0xed, follow: 2, mask: 0x0f, second: [0x80, 0x9f] },
  { from: 0xee, to: 0xef, follow: 2, mask: 0x0f },
  { from: 0xf0, to: 0xf0, follow: 3, mask: 0x07, second: [0x90, 0xbf] },
  { from: 0xf1, to: 0xf3, follow: 3, mask: 0x07 },
  { from: 0xf4, to: 0xf4, follow: 3, mask: 0x07, second: [0x80, 0x8f] },
];
