import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GUEST_PREVIEWS,
  GUEST_TOOLS,
  type GuestDirent,
  type GuestFs,
  GuestFsError,
  type GuestReadResult,
  type GuestMatch,
  type GuestStat,
  type ToolResult,
  type WalkedTree,
  formatFetched,
} from '../../src/sandbox/guest';
import { normalizePath } from '../../src/sandbox/guest/paths';
import { collectFiles } from '../../src/sandbox/guest/walk';
import { matchText } from '../../src/sandbox/file-scan';

/**
 * GuestFs over a real folder, behaving as the host will: guest `/x` is `<root>/x`; `..` is refused; symlinks and
 * the runtime's `.boxagnts` folder are hidden; `/docs` is a read-only mount; binary means a NUL in the first 8 KB;
 * error messages never name host paths.
 */
function matchRead(read: GuestReadResult, pattern: string, flags: '' | 'i'): GuestMatch {
  if (read.binary) return { skipped: 'binary' };
  if (read.truncated) return { skipped: 'too large' };
  return { lines: matchText(read.data, pattern, flags) };
}

class FolderGuestFs implements GuestFs {
  constructor(private readonly root: string) {}

  /** As the host answers it: the same walk, run on this file system. */
  walk(folder: string): WalkedTree {
    return collectFiles(this, folder);
  }

  /** As the host answers it: the same scan, over this file system's file. */
  match(path: string, pattern: string, flags: '' | 'i'): GuestMatch {
    return matchRead(this.readFile(path, { as: 'text', maxBytes: 5 * 1024 * 1024 }), pattern, flags);
  }

  stat(path: string): GuestStat {
    const host = this.hostPath(path);
    return this.mapErrors(() => {
      const stats = statSync(host);
      return { type: stats.isDirectory() ? 'dir' : 'file', size: stats.size, mtimeMs: stats.mtimeMs };
    });
  }

  readdir(path: string): GuestDirent[] {
    const host = this.hostPath(path);
    return this.mapErrors(() =>
      readdirSync(host, { withFileTypes: true })
        .filter((entry) => !entry.isSymbolicLink() && !(path === '/' && entry.name === '.boxagnts'))
        .map((entry) => {
          const stats = statSync(join(host, entry.name));
          return {
            name: entry.name,
            type: stats.isDirectory() ? 'dir' : 'file',
            size: stats.size,
            mtimeMs: stats.mtimeMs,
          };
        }),
    );
  }

  readFile(path: string, options: { as: 'text' | 'base64'; maxBytes: number }): GuestReadResult {
    const host = this.hostPath(path);
    return this.mapErrors(() => {
      const bytes = readFileSync(host);
      const binary = bytes.subarray(0, 8192).includes(0);
      const kept = bytes.subarray(0, options.maxBytes);
      const data = binary && options.as === 'text' ? '' : kept.toString(options.as === 'text' ? 'utf8' : 'base64');
      return { data, size: bytes.length, binary, truncated: bytes.length > options.maxBytes };
    });
  }

  writeFile(path: string, content: string): { created: boolean } {
    const host = this.hostPath(path);
    if (path === '/docs' || path.startsWith('/docs/')) throw new GuestFsError('EROFS', 'read-only file system');
    return this.mapErrors(() => {
      const created = !existsSync(host);
      mkdirSync(dirname(host), { recursive: true });
      writeFileSync(host, content);
      return { created };
    });
  }

  private hostPath(path: string): string {
    if (!path.startsWith('/')) throw new GuestFsError('EINVAL', 'not an absolute guest path');
    const parts = path.split('/').filter(Boolean);
    if (parts.includes('..')) throw new GuestFsError('EACCES', 'outside the sandbox');
    if (parts[0] === '.boxagnts') throw new GuestFsError('EACCES', 'hidden');
    let host = this.root;
    for (const part of parts) {
      host = join(host, part);
      if (existsSync(host) || isDanglingLink(host)) {
        if (lstatSync(host).isSymbolicLink()) throw new GuestFsError('EACCES', 'symlinks are not followed');
      }
    }
    return host;
  }

  private mapErrors<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
      // Node's messages name host paths; the host never passes them on.
      throw new GuestFsError(code, code.toLowerCase());
    }
  }
}

function isDanglingLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

let root: string;
let fs: FolderGuestFs;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'guest-tools-'));
  fs = new FolderGuestFs(root);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Writes a fixture file; `age` (seconds before a fixed instant) sets its mtime, larger is older. */
function put(path: string, content: string | Buffer, age?: number): void {
  const host = join(root, path);
  mkdirSync(dirname(host), { recursive: true });
  writeFileSync(host, content);
  if (age !== undefined) {
    const when = 1_700_000_000 - age;
    utimesSync(host, when, when);
  }
}

function hostText(path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

/** Runs a tool and checks the one rule every result keeps: no host path anywhere in it. */
function run(tool: string, input: Record<string, unknown>, on: GuestFs = fs): ToolResult {
  const result = GUEST_TOOLS[tool]!(on, input);
  expect(JSON.stringify(result)).not.toContain(root);
  return result;
}

function text(result: ToolResult): string {
  if (typeof result.content === 'string') return result.content;
  return result.content.map((block) => (block.type === 'text' ? block.text : `[image ${block.mediaType}]`)).join('\n');
}

function lines(count: number, make = (n: number) => `line ${n}`): string {
  return Array.from({ length: count }, (_, i) => `${make(i + 1)}\n`).join('');
}

describe('guest paths', () => {
  it.each([
    ['src/x.ts', '/src/x.ts'],
    ['/src/x.ts', '/src/x.ts'],
    ['./src/../lib/./y.ts', '/lib/y.ts'],
    ['../../etc/passwd', '/etc/passwd'],
    ['/a/b/', '/a/b'],
    ['', '/'],
    ['..', '/'],
  ])('%s → %s', (input, expected) => {
    expect(normalizePath(input)).toBe(expected);
  });

  it('never lets .. climb out of the workspace', () => {
    put('inside.txt', 'in');
    const result = run('read', { file_path: '../../../inside.txt' });
    expect(result.metadata).toMatchObject({ path: '/inside.txt' });
    expect(text(result)).toBe('     1\tin');
    expect(text(run('read', { file_path: '../../etc/passwd' }))).toBe(
      `File not found: /etc/passwd. Inside the tools the workspace is /, and it has no /etc folder: /etc/passwd is not a file of the workspace. Use workspace paths, such as /src/a.ts for the workspace's src/a.ts.`,
    );
  });
});

describe('registry', () => {
  it('offers the five file tools and two previews', () => {
    expect(Object.keys(GUEST_TOOLS).sort()).toEqual(['edit', 'glob', 'grep', 'read', 'write']);
    expect(Object.keys(GUEST_PREVIEWS).sort()).toEqual(['edit', 'write']);
  });
});

describe('read', () => {
  it('numbers lines like cat -n', () => {
    put('src/a.ts', 'one\ntwo\r\nthree');
    const result = run('read', { file_path: 'src/a.ts' });
    expect(result.content).toBe('     1\tone\n     2\ttwo\n     3\tthree');
    expect(result.metadata).toEqual({ path: '/src/a.ts', lines: 3, totalLines: 3, truncated: false });
  });

  it('reads from offset for limit lines and says how to go on', () => {
    put('ten.txt', lines(10));
    const result = run('read', { file_path: '/ten.txt', offset: 3, limit: 2 });
    expect(result.content).toBe('     3\tline 3\n     4\tline 4\n… 6 more lines; continue with offset=5');
    expect(result.metadata).toEqual({ path: '/ten.txt', lines: 2, totalLines: 10, truncated: true });
  });

  it('shows 2,000 lines by default', () => {
    put('long.txt', lines(3234));
    const content = text(run('read', { file_path: 'long.txt' }));
    expect(content.split('\n')).toHaveLength(2001);
    expect(content).toContain('  2000\tline 2000\n');
    expect(content.endsWith('… 1,234 more lines; continue with offset=2001')).toBe(true);
  });

  it('treats odd offsets and limits as defaults and reports an offset past the end', () => {
    put('three.txt', lines(3));
    expect(text(run('read', { file_path: 'three.txt', offset: -4, limit: 0 }))).toBe(
      '     1\tline 1\n     2\tline 2\n     3\tline 3',
    );
    expect(text(run('read', { file_path: 'three.txt', offset: 2.7, limit: 1.5 }))).toBe(
      '     2\tline 2\n… 1 more line; continue with offset=3',
    );
    const past = run('read', { file_path: 'three.txt', offset: 9 });
    expect(past.isError).toBe(true);
    expect(text(past)).toBe('/three.txt has 3 lines; offset 9 is past its end.');
  });

  it('cuts very long lines and says how long they were', () => {
    put('min.js', `${'x'.repeat(12_345)}\nshort\n`);
    const [first, second] = text(run('read', { file_path: 'min.js' })).split('\n');
    expect(first).toBe(`     1\t${'x'.repeat(2000)}… [line cut: 12,345 characters]`);
    expect(second).toBe('     2\tshort');
  });

  it('stops a read that would flood the context, with the offset to continue from', () => {
    put(
      'wide.txt',
      lines(2000, () => 'w'.repeat(1500)),
    );
    const result = run('read', { file_path: 'wide.txt' });
    const shown = result.metadata!.lines as number;
    expect(shown).toBeGreaterThan(100);
    expect(shown).toBeLessThan(2000);
    expect(text(result).length).toBeLessThan(260_000);
    expect(text(result)).toContain(`continue with offset=${shown + 1}`);
  });

  it('points to glob for a folder', () => {
    mkdirSync(join(root, 'src'));
    const result = run('read', { file_path: 'src' });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('/src is a folder');
    expect(text(result)).toContain('glob');
    expect(run('read', { file_path: '/' }).isError).toBe(true);
  });

  it('says when a file is empty', () => {
    put('empty.txt', '');
    const result = run('read', { file_path: 'empty.txt' });
    expect(result.isError).toBeUndefined();
    expect(text(result)).toBe('/empty.txt is empty (0 bytes).');
  });

  it('returns images as image blocks', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    put('pics/logo.PNG', png);
    put('pics/photo.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]));
    const result = run('read', { file_path: 'pics/logo.PNG' });
    expect(result.content).toEqual([
      { type: 'image', data: png.toString('base64'), mediaType: 'image/png' },
      { type: 'text', text: 'Image /pics/logo.PNG (image/png, 12 bytes).' },
    ]);
    const jpeg = run('read', { file_path: 'pics/photo.jpg' });
    expect(Array.isArray(jpeg.content) && jpeg.content[0]).toMatchObject({ type: 'image', mediaType: 'image/jpeg' });
  });

  it('refuses images over 5 MB, naming the size', () => {
    put('huge.webp', Buffer.alloc(6 * 1024 * 1024, 1));
    const result = run('read', { file_path: 'huge.webp' });
    expect(result.isError).toBe(true);
    expect(text(result)).toBe('Image /huge.webp is 6 MB; images up to 5 MB can be shown.');
  });

  it('describes other binary files instead of dumping them', () => {
    put('data.bin', Buffer.concat([Buffer.from('ELF'), Buffer.alloc(12_342)]));
    const result = run('read', { file_path: 'data.bin' });
    expect(text(result)).toBe('Binary file /data.bin (12,345 bytes); not shown.');
  });

  it('reads the first 10 MB of a bigger text file and says so', () => {
    put(
      'big.log',
      lines(115_344, () => 'x'.repeat(99)),
    );
    const near = run('read', { file_path: 'big.log', offset: 104_850 });
    const content = text(near);
    expect(content).toContain('104857\t');
    expect(content).not.toContain('104858\t');
    expect(content.endsWith('… /big.log is 11 MB; only its first 10 MB (104,857 lines) can be read.')).toBe(true);
    expect(near.metadata).toMatchObject({ truncated: true, totalLines: 104_857 });
    expect(text(run('read', { file_path: 'big.log' }))).toContain('… 102,857+ more lines; continue with offset=2001');
    const beyond = run('read', { file_path: 'big.log', offset: 110_000 });
    expect(beyond.isError).toBe(true);
    expect(text(beyond)).toContain('/big.log is 11 MB; only its first 10 MB');
  });

  it('reports missing, hidden and symlinked files by guest path only', () => {
    put('.boxagnts/secrets.json', '{}');
    put('real.txt', 'real');
    symlinkSync(join(root, 'real.txt'), join(root, 'link.txt'));
    expect(text(run('read', { file_path: 'src/x.ts' }))).toBe(
      `File not found: /src/x.ts. Inside the tools the workspace is /, and it has no /src folder: /src/x.ts is not a file of the workspace. Use workspace paths, such as /src/a.ts for the workspace's src/a.ts.`,
    );
    expect(text(run('read', { file_path: '.boxagnts/secrets.json' }))).toBe(
      'Permission denied: /.boxagnts/secrets.json is outside the sandbox or hidden.',
    );
    expect(run('read', { file_path: 'link.txt' }).isError).toBe(true);
  });
});

describe('write', () => {
  it('creates a file and its parent folders', () => {
    const result = run('write', { file_path: 'a/b/c.txt', content: 'héllo 😀\n' });
    expect(text(result)).toBe('Created /a/b/c.txt (12 bytes, 1 line).');
    expect(result.metadata).toEqual({
      path: '/a/b/c.txt',
      created: true,
      bytes: 12,
      lines: 1,
      patch: '--- a/a/b/c.txt\n+++ b/a/b/c.txt\n@@ -0,0 +1,1 @@\n+héllo 😀\n',
    });
    expect(hostText('a/b/c.txt')).toBe('héllo 😀\n');
  });

  it('keeps the change as a diff for the chat, except for files too large to diff', () => {
    const big = 'x'.repeat(1_100_000);
    expect(run('write', { file_path: 'big.txt', content: big }).metadata).toMatchObject({
      patchOmitted: 'the file is too large to diff',
    });
    expect(run('write', { file_path: 'big.txt', content: 'small' }).metadata).toMatchObject({
      patchOmitted: 'the file is too large to diff',
    });
    expect(run('write', { file_path: 'big.txt', content: 'smaller' }).metadata?.patch).toMatch(/^-small\n/m);
  });

  it('overwrites an existing file', () => {
    put('x.txt', 'old');
    const result = run('write', { file_path: '/x.txt', content: 'one\ntwo\n' });
    expect(text(result)).toBe('Overwrote /x.txt (8 bytes, 2 lines).');
    expect(result.metadata?.patch).toMatch(/^-old\n\\ No newline at end of file\n\+one\n\+two\n$/m);
    expect(hostText('x.txt')).toBe('one\ntwo\n');
  });

  it('reports read-only mounts, folders and paths through files', () => {
    put('notes.txt', 'n');
    mkdirSync(join(root, 'dir'));
    expect(text(run('write', { file_path: 'docs/guide.md', content: 'x' }))).toBe('/docs/guide.md is read-only.');
    expect(run('write', { file_path: 'dir', content: 'x' }).isError).toBe(true);
    expect(run('write', { file_path: '/', content: 'x' }).isError).toBe(true);
    expect(run('write', { file_path: 'notes.txt/inner.txt', content: 'x' }).isError).toBe(true);
  });

  it('keeps a path with .. inside the workspace', () => {
    run('write', { file_path: '../../escaped.txt', content: 'x' });
    expect(hostText('escaped.txt')).toBe('x');
    expect(existsSync(join(dirname(root), 'escaped.txt'))).toBe(false);
  });

  it('previews the change as a diff', () => {
    put('x.txt', 'before\n');
    put('blob.bin', Buffer.from([1, 0, 2]));
    const preview = GUEST_PREVIEWS.write!;
    expect(preview(fs, { file_path: 'x.txt', content: 'after\n' })).toEqual({
      kind: 'diff',
      path: '/x.txt',
      before: 'before\n',
      after: 'after\n',
    });
    expect(preview(fs, { file_path: 'new/y.txt', content: 'y' })).toEqual({
      kind: 'diff',
      path: '/new/y.txt',
      before: '',
      after: 'y',
    });
    expect(preview(fs, { file_path: 'blob.bin', content: 'text' })).toMatchObject({ before: '[binary file]' });
    expect(existsSync(join(root, 'new'))).toBe(false);
    mkdirSync(join(root, 'folder'));
    expect(preview(fs, { file_path: 'folder', content: 'x' })).toEqual({
      kind: 'error',
      message: '/folder is a folder, not a file.',
    });
  });
});

describe('edit', () => {
  it('replaces a unique string and shows the changed lines', () => {
    put('src/app.ts', lines(10));
    const result = run('edit', { file_path: 'src/app.ts', old_string: 'line 5\n', new_string: 'five\ncinq\n' });
    expect(text(result)).toBe(
      [
        'Replaced 1 occurrence in /src/app.ts. The changed area now reads:',
        '     2\tline 2',
        '     3\tline 3',
        '     4\tline 4',
        '     5\tfive',
        '     6\tcinq',
        '     7\tline 6',
        '     8\tline 7',
        '     9\tline 8',
      ].join('\n'),
    );
    expect(result.metadata).toEqual({
      path: '/src/app.ts',
      replacements: 1,
      line: 5,
      patch:
        '--- a/src/app.ts\n+++ b/src/app.ts\n@@ -2,7 +2,8 @@\n line 2\n line 3\n line 4\n-line 5\n+five\n+cinq\n line 6\n line 7\n line 8\n',
    });
    expect(hostText('src/app.ts')).toBe(lines(10).replace('line 5\n', 'five\ncinq\n'));
  });

  it('refuses missing files, empty and unchanged strings', () => {
    put('a.txt', 'abc');
    expect(text(run('edit', { file_path: 'nope.txt', old_string: 'a', new_string: 'b' }))).toBe(
      'File not found: /nope.txt. To create a file, use write.',
    );
    expect(text(run('edit', { file_path: 'a.txt', old_string: '', new_string: 'b' }))).toContain('old_string is empty');
    expect(text(run('edit', { file_path: 'a.txt', old_string: 'a', new_string: 'a' }))).toContain('the same');
    expect(hostText('a.txt')).toBe('abc');
  });

  it('says when old_string is missing and suggests reading the file', () => {
    put('a.txt', 'abc');
    const result = run('edit', { file_path: 'a.txt', old_string: 'xyz', new_string: 'b' });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('old_string was not found in /a.txt. Read the file');
  });

  it('refuses an ambiguous match unless replace_all is set', () => {
    put('a.txt', 'foo bar foo baz foo');
    const ambiguous = run('edit', { file_path: 'a.txt', old_string: 'foo', new_string: 'qux' });
    expect(ambiguous.isError).toBe(true);
    expect(text(ambiguous)).toContain('occurs 3 times in /a.txt');
    expect(hostText('a.txt')).toBe('foo bar foo baz foo');
    const all = run('edit', { file_path: 'a.txt', old_string: 'foo', new_string: 'qux', replace_all: true });
    expect(text(all)).toMatch(/^Replaced all 3 occurrences in \/a.txt/);
    expect(all.metadata).toMatchObject({ replacements: 3 });
    expect(hostText('a.txt')).toBe('qux bar qux baz qux');
  });

  it('inserts new_string literally, $ patterns included', () => {
    put('a.txt', 'price: X');
    run('edit', { file_path: 'a.txt', old_string: 'X', new_string: "$& $' $1 $$" });
    expect(hostText('a.txt')).toBe("price: $& $' $1 $$");
  });

  it('keeps CRLF line endings', () => {
    put('win.txt', 'a\r\nb\r\nc\r\n');
    run('edit', { file_path: 'win.txt', old_string: 'a\nb', new_string: 'x\ny\nz' });
    expect(hostText('win.txt')).toBe('x\r\ny\r\nz\r\nc\r\n');
    run('edit', { file_path: 'win.txt', old_string: 'z\r\nc', new_string: 'q\r\nr' });
    expect(hostText('win.txt')).toBe('x\r\ny\r\nq\r\nr\r\n');
  });

  it('leaves LF files and mixed matches as written', () => {
    put('unix.txt', 'a\nb\n');
    run('edit', { file_path: 'unix.txt', old_string: 'a\nb', new_string: 'c\nd' });
    expect(hostText('unix.txt')).toBe('c\nd\n');
    put('mixed.txt', 'one\r\ntwo\nthree\n');
    run('edit', { file_path: 'mixed.txt', old_string: 'two\nthree', new_string: '2\n3' });
    expect(hostText('mixed.txt')).toBe('one\r\n2\n3\n');
  });

  it('refuses binary files and folders', () => {
    put('b.bin', Buffer.from([0, 1, 2]));
    mkdirSync(join(root, 'dir'));
    expect(text(run('edit', { file_path: 'b.bin', old_string: 'a', new_string: 'b' }))).toContain('binary');
    expect(text(run('edit', { file_path: 'dir', old_string: 'a', new_string: 'b' }))).toBe(
      '/dir is a folder, not a file.',
    );
  });

  it('previews the edited text, or the error the edit would give, without writing', () => {
    put('a.txt', 'hello world\n');
    const preview = GUEST_PREVIEWS.edit!;
    expect(preview(fs, { file_path: 'a.txt', old_string: 'world', new_string: 'there' })).toEqual({
      kind: 'diff',
      path: '/a.txt',
      before: 'hello world\n',
      after: 'hello there\n',
    });
    const input = { file_path: 'a.txt', old_string: 'moon', new_string: 'sun' };
    expect(preview(fs, input)).toEqual({ kind: 'error', message: text(run('edit', input)) });
    expect(preview(fs, { file_path: 'gone.txt', old_string: 'a', new_string: 'b' })).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('File not found: /gone.txt'),
    });
    expect(hostText('a.txt')).toBe('hello world\n');
  });
});

describe('glob', () => {
  it('matches ** patterns and lists absolute guest paths, newest first', () => {
    put('src/old.ts', '', 300);
    put('src/deep/er/new.ts', '', 10);
    put('src/mid.ts', '', 100);
    put('src/readme.md', '', 1);
    put('top.ts', '', 200);
    const result = run('glob', { pattern: '**/*.ts' });
    expect(result.content).toBe('/src/deep/er/new.ts\n/src/mid.ts\n/top.ts\n/src/old.ts');
    expect(result.metadata).toEqual({ count: 4, truncated: false });
  });

  it('searches under path, and takes absolute patterns as they are', () => {
    put('src/a.ts', '');
    put('src/sub/b.ts', '');
    put('lib/c.ts', '');
    expect(text(run('glob', { pattern: '*.ts', path: 'src' }))).toBe('/src/a.ts');
    expect(
      text(run('glob', { pattern: './**/*.ts', path: '/src' }))
        .split('\n')
        .sort(),
    ).toEqual(['/src/a.ts', '/src/sub/b.ts']);
    expect(text(run('glob', { pattern: '/lib/*.ts', path: '/src' }))).toBe('/lib/c.ts');
    expect(text(run('glob', { pattern: '../lib/*.ts', path: '/src' }))).toBe('/lib/c.ts');
    expect(text(run('glob', { pattern: 'src/sub/b.ts' }))).toBe('/src/sub/b.ts');
  });

  it('matches dotfiles only when the pattern asks', () => {
    put('.env', '');
    put('.github/ci.yml', '');
    put('app.yml', '');
    expect(text(run('glob', { pattern: '**/*.yml' }))).toBe('/app.yml');
    expect(text(run('glob', { pattern: '.github/*.yml' }))).toBe('/.github/ci.yml');
    expect(text(run('glob', { pattern: '.*' }))).toBe('/.env');
  });

  it('never enters .git or node_modules, unless asked for one by name', () => {
    put('node_modules/pkg/index.js', '');
    put('node_modules/pkg/node_modules/dep/index.js', '');
    put('src/node_modules/x.js', '');
    put('.git/config.js', '');
    put('src/app.js', '');
    expect(text(run('glob', { pattern: '**/*.js' }))).toBe('/src/app.js');
    expect(text(run('glob', { pattern: '**/*.js', path: 'node_modules/pkg' }))).toBe('/node_modules/pkg/index.js');
  });

  it('honours the root and nested .gitignore files, negations included', () => {
    put('.gitignore', 'dist/\n*.log\n!keep.log\n*.tmp\n');
    put('dist/bundle.js', '');
    put('a.log', '');
    put('keep.log', '');
    put('src/.gitignore', 'generated/\nlocal.txt\n!important.tmp\n');
    put('src/generated/g.txt', '');
    put('src/local.txt', '');
    put('src/ok.txt', '');
    put('src/important.tmp', '');
    put('src/junk.tmp', '');
    put('generated/top.txt', '');
    put('local.txt', '');
    const found = text(run('glob', { pattern: '**/*' }))
      .split('\n')
      .sort();
    expect(found).toEqual(['/generated/top.txt', '/keep.log', '/local.txt', '/src/important.tmp', '/src/ok.txt']);
  });

  it('searches a gitignored folder named by path', () => {
    put('.gitignore', 'dist/\n*.map\n');
    put('dist/bundle.js', '');
    put('dist/bundle.js.map', '');
    expect(text(run('glob', { pattern: '**/*.js' }))).toContain('No files match');
    expect(
      text(run('glob', { pattern: '*', path: 'dist' }))
        .split('\n')
        .sort(),
    ).toEqual(['/dist/bundle.js', '/dist/bundle.js.map']);
  });

  it('says when nothing matches, and reports a bad folder', () => {
    put('src/a.ts', '');
    const none = run('glob', { pattern: '**/*.rs', path: 'src' });
    expect(none.isError).toBeUndefined();
    expect(text(none)).toBe('No files match "**/*.rs" under /src.');
    expect(none.metadata).toEqual({ count: 0, truncated: false });
    expect(text(run('glob', { pattern: '*', path: 'missing' }))).toBe('Folder not found: /missing.');
    expect(run('glob', { pattern: '*', path: 'src/a.ts' }).isError).toBe(true);
  });

  it('caps the results at 1,000', () => {
    for (let i = 0; i < 1005; i++) put(`many/f${String(i).padStart(4, '0')}.txt`, '', i);
    const result = run('glob', { pattern: 'many/*.txt' });
    const out = text(result).split('\n');
    expect(out).toHaveLength(1001);
    expect(out[0]).toBe('/many/f0000.txt');
    expect(out[1000]).toBe('… showing the 1,000 newest of 1,005 matching files; narrow the pattern or path.');
    expect(result.metadata).toEqual({ count: 1000, truncated: true });
  });

  it('stops after 50,000 entries', () => {
    const huge = new HugeFolderFs(50_010);
    const result = run('glob', { pattern: '*.txt' }, huge);
    expect(text(result)).toContain('the search stopped after 50,000 entries');
    expect(result.metadata).toEqual({ count: 1000, truncated: true });
  });
});

/** A folder of `count` small files, made up in memory: enough entries to reach the walk's cap quickly. */
class HugeFolderFs implements GuestFs {
  constructor(private readonly count: number) {}
  walk(folder: string): WalkedTree {
    return collectFiles(this, folder);
  }
  match(path: string, pattern: string, flags: '' | 'i'): GuestMatch {
    return matchRead(this.readFile(path), pattern, flags);
  }
  stat(path: string): GuestStat {
    if (path === '/') return { type: 'dir', size: 0, mtimeMs: 0 };
    throw new GuestFsError('ENOENT', 'no such file');
  }
  readdir(): GuestDirent[] {
    return Array.from({ length: this.count }, (_, i) => ({ name: `f${i}.txt`, type: 'file', size: 5, mtimeMs: i }));
  }
  readFile(path: string): GuestReadResult {
    if (path.endsWith('.gitignore')) throw new GuestFsError('ENOENT', 'no such file');
    return { data: 'hello', size: 5, binary: false, truncated: false };
  }
  writeFile(): { created: boolean } {
    throw new GuestFsError('EROFS', 'read-only');
  }
}

describe('grep', () => {
  beforeEach(() => {
    put('src/a.ts', 'import x from "y";\nconst Foo = 1;\nexport default Foo;\n', 100);
    put('src/b.py', 'def foo():\n    return 1\n', 10);
    put('docs/guide.md', 'Use foo wisely.\n', 50);
    put('notes.txt', 'nothing here\n', 5);
  });

  it('lists matching files, newest first, by default', () => {
    const result = run('grep', { pattern: 'foo' });
    expect(result.content).toBe('/src/b.py\n/docs/guide.md');
    expect(result.metadata).toEqual({ matches: 2, files: 2, truncated: false });
  });

  it('finds anchored and lookbehind patterns line by line, whatever the whole-file screen says', () => {
    put('anchors.txt', 'alpha\nbeta end\n  gamma\n');
    expect(text(run('grep', { pattern: '^beta', path: 'anchors.txt', output_mode: 'content' }))).toBe(
      '/anchors.txt:2:beta end',
    );
    expect(text(run('grep', { pattern: 'end$', path: 'anchors.txt', output_mode: 'content' }))).toBe(
      '/anchors.txt:2:beta end',
    );
    // At the start of a line there is no character before; over the whole text there is a newline.
    expect(text(run('grep', { pattern: '(?<![^a])beta', path: 'anchors.txt', output_mode: 'content' }))).toBe(
      '/anchors.txt:2:beta end',
    );
    expect(text(run('grep', { pattern: '^\\s+gamma$', path: 'anchors.txt', output_mode: 'count' }))).toBe(
      '/anchors.txt:1',
    );
  });

  it('matches case-insensitively when asked', () => {
    expect(text(run('grep', { pattern: 'foo', case_insensitive: true }))).toBe('/src/b.py\n/docs/guide.md\n/src/a.ts');
  });

  it('shows matching lines as path:line:text', () => {
    expect(text(run('grep', { pattern: 'Foo', output_mode: 'content' }))).toBe(
      '/src/a.ts:2:const Foo = 1;\n/src/a.ts:3:export default Foo;',
    );
  });

  it('shows context lines as path-line-text, groups split by --', () => {
    put(
      'ctx.txt',
      lines(20, (n) => (n === 5 || n === 7 || n === 15 ? `hit ${n}` : `line ${n}`)),
    );
    const result = run('grep', { pattern: '^hit', path: 'ctx.txt', output_mode: 'content', context: 1 });
    expect(text(result)).toBe(
      [
        '/ctx.txt-4-line 4',
        '/ctx.txt:5:hit 5',
        '/ctx.txt-6-line 6',
        '/ctx.txt:7:hit 7',
        '/ctx.txt-8-line 8',
        '--',
        '/ctx.txt-14-line 14',
        '/ctx.txt:15:hit 15',
        '/ctx.txt-16-line 16',
      ].join('\n'),
    );
    expect(result.metadata).toEqual({ matches: 3, files: 1, truncated: false });
  });

  it('counts matching lines per file', () => {
    expect(text(run('grep', { pattern: 'Foo|foo', output_mode: 'count' }))).toBe(
      '/docs/guide.md:1\n/src/a.ts:2\n/src/b.py:1',
    );
  });

  it('filters by glob, against names or paths from the search root', () => {
    expect(text(run('grep', { pattern: 'foo', glob: '*.md', case_insensitive: true }))).toBe('/docs/guide.md');
    expect(text(run('grep', { pattern: 'foo', glob: '*.{ts,py}', case_insensitive: true }))).toBe(
      '/src/b.py\n/src/a.ts',
    );
    expect(text(run('grep', { pattern: 'foo', glob: 'b.*', path: 'src' }))).toBe('/src/b.py');
    expect(text(run('grep', { pattern: 'foo', glob: 'docs/*.md' }))).toBe('/docs/guide.md');
    put('.github/workflows/ci.yml', 'run: foo\n');
    expect(text(run('grep', { pattern: 'foo', glob: '**/*.yml' }))).toBe('/.github/workflows/ci.yml');
  });

  it('filters by type, and names the known types for an unknown one', () => {
    expect(text(run('grep', { pattern: 'foo', type: 'py' }))).toBe('/src/b.py');
    expect(text(run('grep', { pattern: 'foo', type: 'python' }))).toBe('/src/b.py');
    expect(text(run('grep', { pattern: 'Foo', type: 'ts' }))).toBe('/src/a.ts');
    const unknown = run('grep', { pattern: 'foo', type: 'cobol' });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toContain('Known types: c, cpp');
  });

  it('caps output at head_limit', () => {
    put(
      'many.txt',
      lines(300, (n) => `match ${n}`),
    );
    const content = run('grep', { pattern: 'match', output_mode: 'content' });
    const out = text(content).split('\n');
    expect(out).toHaveLength(251);
    expect(out[249]).toBe('/many.txt:250:match 250');
    expect(out[250]).toBe('… output cut at 250 lines (head_limit); raise head_limit or narrow the search to see more.');
    expect(content.metadata).toEqual({ matches: 300, files: 1, truncated: true });
    const files = run('grep', { pattern: 'o', head_limit: 2 });
    expect(text(files).split('\n')).toEqual([
      '/notes.txt',
      '/src/b.py',
      '… output cut at 2 files (head_limit); raise head_limit or narrow the search to see more.',
    ]);
  });

  it('matches across lines in multiline mode, from the line each match starts on', () => {
    put('m.ts', 'a\nfunction f(\n  x\n) {}\nfunction g(\n) {}\n');
    const content = run('grep', {
      pattern: 'function \\w\\(.*?\\)',
      multiline: true,
      path: 'm.ts',
      output_mode: 'content',
    });
    expect(text(content)).toBe(
      ['/m.ts:2:function f(', '/m.ts:3:  x', '/m.ts:4:) {}', '/m.ts:5:function g(', '/m.ts:6:) {}'].join('\n'),
    );
    expect(content.metadata).toEqual({ matches: 2, files: 1, truncated: false });
    expect(text(run('grep', { pattern: '^function', multiline: true, output_mode: 'count', path: 'm.ts' }))).toBe(
      '/m.ts:2',
    );
    expect(text(run('grep', { pattern: 'f\\(\\n', path: 'm.ts' }))).toContain('No matches');
  });

  it('reports an invalid regex with the engine message', () => {
    const result = run('grep', { pattern: 'foo(' });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^Invalid regular expression "foo\(": .+/);
  });

  it('accepts Unicode classes and the looser syntax of plain JS regexes', () => {
    put('u.txt', 'naïve café\na-b\n');
    expect(text(run('grep', { pattern: '\\p{L}+é$', path: 'u.txt', output_mode: 'content' }))).toBe(
      '/u.txt:1:naïve café',
    );
    expect(text(run('grep', { pattern: 'a\\-b', path: 'u.txt', output_mode: 'content' }))).toBe('/u.txt:2:a-b');
  });

  it('matches $ at the end of CRLF lines', () => {
    put('win.txt', 'one;\r\ntwo\r\n');
    expect(text(run('grep', { pattern: ';$', path: 'win.txt', output_mode: 'content' }))).toBe('/win.txt:1:one;');
  });

  it('skips binary, gitignored, node_modules, .git and oversized files', () => {
    put('.gitignore', 'build/\n');
    put('build/out.js', 'foo');
    put('node_modules/m/index.js', 'foo');
    put('.git/HEAD', 'foo');
    put('bin.dat', Buffer.concat([Buffer.from('foo'), Buffer.alloc(4)]));
    put('huge.txt', `foo\n${'z'.repeat(5 * 1024 * 1024)}`);
    const result = run('grep', { pattern: 'foo' });
    expect(text(result)).toBe('/src/b.py\n/docs/guide.md\n… skipped 1 file over 5 MB.');
  });

  it('searches a single file named by path, and reports a missing one', () => {
    expect(text(run('grep', { pattern: 'return', path: '/src/b.py', output_mode: 'content' }))).toBe(
      '/src/b.py:2:    return 1',
    );
    expect(text(run('grep', { pattern: 'x', path: 'nowhere' }))).toBe('Path not found: /nowhere.');
  });

  it('says when nothing matches', () => {
    const result = run('grep', { pattern: 'zebra', path: 'src', glob: '*.ts' });
    expect(result.isError).toBeUndefined();
    expect(text(result)).toBe('No matches for "zebra" in /src (glob "*.ts").');
    expect(result.metadata).toEqual({ matches: 0, files: 0, truncated: false });
  });

  it('stops after 50,000 entries', () => {
    const result = run('grep', { pattern: 'hello', output_mode: 'count', head_limit: 1 }, new HugeFolderFs(50_010));
    expect(text(result)).toContain('the search stopped after 50,000 entries');
    expect(result.metadata).toEqual({ matches: 50_000, files: 50_000, truncated: true });
  });
});

describe('file-system errors', () => {
  it('turn into clear results even when they arrive without their class', () => {
    const throwing = (code: string): GuestFs => {
      const fail = () => {
        throw Object.assign(new Error('denied by host'), { code });
      };
      return { walk: fail, match: fail, stat: fail, readdir: fail, readFile: fail, writeFile: fail };
    };
    expect(text(run('read', { file_path: 'x' }, throwing('EACCES')))).toBe(
      'Permission denied: /x is outside the sandbox or hidden.',
    );
    expect(text(run('write', { file_path: 'docs/x' }, throwing('EROFS')))).toBe('content must be a string.');
    expect(text(run('write', { file_path: 'docs/x', content: '' }, throwing('EROFS')))).toBe('/docs/x is read-only.');
    expect(text(run('read', { file_path: 'big' }, throwing('EFBIG')))).toBe('/big is too large: denied by host');
    expect(text(run('glob', { pattern: '*' }, throwing('ENOENT')))).toBe('Folder not found: /.');
  });

  it('let other exceptions through: they are bugs, not results', () => {
    const broken: GuestFs = {
      walk: () => ({ files: [], truncated: false }),
      match: () => ({ lines: [] }),
      stat: () => {
        throw new TypeError('boom');
      },
      readdir: () => [],
      readFile: () => {
        throw new TypeError('boom');
      },
      writeFile: () => ({ created: true }),
    };
    expect(() => GUEST_TOOLS.read!(broken, { file_path: 'x' })).toThrow('boom');
  });

  it('never show the host folder, whatever fails', () => {
    put('f.txt', 'x');
    put('.boxagnts/settings.json', '{}');
    const calls: [string, Record<string, unknown>][] = [
      ['read', { file_path: 'missing/deeper.txt' }],
      ['read', { file_path: 'f.txt/inside' }],
      ['read', { file_path: '.boxagnts/settings.json' }],
      ['write', { file_path: 'f.txt/inside', content: 'x' }],
      ['edit', { file_path: 'missing.txt', old_string: 'a', new_string: 'b' }],
      ['glob', { pattern: '*', path: '.boxagnts' }],
      ['grep', { pattern: 'x', path: '.boxagnts' }],
    ];
    for (const [tool, input] of calls) {
      const result = run(tool, input);
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/\/(missing|f\.txt|\.boxagnts)/);
    }
  });
});

describe('formatFetched', () => {
  const toMarkdown = (html: string) => html.replace(/<h1>(.*?)<\/h1>/g, '# $1\n').replace(/<[^>]+>/g, '');
  const page = {
    url: 'https://example.com/a',
    finalUrl: 'https://example.com/a',
    status: 200,
    contentType: 'text/html; charset=utf-8',
    body: '<h1>Title</h1><p>Body</p>',
    truncated: false,
  };

  it('converts HTML to Markdown under a header with the final URL and status', () => {
    const result = formatFetched({ ...page, finalUrl: 'https://example.com/b' }, { toMarkdown });
    expect(result.content).toBe(
      'Fetched https://example.com/b (HTTP 200, text/html; redirected from https://example.com/a)\n\n# Title\nBody',
    );
    expect(result.isError).toBeUndefined();
    expect(result.metadata).toEqual({
      url: page.url,
      finalUrl: 'https://example.com/b',
      status: 200,
      contentType: 'text/html',
      chars: 12,
      truncated: false,
    });
  });

  it('passes text and JSON through and describes other content', () => {
    const json = formatFetched({ ...page, contentType: 'application/json', body: '{"a":1}' }, { toMarkdown });
    expect(json.content).toBe('Fetched https://example.com/a (HTTP 200, application/json)\n\n{"a":1}');
    const plain = formatFetched({ ...page, contentType: 'text/plain', body: '<b>not html</b>' }, { toMarkdown });
    expect(text(plain)).toContain('<b>not html</b>');
    const pdf = formatFetched({ ...page, contentType: 'application/pdf', body: '' }, { toMarkdown });
    expect(text(pdf)).toBe(
      'Fetched https://example.com/a (HTTP 200, application/pdf)\n\nThis is application/pdf content, which web_fetch does not show.',
    );
  });

  it('caps the content at max_chars (50,000 by default) and says so', () => {
    const long = formatFetched({ ...page, contentType: 'text/plain', body: 'x'.repeat(60_000) }, { toMarkdown });
    expect(text(long)).toContain(
      '… [content cut at 50,000 of 60,000 characters; fetch again with a larger max_chars to see more]',
    );
    expect(long.metadata).toMatchObject({ chars: 50_000, truncated: true });
    const short = formatFetched(
      { ...page, contentType: 'text/plain', body: 'abcdef', truncated: true },
      { toMarkdown, max_chars: 3 },
    );
    expect(text(short)).toBe(
      'Fetched https://example.com/a (HTTP 200, text/plain)\n\nabc\n… [content cut at 3 of 6 characters; fetch again with a larger max_chars to see more]\n… [the page was larger than the download limit; only its beginning was fetched]',
    );
  });

  it('makes a non-2xx answer an error that names the status', () => {
    const result = formatFetched({ ...page, status: 404, body: '<p>No such page</p>' }, { toMarkdown });
    expect(result.isError).toBe(true);
    expect(text(result)).toBe(
      'Fetched https://example.com/a (HTTP 404, text/html)\n\nThe server answered HTTP 404.\n\nNo such page',
    );
  });

  it('reports a converter failure as an error', () => {
    const result = formatFetched(page, {
      toMarkdown: () => {
        throw new Error('bad markup');
      },
    });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('could not be converted to Markdown: bad markup');
  });
});
