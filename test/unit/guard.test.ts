import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/server/errors';
import { allowedHostNames, assertSameOrigin, hostNameOf, isLoopbackHost } from '../../src/server/guard';

describe('hostNameOf', () => {
  it.each([
    ['127.0.0.1:30001', '127.0.0.1'],
    ['LOCALHOST', 'localhost'],
    ['[::1]:30001', '::1'],
    ['box.example.com', 'box.example.com'],
    ['', undefined],
    ['a b', undefined],
    ['[::1', undefined],
    ['x:1:2', undefined],
  ])('%s → %s', (header, expected) => {
    expect(hostNameOf(header)).toBe(expected);
  });
});

describe('allowedHostNames', () => {
  it('on loopback allows only loopback names and the configured extras', () => {
    const names = allowedHostNames('127.0.0.1', ['Box.Example.com']);
    expect([...names].sort()).toEqual(['127.0.0.1', '::1', 'box.example.com', 'localhost']);
  });

  it('on another address also allows that address', () => {
    expect(allowedHostNames('0.0.0.0', []).has('0.0.0.0')).toBe(true);
  });

  it('knows loopback addresses', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.1.2.3')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('192.168.1.4')).toBe(false);
  });
});

describe('assertSameOrigin', () => {
  const host = '127.0.0.1:30001';
  it('accepts the server own origin', () => {
    expect(() => assertSameOrigin('http://127.0.0.1:30001', undefined, host)).not.toThrow();
  });
  it('accepts a same-origin fetch without Origin', () => {
    expect(() => assertSameOrigin(undefined, 'same-origin', host)).not.toThrow();
  });
  it.each([
    ['http://evil.example', undefined],
    ['http://127.0.0.1:30002', undefined],
    ['null', undefined],
    [undefined, 'cross-site'],
    [undefined, undefined],
  ])('refuses origin %s / fetch-site %s', (origin, site) => {
    expect(() => assertSameOrigin(origin, site, host)).toThrow(ApiError);
  });
});
