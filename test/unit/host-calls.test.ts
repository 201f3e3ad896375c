import { describe, expect, it } from 'vitest';
import { parseHostCall } from '../../src/sandbox/host-calls';

describe('parseHostCall', () => {
  it('gives well-formed calls back typed by their operation', () => {
    expect(parseHostCall('readFile', '{"path":"/a","as":"base64","maxBytes":10}')).toEqual({
      call: { op: 'readFile', args: { path: '/a', as: 'base64', maxBytes: 10 } },
    });
    expect(parseHostCall('fetch', '{"url":"https://x.test","maxBytes":5}')).toEqual({
      call: { op: 'fetch', args: { url: 'https://x.test', maxBytes: 5 } },
    });
  });

  it('refuses what is not JSON, an unknown operation, and arguments of the wrong shape, naming the field', () => {
    expect(parseHostCall('readFile', 'not json')).toEqual({ invalid: '__host readFile: the arguments are not JSON' });
    expect(parseHostCall('shell', '{}')).toEqual({ invalid: 'unknown operation shell' });
    const bareExec = parseHostCall('exec', '{}');
    expect('invalid' in bareExec && bareExec.invalid).toMatch(/^__host exec: invalid arguments: program: /);
    const badUrl = parseHostCall('fetch', '{"url": 5, "maxBytes": 1}');
    expect('invalid' in badUrl && badUrl.invalid).toMatch(/^__host fetch: invalid arguments: url: .*expected string/);
    const noPath = parseHostCall('stat', '[]');
    expect('invalid' in noPath && noPath.invalid).toMatch(/^__host stat: invalid arguments: .*expected object/);
    const badMode = parseHostCall('chmod', '{"path":"/a","mode":-1}');
    expect('invalid' in badMode && badMode.invalid).toMatch(/mode: /);
  });
});
