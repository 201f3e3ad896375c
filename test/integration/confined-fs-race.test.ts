import {
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/runtime';
import { ConfinedFs, FsBridgeError } from '../../src/fs/confined-fs';
import { Confiner } from '../../src/fs/confiner';
import { silentLogger } from '../../src/log';
import { FileApiError, WorkspaceFiles } from '../../src/workspace/files';
import { openWorkspace } from '../../src/workspace/workspace';
import { callTool, text } from '../helpers/sandbox';
import { type TestServer, startTestServer } from '../helpers/server';
import { type Swapper, startSwapper } from '../helpers/swapper';
import { tempDir } from '../helpers/workspace';

/**
 * A workspace folder `d` and a link `link` to a folder outside are swapped in a tight loop by another process while
 * every operation of the confined file system, the Files API and the shell works on `d/…`. Whatever the timing, no
 * operation may read, list, write, create, rename or remove anything outside. Each loop runs until both states were
 * met several times (the race really happened), so the test does not depend on how fast anything runs.
 */

const MIN_MS = 2500;
const MAX_MS = 60_000;
const MIN_EACH = 3;
const TEST_TIMEOUT = MAX_MS * 2;

let swapper: Swapper | undefined;
const held: number[] = [];
afterEach(async () => {
  await swapper?.stop();
  swapper = undefined;
  for (const fd of held.splice(0)) closeSync(fd);
});

interface Arena {
  root: string;
  outside: string;
  /** Creates an entry in the inside folder whatever its name is at the moment (through a descriptor held on it). */
  inside(name: string): string;
  outsideState(): string;
}

async function arena(root?: string): Promise<Arena> {
  const workspace = root ?? (await tempDir());
  const outside = await tempDir('boxagnts-outside-');
  mkdirSync(join(workspace, 'd'));
  writeFileSync(join(workspace, 'd', 'secret.txt'), 'inside');
  writeFileSync(join(workspace, 'd', 'victim.txt'), 'inside victim');
  writeFileSync(join(workspace, 'd', 'ch.txt'), 'inside');
  writeFileSync(join(outside, 'secret.txt'), 'OUTSIDE');
  writeFileSync(join(outside, 'only-outside.txt'), 'OUTSIDE');
  writeFileSync(join(outside, 'victim.txt'), 'outside victim');
  writeFileSync(join(outside, 'ch.txt'), 'outside');
  symlinkSync(outside, join(workspace, 'link'));
  const fd = openSync(join(workspace, 'd'), constants.O_RDONLY | constants.O_DIRECTORY);
  held.push(fd);
  return {
    root: workspace,
    outside,
    inside: (name) => `/proc/self/fd/${fd}/${name}`,
    outsideState: () =>
      readdirSync(outside, { recursive: true, withFileTypes: true })
        .map((e) => {
          const path = join(e.parentPath, e.name);
          const info = statSync(path);
          return `${path.slice(outside.length)}:${info.mode.toString(8)}:${info.mtimeMs}:${e.isFile() ? readFileSync(path, 'utf8') : 'dir'}`;
        })
        .sort()
        .join('\n'),
  };
}

/** How many operations of an attempt worked on the inside folder, and how many were refused (the link state). */
interface Tally {
  worked: number;
  refused: number;
}

const tally = (outcomes: boolean[]): Tally => ({
  worked: outcomes.filter(Boolean).length,
  refused: outcomes.filter((o) => !o).length,
});

/** Runs `attempt` while the swapper runs; it throws an assertion error on any leak. Adds up the outcomes. */
async function race(attempt: (i: number) => Promise<Tally | boolean> | Tally | boolean): Promise<Tally> {
  const counts = { worked: 0, refused: 0 };
  const started = Date.now();
  for (let i = 0; ; i++) {
    const outcome = await attempt(i);
    const add = typeof outcome === 'boolean' ? tally([outcome]) : outcome;
    counts.worked += add.worked;
    counts.refused += add.refused;
    const elapsed = Date.now() - started;
    if ((elapsed >= MIN_MS && counts.worked >= MIN_EACH && counts.refused >= MIN_EACH) || elapsed >= MAX_MS) break;
  }
  return counts;
}

/** True when `work` did its job, false when the confined file system refused it; anything else (a leak caught by an assertion) fails the test. */
async function refusedIfThrows(work: () => unknown): Promise<boolean> {
  try {
    await work();
    return true;
  } catch (error) {
    if (error instanceof FsBridgeError || error instanceof FileApiError) return false;
    throw error;
  }
}

function expectBothStates(counts: Tally) {
  expect(counts.worked).toBeGreaterThanOrEqual(MIN_EACH);
  expect(counts.refused).toBeGreaterThanOrEqual(MIN_EACH);
}

describe('the confined file system while a folder is swapped for a link to the outside', () => {
  const setup = async () => {
    const a = await arena();
    const fs = new ConfinedFs(new Confiner({ workDir: a.root }));
    const before = a.outsideState();
    swapper = startSwapper(join(a.root, 'd'), join(a.root, 'link'));
    return { a, fs, before };
  };

  it('never reads, lists or stats outside', { timeout: TEST_TIMEOUT }, async () => {
    const { a, fs, before } = await setup();
    const reads = await race(() => {
      expect(() => fs.stat('/d/only-outside.txt')).toThrow();
      return refusedIfThrows(() => {
        expect(fs.readFile('/d/secret.txt', { as: 'text', maxBytes: 100 }).data).toBe('inside');
      });
    });
    const lists = await race(() =>
      refusedIfThrows(() => {
        expect(fs.readdir('/d').map((e) => e.name)).not.toContain('only-outside.txt');
      }),
    );
    const stats = await race(() => refusedIfThrows(() => fs.stat('/d/secret.txt')));
    for (const counts of [reads, lists, stats]) expectBothStates(counts);
    expect(await swapper!.stop()).toBeGreaterThan(0);
    expect(a.outsideState()).toBe(before);
  });

  it(
    'never writes, creates, copies into, renames, removes or changes anything outside',
    { timeout: TEST_TIMEOUT },
    async () => {
      const { a, fs, before } = await setup();
      writeFileSync(join(a.root, 'src.txt'), 'copied');
      const prepare = (i: number) => {
        mkdirSync(a.inside(`sub-${i}`));
        writeFileSync(a.inside(`sub-${i}/f`), 'x');
        writeFileSync(a.inside(`mv-${i}`), 'x');
        writeFileSync(a.inside(`rm-${i}`), 'x');
        mkdirSync(join(a.outside, `sub-${i}`));
        writeFileSync(join(a.outside, `sub-${i}`, 'f'), 'OUTSIDE');
        writeFileSync(join(a.outside, `mv-${i}`), 'OUTSIDE');
        writeFileSync(join(a.outside, `rm-${i}`), 'OUTSIDE');
      };
      const outsideIntact = (i: number) => {
        for (const name of [`sub-${i}/f`, `mv-${i}`, `rm-${i}`])
          expect(existsSync(join(a.outside, name)), name).toBe(true);
        for (const name of [`made-${i}`, `cp-${i}`, `mv-${i}-done`, `new-${i}`])
          expect(existsSync(join(a.outside, name)), name).toBe(false);
        expect(readFileSync(join(a.outside, 'victim.txt'), 'utf8')).toBe('outside victim');
      };
      const counts = await race(async (i) => {
        prepare(i);
        const results = await Promise.all(
          [
            () => fs.writeFile('/d/victim.txt', `inside ${i}`),
            () => fs.writeFile(`/d/new-${i}`, 'new', { append: true }),
            () => fs.mkdir(`/d/made-${i}`),
            () => fs.copy('/src.txt', `/d/cp-${i}`),
            () => fs.rename(`/d/mv-${i}`, `/d/mv-${i}-done`),
            () => fs.rm(`/d/sub-${i}`, { recursive: true }),
            () => fs.rm(`/d/rm-${i}`),
            () => fs.chmod('/d/ch.txt', i % 2 ? 0o600 : 0o640),
            () => fs.utimes('/d/ch.txt', 1000 * i, 1000 * i),
          ].map((op) => refusedIfThrows(op)),
        );
        outsideIntact(i);
        return tally(results);
      });
      expectBothStates(counts);
      await swapper!.stop();
      const after = a
        .outsideState()
        .split('\n')
        .filter((line) => /^\/(secret|only-outside|victim|ch)\.txt:/.test(line));
      expect(after.join('\n')).toBe(before);
    },
  );

  it('copies out of the folder only what is inside', { timeout: TEST_TIMEOUT }, async () => {
    const { a, fs, before } = await setup();
    const counts = await race(async (i) => {
      const outcomes: boolean[] = [];
      for (let n = 0; n < 20; n++) {
        const copied = await refusedIfThrows(() => fs.copy('/d/secret.txt', `/copied-${i}-${n}`));
        if (copied) expect(readFileSync(join(a.root, `copied-${i}-${n}`), 'utf8')).toBe('inside');
        outcomes.push(copied);
      }
      return tally(outcomes);
    });
    expectBothStates(counts);
    await swapper!.stop();
    expect(a.outsideState()).toBe(before);
  });
});

describe('the Files API while a folder is swapped for a link to the outside', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('never shows, saves, moves, trashes, restores or uploads outside', { timeout: TEST_TIMEOUT * 2 }, async () => {
    server = await startTestServer();
    const a = await arena(server.workspaceDir);
    const files = new WorkspaceFiles((await openWorkspace(a.root)).paths, { trashMaxBytes: () => Infinity });
    writeFileSync(join(a.root, 'src.txt'), 'copied');
    const before = a.outsideState();
    swapper = startSwapper(join(a.root, 'd'), join(a.root, 'link'));
    const s = server;

    const body = async (response: Response) => (response.ok ? response.text() : (await response.body?.cancel(), null));
    const http = await race(async () => {
      const lists = Array.from({ length: 6 }, () => s.fetch('/api/files?path=d').then(body));
      const contents = Array.from({ length: 6 }, () => s.fetch('/api/files/content?path=d%2Fsecret.txt').then(body));
      const downloads = Array.from({ length: 6 }, () => s.fetch('/api/files/download?path=d%2Fsecret.txt').then(body));
      const [listed, shown, sent] = await Promise.all([
        Promise.all(lists),
        Promise.all(contents),
        Promise.all(downloads),
      ]);
      for (const text of [...listed, ...shown]) expect(text ?? '').not.toMatch(/only-outside|OUTSIDE/);
      for (const text of sent) expect([null, 'inside']).toContain(text);
      return tally([...listed, ...shown, ...sent].map((v) => v !== null));
    });
    expectBothStates(http);

    const direct = await race((i) => {
      writeFileSync(a.inside(`mv-${i}`), 'x');
      writeFileSync(a.inside(`tr-${i}`), 'x');
      writeFileSync(join(a.outside, `mv-${i}`), 'OUTSIDE');
      writeFileSync(join(a.outside, `tr-${i}`), 'OUTSIDE');
      const upload = join(a.root, '.boxagnts', `upload-${i}`);
      writeFileSync(upload, 'uploaded');
      const results = [
        () => files.write(`d/new-${i}.txt`, 'new', null),
        () => files.mkdir(`d/made-${i}`),
        () => files.rename(`d/mv-${i}`, `mv-${i}-done`),
        () => files.copy(['src.txt'], 'd'),
        () => files.trash([`d/tr-${i}`]),
        () => files.placeUpload(upload, 'd', `up-${i}.txt`),
        ...Array.from(
          { length: 10 },
          () => () => expect(files.read('d/secret.txt')).toMatchObject({ content: 'inside' }),
        ),
        ...Array.from(
          { length: 10 },
          () => () => expect(files.list('d').map((e) => e.name)).not.toContain('only-outside.txt'),
        ),
      ].map((op) => refusedIfThrows(op));
      return Promise.all(results).then((done) => {
        for (const name of [`mv-${i}`, `tr-${i}`]) expect(readFileSync(join(a.outside, name), 'utf8')).toBe('OUTSIDE');
        for (const name of [`new-${i}.txt`, `made-${i}`, `mv-${i}-done`, `up-${i}.txt`, 'src.txt'])
          expect(existsSync(join(a.outside, name)), name).toBe(false);
        return tally(done);
      });
    });
    expectBothStates(direct);

    for (const item of files.trashItems()) {
      try {
        files.restore(item.id);
      } catch {
        // Refused while `d` was the link, or the name was taken: either way nothing may land outside.
      }
    }
    await swapper.stop();
    swapper = undefined;
    const after = a
      .outsideState()
      .split('\n')
      .filter((line) => /^\/(secret|only-outside|victim|ch)\.txt:/.test(line));
    expect(after.join('\n')).toBe(before);
    expect(readdirSync(a.outside).filter((name) => /^(new|made|up)-|-done$|^src\.txt/.test(name))).toEqual([]);
    for (const name of readdirSync(a.outside).filter((n) => /^(tr|mv)-/.test(n)))
      expect(readFileSync(join(a.outside, name), 'utf8')).toBe('OUTSIDE');
  });
});

describe('the shell while a folder is swapped for a link to the outside', () => {
  it('cat, ls, cp and rm -rf never reach outside', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await tempDir();
    const a = await arena(dir);
    const workspace = await openWorkspace(dir);
    const runtime = await createRuntime(workspace, { logger: silentLogger });
    try {
      await callTool(runtime, 'bash', { command: 'true' });
      const before = a.outsideState();
      swapper = startSwapper(join(a.root, 'd'), join(a.root, 'link'));
      const counts = await race(async (i) => {
        writeFileSync(a.inside(`sub-${i}`), 'x');
        mkdirSync(join(a.outside, `sub-${i}`));
        writeFileSync(join(a.outside, `sub-${i}`, 'f'), 'OUTSIDE');
        const command = `for n in $(seq 30); do cat d/secret.txt; ls d; done; cp d/secret.txt d/victim.txt; rm -rf d/sub-${i}`;
        const out = text(await callTool(runtime, 'bash', { command }));
        expect(out).not.toContain('OUTSIDE');
        expect(out).not.toContain('only-outside');
        expect(readFileSync(join(a.outside, `sub-${i}`, 'f'), 'utf8')).toBe('OUTSIDE');
        return { worked: (out.match(/^inside/gm) ?? []).length, refused: (out.match(/No such file/g) ?? []).length };
      });
      expectBothStates(counts);
      await swapper.stop();
      swapper = undefined;
      expect(
        a
          .outsideState()
          .split('\n')
          .filter((line) => !/^\/sub-/.test(line))
          .join('\n'),
      ).toBe(before);
    } finally {
      await runtime.close();
    }
  });
});
