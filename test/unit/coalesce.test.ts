import { describe, expect, it } from 'vitest';
import { coalesce } from '../../src/team/coalesce';

describe('a coalesced read', () => {
  it('runs once more after the read under way, however many asked meanwhile, and every asker waits for it', async () => {
    const releases: (() => void)[] = [];
    let reads = 0;
    const read = coalesce(async () => {
      reads += 1;
      await new Promise<void>((resolve) => releases.push(resolve));
    });
    const first = read();
    const waiting = [read(), read(), read()];
    expect(reads).toBe(1);
    releases.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toBe(2);
    let settled = false;
    void Promise.all(waiting).then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    releases.shift()!();
    await Promise.all([first, ...waiting]);
    expect(reads).toBe(2);
    // Idle again: the next ask reads at once.
    const later = read();
    expect(reads).toBe(3);
    releases.shift()!();
    await later;
  });
});
