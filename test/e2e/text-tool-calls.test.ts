import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { startChat } from '../helpers/chat';

const browser = useBrowser();

describe('a tool call written as text, in the chat', () => {
  it('shows on its card that it was read from text, and what was repaired', async () => {
    const chat = await startChat();
    await writeFile(join(chat.server.workspaceDir, 'notes.txt'), 'line\n'.repeat(20));
    chat.mock.enqueue(
      {
        text: "Let me read it.\n<tool_call>{'name': 'read', 'arguments': {'file_path': 'notes.txt', 'limit': '3',}}</tool_call>",
      },
      { text: 'It has twenty lines.' },
    );
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${chat.server.url}/chat`);
    await page.getByRole('textbox', { name: 'Message' }).fill('How long is notes.txt?');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByText('It has twenty lines.').count(), { timeout: 15_000 }).toBe(1);
    // The markup is not shown as the answer's text; the call is a card with its badge.
    expect(await page.getByText('<tool_call>').count()).toBe(0);
    await expect.poll(() => page.getByText('Let me read it.').count()).toBe(1);
    const card = page.getByTestId('tool-card');
    expect(await card.getByText('from text').count()).toBe(1);
    await card.getByRole('button', { expanded: false }).click();
    const note = card.getByText(/The model wrote this call as text \(a <tool_call> tag\)/);
    await expect.poll(() => note.count()).toBe(1);
    expect(await note.textContent()).toMatch(/Fixed: .*number 3/);
    await screenshot(page, 'desktop-chat-text-call');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'desktop-chat-text-call-dark');
    expect(errors).toEqual([]);
    const url = page.url();
    await close();

    const phone = await browser.open(PHONE);
    await phone.page.goto(url);
    await expect.poll(() => phone.page.getByText('from text').count(), { timeout: 15_000 }).toBe(1);
    await screenshot(phone.page, 'phone-chat-text-call');
    await phone.page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(phone.page, 'phone-chat-text-call-dark');
    await phone.close();
  });
});
