import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { startTestServer } from '../helpers/server';
import { wat } from '../helpers/wasm';

const browser = useBrowser();

const echoManifest = {
  name: 'echo_args',
  description: 'Prints its arguments, one per line.',
  permissionLevel: 'read',
  inputSchema: { type: 'object', properties: { words: { type: 'string' } } },
  input: { mode: 'argv', argv: ['{{words}}'] },
  module: 'echo.wasm',
};

describe('Tools page: WebAssembly tools', () => {
  it('shows where each tool comes from, and follows a tool folder as it breaks and is fixed', async () => {
    const server = await startTestServer();
    const dir = join(server.workspaceDir, '.boxagnts', 'tools', 'echo');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'echo.wasm'), await wat('echo-args.wat'));
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${server.url}/tools`);
    const list = page.getByRole('list', { name: 'Tools' });
    await expect.poll(() => list.textContent()).toContain('word_count');
    expect(await list.textContent()).toContain('built-in: word-count');

    await writeFile(join(dir, 'tool.json'), JSON.stringify({ ...echoManifest, permissionLevel: 'admin' }));
    const problems = page.getByRole('region', { name: 'Tool folders that did not load' });
    await expect
      .poll(() => problems.textContent(), { timeout: 10_000 })
      .toMatch(/\.boxagnts\/tools\/echo.*field "permissionLevel"/);
    await screenshot(page, 'desktop-tools-problem');

    await writeFile(join(dir, 'tool.json'), JSON.stringify(echoManifest));
    await expect.poll(() => list.textContent(), { timeout: 10_000 }).toContain('.boxagnts/tools/echo');
    expect(await problems.count()).toBe(0);
    await page.getByRole('button', { name: 'Details of echo_args' }).click();
    await expect.poll(() => list.textContent()).toContain('"words"');
    await screenshot(page, 'desktop-tools-extension');
    expect(errors).toEqual([]);
    await close();
  });

  it('marks the tools offered to the model on request, and offers one in full once the workspace lists it', async () => {
    const server = await startTestServer();
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${server.url}/tools`);
    const row = (name: string) =>
      page
        .getByRole('list', { name: 'Tools' })
        .getByRole('listitem')
        .filter({ has: page.getByRole('button', { name: `Details of ${name}`, exact: true }) });
    await expect.poll(() => row('sleep').textContent()).toContain('offered on request');
    expect(await row('read').textContent()).not.toContain('offered on request');
    await screenshot(page, 'desktop-tools-on-request');
    await server.server.context.workspace.settings.patch({ tools: { offered: ['sleep'] } });
    await page.reload();
    await expect.poll(() => row('sleep').textContent()).not.toContain('offered on request');
    expect(await row('jsexec').textContent()).toContain('offered on request');
    expect(errors).toEqual([]);
    await close();
  });

  it('is readable on a phone, problems included', async () => {
    const server = await startTestServer();
    const dir = join(server.workspaceDir, '.boxagnts', 'tools', 'a-folder-with-a-rather-long-name');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'tool.json'), '{ "name": "x", }');
    await server.server.context.runtime.extensions.reload();
    const { page, errors, close } = await browser.open(PHONE, 'dark');
    await page.goto(`${server.url}/tools`);
    await expect
      .poll(() => page.getByRole('region', { name: 'Tool folders that did not load' }).textContent())
      .toMatch(/trailing comma/);
    await expect.poll(() => page.getByRole('list', { name: 'Tools' }).textContent()).toContain('word_count');
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBe(0);
    await screenshot(page, 'phone-tools-problem');
    expect(errors).toEqual([]);
    await close();
  });

  it('filters the list by name, source and level from one box, and says when nothing matches', async () => {
    const server = await startTestServer();
    const all = (await (await server.fetch('/api/tools')).json()) as {
      tools: { name: string; source: string; permissionLevel: string }[];
    };
    const names = (pick: (t: (typeof all.tools)[number]) => boolean) => all.tools.filter(pick).map((t) => t.name);
    for (const [viewport, theme, name] of [
      [DESKTOP, 'light', 'desktop-tools-filter'],
      [DESKTOP, 'dark', 'desktop-dark-tools-filter'],
      [PHONE, 'light', 'phone-tools-filter'],
      [PHONE, 'dark', 'phone-dark-tools-filter'],
    ] as const) {
      const { page, errors, close } = await browser.open(viewport, theme);
      await page.goto(`${server.url}/tools`);
      const list = page.getByRole('list', { name: 'Tools' });
      const shown = () =>
        list
          .getByRole('button', { name: /^Details of / })
          .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label')?.replace('Details of ', '')));
      await expect.poll(shown).toEqual(all.tools.map((t) => t.name));
      const filter = page.getByRole('searchbox', { name: 'Filter tools' });

      await filter.fill('write');
      await expect.poll(shown).toEqual(names((t) => t.permissionLevel === 'write' || t.name.includes('write')));
      expect((await shown()).length).toBeGreaterThan(0);
      expect((await shown()).length).toBeLessThan(all.tools.length);
      await filter.fill('sandboxed read');
      await expect
        .poll(shown)
        .toEqual(
          names(
            (t) =>
              `${t.name} ${t.source} ${t.permissionLevel}`.includes('sandboxed') &&
              `${t.name} ${t.source} ${t.permissionLevel}`.includes('read'),
          ),
        );
      await filter.fill('word_count');
      await expect.poll(shown).toEqual(['word_count']);
      expect(await page.getByRole('status').filter({ hasText: 'of' }).textContent()).toBe(
        `1 of ${all.tools.length} tools`,
      );
      await screenshot(page, name);

      await filter.fill('no-such-tool');
      await expect.poll(() => page.getByText('No tools match “no-such-tool”.').count()).toBe(1);
      expect(await list.count()).toBe(0);
      await screenshot(page, `${name}-none`);
      await filter.fill('');
      await expect.poll(shown).toEqual(all.tools.map((t) => t.name));
      expect(errors).toEqual([]);
      await close();
    }
  }, 60_000);
});
