import { describe, expect, it } from 'vitest';
import { titleFrom } from '../../src/agent/session-title';

describe('titleFrom', () => {
  it("takes the title out of a model's answer", () => {
    expect(titleFrom('Rust borrow checker')).toBe('Rust borrow checker');
    expect(titleFrom('"Rust borrow checker."')).toBe('Rust borrow checker');
    expect(titleFrom('Title: **Deploy notes review**\n\nA session about deploys.')).toBe('Deploy notes review');
    expect(titleFrom('# “Node.js upgrade”')).toBe('Node.js upgrade');
    expect(titleFrom('<think>The user asks about CSV.</think>\nCSV export fix')).toBe('CSV export fix');
  });

  it('gives nothing for an empty answer, and cuts a long one', () => {
    expect(titleFrom('')).toBeNull();
    expect(titleFrom('  \n "" \n')).toBeNull();
    const long = titleFrom('word '.repeat(40));
    expect(long).toHaveLength(80);
    expect(long?.endsWith('…')).toBe(true);
  });
});
