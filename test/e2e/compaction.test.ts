import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { startChat } from '../helpers/chat';
import { tempDir } from '../helpers/workspace';

const browser = useBrowser();

describe('context in the chat', () => {
  it('shows the context meter moving and a compaction divider that opens to the summary and the stubs', async () => {
    const dir = await tempDir('boxagnts-ws-');
    for (let i = 0; i < 4; i++)
      await writeFile(join(dir, `big${i}.txt`), `FILE-${i}\n${'lorem ipsum dolor sit amet, line\n'.repeat(190)}`);
    const chat = await startChat({ workspaceDir: dir });
    await chat.server.server.context.workspace.settings.patch({
      providers: { mock: { models: { 'mock-model': { contextWindow: 12_000, maxOutput: 1000 } } } },
      context: { maskAt: 0.5, keepRecentTokens: 1000, compactAt: 100_000 },
    });
    const read = (i: number) => ({ toolCalls: [{ name: 'read', input: { file_path: `big${i}.txt` } }] });
    chat.mock.enqueue(read(0), read(1), read(2), read(3), { text: 'Read all four.' });
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${chat.server.url}/chat`);
    await page.getByRole('textbox', { name: 'Message' }).fill('Read the big files');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForURL(/\/chat\/ses_/);
    const meter = page.getByRole('meter', { name: 'Context window used' });
    await expect.poll(() => meter.count(), { timeout: 15_000 }).toBe(1);
    const first = Number(await meter.getAttribute('aria-valuenow'));
    await expect.poll(() => page.getByRole('button', { name: 'Send' }).count(), { timeout: 15_000 }).toBe(1);
    const last = Number(await meter.getAttribute('aria-valuenow'));
    expect(last).toBeGreaterThan(first);
    expect(await meter.getAttribute('aria-valuetext')).toMatch(/tool outputs/);

    const divider = page.getByTestId('compaction-divider').first();
    await expect.poll(() => divider.textContent()).toMatch(/shortened for the model — [\d.]+k → [\d.]+k tokens/);
    await divider.locator('summary').click();
    const stub = divider.getByRole('button', { name: /\[output of read big0\.txt/ });
    await expect.poll(() => stub.count()).toBe(1);
    await screenshot(page, 'desktop-chat-compaction');
    await stub.click();
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'desktop-chat-compaction-dark');
    expect(errors).toEqual([]);
    await close();

    const phone = await browser.open(PHONE);
    await phone.page.goto(page.url().replace(/^.*\/chat/, `${chat.server.url}/chat`));
    await expect.poll(() => phone.page.getByTestId('compaction-divider').count()).toBeGreaterThan(0);
    await screenshot(phone.page, 'phone-chat-compaction');
    await phone.close();
  });
});
