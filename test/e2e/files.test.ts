import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { type TestServer, startTestServer } from '../helpers/server';
import { chroma, colorsOf, contrast } from './colors';

const browser = useBrowser();

/** A real PNG (a colour gradient), so the preview has something to show. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const tail = Buffer.alloc(4);
    tail.writeUInt32BE(crc32(body));
    return Buffer.concat([head, body, tail]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 2;
  const rows = Array.from({ length: height }, (_, y) =>
    Buffer.from([
      0,
      ...Array.from({ length: width }, (_, x) => [20 + (x * 200) / width, 120 + (y * 100) / height, 140]).flat(),
    ]),
  );
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function workspace(): Promise<{ server: TestServer; root: string }> {
  const server = await startTestServer();
  const root = server.workspaceDir;
  await mkdir(join(root, 'src', 'deep'), { recursive: true });
  await writeFile(join(root, 'src', 'a.ts'), 'export const a = 1;\n');
  await writeFile(join(root, 'src', 'x.ts'), 'export const x = 1;\n');
  await writeFile(join(root, 'src', 'deep', 'b.md'), '# B\n');
  await writeFile(join(root, 'notes.txt'), 'hello\n');
  await writeFile(join(root, 'windows.txt'), 'one\r\ntwo\r\n');
  await writeFile(join(root, 'a-file-with-a-very-long-name-that-does-not-fit-the-tree-at-all.md'), '# Long\n');
  await writeFile(join(root, 'picture.png'), png(160, 100));
  await writeFile(join(root, 'data.bin'), Buffer.from([0, 1, 2, 3, 0, 255]));
  return { server, root };
}

const row = (page: Page, name: string) => page.getByRole('treeitem', { name, exact: true });
const editor = (page: Page) => page.locator('.cm-content');
const noOverflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** A page whose actions fail within the test's time, saying which one, rather than the test timing out. */
async function open(viewport: { width: number; height: number }, colorScheme: 'light' | 'dark' = 'light') {
  const opened = await browser.open(viewport, colorScheme);
  opened.page.setDefaultTimeout(8000);
  return opened;
}

/** Puts the cursor at the end of the open file. */
async function toEnd(page: Page) {
  await editor(page).click();
  await page.keyboard.press('Control+End');
}

describe('Files page', () => {
  it('opens a file from the tree, saves typed text with Ctrl+S byte for byte, and keeps CRLF line endings', async () => {
    const { server, root } = await workspace();
    const { page, errors, close } = await open(DESKTOP);
    await page.goto(`${server.url}/files`);
    await row(page, 'src').click();
    await row(page, 'a.ts').click();
    await expect.poll(() => editor(page).textContent()).toContain('export const a = 1;');
    await toEnd(page);
    await page.keyboard.type('export const b = 2;');
    await expect.poll(() => page.getByRole('tab', { name: /a\.ts.*unsaved/ }).count()).toBe(1);
    await page.keyboard.press('Control+s');
    await expect
      .poll(() => readFile(join(root, 'src', 'a.ts'), 'utf8'))
      .toBe('export const a = 1;\nexport const b = 2;');
    await expect.poll(() => page.getByTestId('unsaved-dot').count()).toBe(0);
    await screenshot(page, 'desktop-files-editor');

    // A second save goes over the version the first one returned, without a conflict.
    await page.keyboard.type(' // two');
    await page.keyboard.press('Control+s');
    await expect
      .poll(() => readFile(join(root, 'src', 'a.ts'), 'utf8'))
      .toBe('export const a = 1;\nexport const b = 2; // two');

    // The keyboard works the tree: Left closes a folder, Right opens it; down past picture.png to windows.txt, Enter opens it.
    await row(page, 'src').focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => row(page, 'src').getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => row(page, 'a.ts').count()).toBe(1);
    await row(page, 'notes.txt').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('tab', { name: /windows\.txt/ }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => editor(page).textContent()).toContain('two');
    await toEnd(page);
    await page.keyboard.type('three');
    await page.keyboard.press('Enter');
    await page.keyboard.type('four');
    await page.keyboard.press('Meta+s');
    await expect.poll(() => readFile(join(root, 'windows.txt'), 'utf8')).toBe('one\r\ntwo\r\nthree\r\nfour');

    // Closing a tab with unsaved edits asks first.
    await page.keyboard.type('!');
    await page.getByRole('button', { name: 'Close windows.txt (unsaved changes)' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Close windows.txt?' });
    await expect.poll(() => dialog.count()).toBe(1);
    await page.keyboard.press('Escape');
    expect(await page.getByRole('tab', { name: /windows\.txt/ }).count()).toBe(1);
    await page.getByRole('button', { name: 'Close windows.txt (unsaved changes)' }).click();
    await dialog.getByRole('button', { name: 'Close without saving' }).click();
    await expect.poll(() => page.getByRole('tab', { name: /windows\.txt/ }).count()).toBe(0);
    expect(await readFile(join(root, 'windows.txt'), 'utf8')).toBe('one\r\ntwo\r\nthree\r\nfour');

    // Unsaved edits survive a visit to another page, and leaving the dashboard asks first.
    await toEnd(page);
    await page.keyboard.type(' // draft');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Chat' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Files' }).click();
    await expect.poll(() => editor(page).textContent()).toContain('// two // draft');
    expect(await page.getByRole('tab', { name: /a\.ts.*unsaved/ }).count()).toBe(1);
    const asked = page.waitForEvent('dialog');
    await page.close({ runBeforeUnload: true });
    const leaving = await asked;
    expect(leaving.type()).toBe('beforeunload');
    await leaving.accept();
    expect(errors).toEqual([]);
    await close();
  });

  it('follows changes on disk: a clean tab reloads itself, a tab with edits asks, a deleted file is reported', async () => {
    const { server, root } = await workspace();
    const { page, errors, close } = await open(DESKTOP);
    await page.goto(`${server.url}/files`);
    await row(page, 'notes.txt').click();
    await expect.poll(() => editor(page).textContent()).toContain('hello');

    await writeFile(join(root, 'notes.txt'), 'changed outside\n');
    await expect.poll(() => editor(page).textContent(), { timeout: 10_000 }).toContain('changed outside');
    expect(await page.getByRole('alert').count()).toBe(0);

    await toEnd(page);
    await page.keyboard.type('mine');
    await writeFile(join(root, 'notes.txt'), 'changed again\n');
    const bar = page.getByRole('alert').filter({ hasText: 'This file changed on disk.' });
    await expect.poll(() => bar.count(), { timeout: 10_000 }).toBe(1);
    expect(await editor(page).textContent()).toContain('mine');
    await screenshot(page, 'desktop-files-changed-on-disk');
    await bar.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => editor(page).textContent()).toBe('changed again');
    expect(await page.getByTestId('unsaved-dot').count()).toBe(0);

    // Keeping the edits makes them count as made on what is on disk now: the next save goes through.
    await toEnd(page);
    await page.keyboard.type('kept');
    await writeFile(join(root, 'notes.txt'), 'third\n');
    await expect.poll(() => bar.count(), { timeout: 10_000 }).toBe(1);
    await bar.getByRole('button', { name: 'Keep my edits' }).click();
    await page.keyboard.press('Control+s');
    await expect.poll(() => readFile(join(root, 'notes.txt'), 'utf8')).toBe('changed again\nkept');

    await rm(join(root, 'notes.txt'));
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 }).toMatch(/deleted on disk/);
    await expect.poll(() => row(page, 'notes.txt').count()).toBe(0);
    await screenshot(page, 'desktop-files-deleted-on-disk');
    // Keeping the text and saving creates the file again.
    await page.getByRole('alert').getByRole('button', { name: 'Keep editing' }).click();
    await page.keyboard.press('Control+s');
    await expect.poll(() => existsSync(join(root, 'notes.txt'))).toBe(true);
    expect(await readFile(join(root, 'notes.txt'), 'utf8')).toBe('changed again\nkept');
    await expect.poll(() => row(page, 'notes.txt').count()).toBe(1);
    expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
    await close();
  });

  it('opens /files?open=PATH revealed in the tree, and offers the choices when a save meets a newer file', async () => {
    const { server, root } = await workspace();
    const { page, errors, close } = await open(DESKTOP);
    await page.goto(`${server.url}/files?open=${encodeURIComponent('src/x.ts')}`);
    await expect.poll(() => editor(page).textContent()).toContain('export const x = 1;');
    await expect.poll(() => row(page, 'x.ts').getAttribute('aria-selected')).toBe('true');
    expect(await row(page, 'src').getAttribute('aria-expanded')).toBe('true');

    await toEnd(page);
    await page.keyboard.type('mine;');
    await writeFile(join(root, 'src', 'x.ts'), 'theirs\n');
    await page.keyboard.press('Control+s');
    const bar = page.getByRole('alert').filter({ hasText: 'your save was not written' });
    await expect.poll(() => bar.count(), { timeout: 10_000 }).toBe(1);
    expect(await readFile(join(root, 'src', 'x.ts'), 'utf8')).toBe('theirs\n');
    for (const name of ['Reload (lose my edits)', 'Overwrite', 'Keep editing'])
      expect(await bar.getByRole('button', { name }).count()).toBe(1);
    await screenshot(page, 'desktop-files-conflict');
    await bar.getByRole('button', { name: 'Overwrite' }).click();
    await expect.poll(() => readFile(join(root, 'src', 'x.ts'), 'utf8')).toBe('export const x = 1;\nmine;');
    await expect.poll(() => page.getByRole('alert').count()).toBe(0);
    expect(await page.getByTestId('unsaved-dot').count()).toBe(0);

    // Navigating to another link inside the app opens that file too.
    await page.evaluate(() => {
      window.history.pushState(null, '', '/files?open=src%2Fdeep%2Fb.md');
      window.dispatchEvent(new Event('boxagnts:navigate'));
    });
    await expect.poll(() => page.getByRole('tab', { name: /b\.md/ }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => row(page, 'b.md').getAttribute('aria-selected')).toBe('true');
    expect(errors.filter((e) => !/status of 409/.test(e))).toEqual([]);
    await close();
  });

  it('uploads files dropped onto a folder, and says why one is refused', async () => {
    const { server, root } = await workspace();
    const { page, errors, close } = await open(DESKTOP);
    await page.goto(`${server.url}/files`);
    const drop = async (target: ReturnType<Page['locator']>, name: string, content: string) => {
      const dataTransfer = await page.evaluateHandle(
        ([n, c]) => {
          const dt = new DataTransfer();
          dt.items.add(new File([c!], n!, { type: 'text/plain' }));
          return dt;
        },
        [name, content],
      );
      await target.dispatchEvent('dragenter', { dataTransfer });
      await target.dispatchEvent('dragover', { dataTransfer });
      await target.dispatchEvent('drop', { dataTransfer });
    };

    // While files are dragged over a folder, it says where they will land.
    const dragged = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['x'], 'x.txt'));
      return dt;
    });
    await row(page, 'src').dispatchEvent('dragenter', { dataTransfer: dragged });
    await row(page, 'src').dispatchEvent('dragover', { dataTransfer: dragged });
    await expect.poll(() => page.getByText('Upload to src').count()).toBe(1);
    await screenshot(page, 'desktop-files-drop-target');
    await page.getByRole('tree', { name: 'Workspace files' }).dispatchEvent('dragleave', { dataTransfer: dragged });

    await drop(row(page, 'src'), 'dropped.txt', 'hello');
    await expect.poll(() => existsSync(join(root, 'src', 'dropped.txt'))).toBe(true);
    expect(await readFile(join(root, 'src', 'dropped.txt'), 'utf8')).toBe('hello');
    await expect.poll(() => row(page, 'dropped.txt').getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Uploaded dropped\.txt/);

    // Dropped again: the name is taken, so the copy gets " (1)".
    await drop(row(page, 'src'), 'dropped.txt', 'again');
    await expect.poll(() => existsSync(join(root, 'src', 'dropped (1).txt'))).toBe(true);
    await screenshot(page, 'desktop-files-upload');

    // The Upload button picks files for the selected folder.
    await row(page, 'deep').click();
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload files' }).click();
    await (
      await chooser
    ).setFiles([{ name: 'picked.md', mimeType: 'text/markdown', buffer: Buffer.from('# Picked\n') }]);
    await expect.poll(() => existsSync(join(root, 'src', 'deep', 'picked.md'))).toBe(true);

    const patch = await server.fetch('/api/settings', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ files: { maxUploadBytes: 1024 } }),
    });
    expect(patch.status).toBe(200);
    await drop(page.getByRole('tree', { name: 'Workspace files' }), 'big.txt', 'x'.repeat(5000));
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 })
      .toMatch(/big\.txt was not uploaded: .*limited to 1024 bytes/);
    expect(existsSync(join(root, 'big.txt')) || existsSync(join(root, 'src', 'big.txt'))).toBe(false);
    await screenshot(page, 'desktop-files-upload-refused');
    expect(errors.filter((e) => !/status of 413/.test(e))).toEqual([]);
    await close();
  });

  it('context menu: new folder, rename, delete with undo, restore from the trash, copy and paste, empty the trash', async () => {
    const { server, root } = await workspace();
    const { page, errors, close } = await open(DESKTOP, 'dark');
    await page.goto(`${server.url}/files`);
    const menu = page.getByRole('menu');
    const dialog = page.getByRole('dialog');

    await row(page, 'src').click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'New folder…' }).click();
    await dialog.getByLabel('Name of the folder, in src').fill('lib');
    await dialog.getByLabel('Name of the folder, in src').press('Enter');
    // Not there yet (ENOENT) is what the poll waits out, so the error is dropped and the poll asks again.
    await expect.poll(async () => (await stat(join(root, 'src', 'lib')).catch(() => null))?.isDirectory()).toBe(true);
    await expect.poll(() => row(page, 'lib').count()).toBe(1);

    // A name that is taken: the server's reason is shown, and the dialog stays.
    await row(page, 'src').click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'New folder…' }).click();
    await dialog.getByRole('textbox').fill('lib');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/already exists/);
    await screenshot(page, 'desktop-files-name-taken-dark');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // New file: created empty and opened.
    await row(page, 'lib').click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'New file…' }).click();
    await dialog.getByRole('textbox').fill('index.ts');
    await dialog.getByRole('textbox').press('Enter');
    await expect.poll(() => page.getByRole('tab', { name: /index\.ts/ }).count()).toBe(1);
    expect(await readFile(join(root, 'src', 'lib', 'index.ts'), 'utf8')).toBe('');

    // Rename, from the keyboard: Shift+F10 on the focused row.
    await row(page, 'notes.txt').focus();
    await page.keyboard.press('Shift+F10');
    await menu.getByRole('menuitem', { name: 'Rename…' }).click();
    await dialog.getByRole('textbox').fill('readme.txt');
    await dialog.getByRole('textbox').press('Enter');
    await expect.poll(() => existsSync(join(root, 'readme.txt'))).toBe(true);
    expect(existsSync(join(root, 'notes.txt'))).toBe(false);
    await expect.poll(() => row(page, 'readme.txt').count()).toBe(1);

    // Delete with the row's ⋯ button, then Undo.
    await page.getByRole('button', { name: 'Actions for readme.txt' }).click();
    await screenshot(page, 'desktop-files-menu-dark');
    await menu.getByRole('menuitem', { name: 'Delete' }).click();
    await expect.poll(() => existsSync(join(root, 'readme.txt'))).toBe(false);
    const notice = page.getByRole('status');
    await expect.poll(() => notice.textContent()).toMatch(/Moved readme\.txt to the trash/);
    await notice.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => existsSync(join(root, 'readme.txt'))).toBe(true);

    // Delete again, and restore from the trash view.
    await row(page, 'readme.txt').click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Delete' }).click();
    await expect.poll(() => existsSync(join(root, 'readme.txt'))).toBe(false);
    await page.getByRole('button', { name: 'Trash', exact: true }).click();
    const trashed = page.getByRole('list', { name: 'Trashed items' });
    await expect.poll(() => trashed.textContent()).toContain('readme.txt');
    await screenshot(page, 'desktop-files-trash-dark');
    await trashed.getByRole('button', { name: 'Restore readme.txt' }).click();
    await expect.poll(() => existsSync(join(root, 'readme.txt'))).toBe(true);
    expect(await readFile(join(root, 'readme.txt'), 'utf8')).toBe('hello\n');
    await page.getByRole('button', { name: 'Back to the files' }).click();

    // Copy a file and paste it into the workspace (the empty space below the rows); cut a folder and paste it elsewhere.
    await row(page, 'a.ts').click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Copy' }).click();
    await page.getByRole('tree', { name: 'Workspace files' }).click({ button: 'right', position: { x: 100, y: 600 } });
    await menu.getByRole('menuitem', { name: 'Paste' }).click();
    await expect.poll(() => existsSync(join(root, 'a.ts'))).toBe(true);
    expect(await readFile(join(root, 'a.ts'), 'utf8')).toBe('export const a = 1;\n');
    await row(page, 'deep').click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Cut' }).click();
    await row(page, 'lib').click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Paste' }).click();
    await expect.poll(() => existsSync(join(root, 'src', 'lib', 'deep', 'b.md'))).toBe(true);
    expect(existsSync(join(root, 'src', 'deep'))).toBe(false);

    // Emptying the trash asks first.
    await row(page, 'readme.txt').click();
    await page.keyboard.press('Delete');
    await expect.poll(() => existsSync(join(root, 'readme.txt'))).toBe(false);
    await page.getByRole('button', { name: 'Trash', exact: true }).click();
    await expect.poll(() => trashed.textContent()).toContain('readme.txt');
    await page.getByRole('button', { name: 'Empty trash' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Empty trash' }).click();
    await expect.poll(() => page.getByText('The trash is empty.').count()).toBe(1);
    expect(((await (await server.fetch('/api/files/trash')).json()) as { items: unknown[] }).items).toEqual([]);
    // 409: the taken name; 404: the open readme.txt, read again once it was deleted.
    expect(errors.filter((e) => !/status of (409|404)/.test(e))).toEqual([]);
    await close();
  });

  it('previews images, and explains files it does not edit', async () => {
    const { server } = await workspace();
    const { page, errors, close } = await open(DESKTOP);
    await page.goto(`${server.url}/files`);
    await row(page, 'picture.png').click();
    const image = page.getByRole('img', { name: 'picture.png' });
    await expect.poll(() => image.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(160);
    await screenshot(page, 'desktop-files-image');
    await row(page, 'data.bin').click();
    await expect.poll(() => page.getByRole('heading', { name: 'Not a text file' }).count()).toBe(1);
    expect(await page.getByRole('tabpanel').getByRole('button', { name: 'Download', exact: true }).count()).toBe(1);
    await page.getByRole('tab', { name: 'picture.png' }).click({ button: 'middle' });
    await expect.poll(() => page.getByRole('tab').count()).toBe(1);
    expect(errors).toEqual([]);
    await close();
  });

  it('fits a phone: the tree, then the editor full width with a way back, in dark and light', async () => {
    const { server } = await workspace();
    const { page, errors, close } = await open(PHONE, 'dark');
    await page.goto(`${server.url}/files`);
    await expect.poll(() => row(page, 'src').count()).toBe(1);
    await row(page, 'src').click();
    await expect.poll(() => row(page, 'a.ts').count()).toBe(1);
    expect(await noOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'phone-files-tree-dark');

    await row(page, 'a-file-with-a-very-long-name-that-does-not-fit-the-tree-at-all.md').click();
    await expect.poll(() => editor(page).textContent()).toContain('# Long');
    expect(await page.getByRole('tree').isVisible()).toBe(false);
    const width = await page.locator('.cm-editor').evaluate((el) => el.getBoundingClientRect().width);
    expect(width).toBe(PHONE.width);
    expect(await noOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'phone-files-editor-dark');
    await page.getByRole('button', { name: 'Back to the file tree' }).click();
    await expect.poll(() => page.getByRole('tree').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Actions for src' }).click();
    expect(await noOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'phone-files-menu-dark');
    expect(errors).toEqual([]);
    await close();

    const light = await open(PHONE, 'light');
    await light.page.goto(`${server.url}/files?open=picture.png`);
    await expect
      .poll(() =>
        light.page.getByRole('img', { name: 'picture.png' }).evaluate((img) => (img as HTMLImageElement).naturalWidth),
      )
      .toBe(160);
    expect(await noOverflow(light.page)).toBeLessThanOrEqual(0);
    await screenshot(light.page, 'phone-files-image');
    await light.page.getByRole('button', { name: 'Back to the file tree' }).click();
    await screenshot(light.page, 'phone-files-tree');
    expect(light.errors).toEqual([]);
    await light.close();
  });

  it('paints the editor in the dashboard’s colours, greys out a disabled Save, and outlines the row whose menu is open', async () => {
    const { server } = await workspace();
    for (const [viewport, theme, name] of [
      [DESKTOP, 'light', 'desktop-files-theme'],
      [DESKTOP, 'dark', 'desktop-files-theme-dark'],
      [PHONE, 'light', 'phone-files-theme'],
      [PHONE, 'dark', 'phone-files-theme-dark'],
    ] as const) {
      const { page, errors, close } = await open(viewport, theme);
      await page.goto(`${server.url}/files?open=src/a.ts`);
      await expect.poll(() => editor(page).textContent()).toContain('export const a');
      // The editor's background and gutter are the page's own, not a theme of their own.
      const pageColors = await colorsOf(page.locator('body'));
      expect((await colorsOf(page.locator('.cm-editor'))).background).toEqual(pageColors.background);
      expect((await colorsOf(page.locator('.cm-gutters'))).background).toEqual(pageColors.background);
      expect(contrast((await colorsOf(page.locator('.cm-content'))).text, pageColors.background)).toBeGreaterThan(7);

      // Nothing to save: Save is grey, its label still readable; with an edit it is the teal action again.
      const save = page.getByRole('button', { name: 'Save', exact: true });
      expect(await save.isDisabled()).toBe(true);
      const disabled = await colorsOf(save);
      expect(chroma(disabled.background)).toBeLessThan(16);
      expect(contrast(disabled.text, disabled.background)).toBeGreaterThanOrEqual(4.5);
      await screenshot(page, `${name}-saved`);
      await toEnd(page);
      await page.keyboard.type('// edited');
      await expect.poll(() => save.isDisabled()).toBe(false);
      // Polled: the button's colours fade over a short transition.
      await expect.poll(async () => chroma((await colorsOf(save)).background)).toBeGreaterThan(60);
      await expect
        .poll(async () => {
          const enabled = await colorsOf(save);
          return contrast(enabled.text, enabled.background);
        })
        .toBeGreaterThanOrEqual(4.5);
      await screenshot(page, name);

      if (viewport === PHONE) await page.getByRole('button', { name: 'Back to the file tree' }).click();
      // The row the menu acts on turns teal while the menu is open; the others, and it afterwards, stay grey.
      const target = row(page, 'notes.txt');
      const tint = async (name: string) => chroma((await colorsOf(row(page, name))).background);
      await target.click({ button: 'right' });
      await expect.poll(() => page.getByRole('menu', { name: 'Actions for notes.txt' }).count()).toBe(1);
      await expect.poll(() => tint('notes.txt')).toBeGreaterThan(30);
      expect(await tint('windows.txt')).toBeLessThan(8);
      // Paste (nothing copied yet) is greyed out, not faded: still readable, and unlike the items that work.
      const paste = await colorsOf(page.getByRole('menuitem', { name: 'Paste' }));
      const copy = await colorsOf(page.getByRole('menuitem', { name: 'Copy' }));
      expect(contrast(paste.text, paste.background)).toBeGreaterThanOrEqual(4.5);
      expect(contrast(paste.text, copy.text)).toBeGreaterThan(1.5);
      await screenshot(page, `${name}-menu`);
      await page.keyboard.press('Escape');
      await expect.poll(() => page.getByRole('menu').count()).toBe(0);
      await expect.poll(() => tint('notes.txt')).toBeLessThan(8);
      expect(errors).toEqual([]);
      await close();
    }
  }, 60_000);
});
