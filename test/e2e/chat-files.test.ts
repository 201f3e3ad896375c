import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DESKTOP, screenshot, useBrowser } from '../helpers/browser';
import { startChat } from '../helpers/chat';

const browser = useBrowser();

describe('chat and files', () => {
  it("shows an agent's edit as a diff, and opens the edited file in the editor", async () => {
    const chat = await startChat();
    await chat.server.server.context.workspace.settings.patch({ permissions: { mode: 'acceptEdits' } });
    await writeFile(join(chat.server.workspaceDir, 'greet.ts'), 'export function greet() {\n  return "hello";\n}\n');
    chat.mock.enqueue(
      {
        text: 'Changing the greeting. ',
        toolCalls: [
          { name: 'edit', input: { file_path: '/greet.ts', old_string: '"hello"', new_string: '"hello, world"' } },
        ],
      },
      { text: 'Done.' },
    );
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${chat.server.url}/chat`);
    await page.getByRole('textbox', { name: 'Message' }).fill('Make it greet the world');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByText('Done.').count(), { timeout: 10_000 }).toBe(1);

    const card = page.getByTestId('tool-card').filter({ hasText: 'edit' });
    await card.getByRole('button', { expanded: false }).click();
    const diff = card.getByTestId('diff-preview');
    await expect.poll(() => diff.textContent()).toContain('−   return "hello";');
    expect(await diff.textContent()).toContain('+   return "hello, world";');
    await screenshot(page, 'desktop-chat-edit-diff');

    await card.getByRole('link', { name: 'Open greet.ts in the editor' }).click();
    await expect.poll(() => page.url()).toMatch(/\/files\?open=greet\.ts$/);
    await expect
      .poll(() => page.locator('.cm-content').textContent(), { timeout: 10_000 })
      .toContain('return "hello, world";');
    await screenshot(page, 'desktop-chat-opened-in-files');
    expect(errors).toEqual([]);
    await close();
  });
});
