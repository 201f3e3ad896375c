import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { type ChatHarness, mockProviderSettings, startChat, startMock } from '../helpers/chat';
import { runCli } from '../helpers/server';
import { tempDir } from '../helpers/workspace';

const browser = useBrowser();

const PROMPT = 'Can you explain to me how the borrow checker in Rust decides that my reference lives too long?';

/** A chat whose sessions are titled by their model (the test helper switches that off for every other test). */
async function titledChat(): Promise<ChatHarness> {
  const chat = await startChat();
  await chat.server.server.context.workspace.settings.patch({ sessions: { generateTitles: true } });
  return chat;
}

/** Waits until the mock has answered `count` requests (the title call comes after the run has ended). */
async function requestsMade(chat: ChatHarness, count: number): Promise<void> {
  await expect.poll(() => chat.mock.requests.length, { timeout: 10_000 }).toBe(count);
}

describe('session titles', () => {
  it('titles a session with its model after the first answer, and counts the call in its usage', async () => {
    const chat = await titledChat();
    chat.mock.enqueue(
      {
        text: 'It compares the lifetimes of the reference and of what it points to.',
        usage: { inputTokens: 900, outputTokens: 20 },
      },
      { text: '"Rust borrow checker lifetimes."', usage: { inputTokens: 150, outputTokens: 6 } },
    );
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${chat.server.url}/chat`);
    await page.getByRole('textbox', { name: 'Message' }).fill(PROMPT);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForURL(/\/chat\/ses_/);
    const heading = page.getByRole('heading', { level: 1 });
    await expect.poll(() => heading.textContent(), { timeout: 10_000 }).toBe('Rust borrow checker lifetimes');
    const list = page.getByRole('list', { name: 'Sessions' });
    await expect.poll(() => list.getByRole('link').first().textContent()).toContain('Rust borrow checker lifetimes');

    // One non-streamed call with the prompt and the answer; its tokens are the session's too.
    const call = chat.mock.requests[1]!;
    expect(call.stream).toBe(false);
    expect(JSON.stringify(call.body.messages)).toContain('my reference lives too long');
    expect(JSON.stringify(call.body.messages)).toContain('compares the lifetimes');
    await expect.poll(() => page.getByTestId('usage-counter').textContent()).toContain('1.1k in · 26 out');
    await screenshot(page, 'desktop-chat-generated-title');
    expect(errors).toEqual([]);
    await close();
    for (const [viewport, scheme, name] of [
      [DESKTOP, 'dark', 'desktop-chat-generated-title-dark'],
      [PHONE, 'light', 'phone-chat-generated-title'],
      [PHONE, 'dark', 'phone-chat-generated-title-dark'],
    ] as const) {
      const other = await browser.open(viewport, scheme);
      await other.page.goto(page.url());
      await expect
        .poll(() => other.page.getByRole('heading', { level: 1 }).textContent())
        .toBe('Rust borrow checker lifetimes');
      await screenshot(other.page, name);
      expect(other.errors).toEqual([]);
      await other.close();
    }

    // The title is stored: a reload and the server's list have it.
    const id = page.url().split('/').at(-1)!;
    expect((await chat.session(id)).session).toMatchObject({
      title: 'Rust borrow checker lifetimes',
      titleSource: 'auto',
    });
    // A second message does not title the session again.
    chat.mock.enqueue({ text: 'More.' });
    await chat.run(id, 'tell me more');
    expect(chat.mock.requests).toHaveLength(3);
  });

  it('keeps the prompt as the title when the title call fails, without showing an error', async () => {
    const chat = await titledChat();
    chat.mock.enqueue({ text: 'Here is the answer.' }, { error: { status: 500, message: 'title model broke' } });
    const { page, errors, close } = await browser.open(PHONE);
    await page.goto(`${chat.server.url}/chat`);
    await page.getByRole('textbox', { name: 'Message' }).fill('short question');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByText('Here is the answer.').count(), { timeout: 10_000 }).toBe(1);
    await requestsMade(chat, 2);
    const id = page.url().split('/').at(-1)!;
    // The failed call is done once the mock answered it; the session is as it was.
    await expect
      .poll(async () => (await chat.session(id)).events.some((e: any) => e.type === 'session.titled'))
      .toBe(false);
    expect((await chat.session(id)).session.title).toBe('short question');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('short question');
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  });

  it('never retitles a session the user named, and does not title at all with the setting off', async () => {
    const chat = await titledChat();
    const named = await chat.newSession();
    await chat.server.fetch(`/api/sessions/${named}`, {
      method: 'PATCH',
      body: JSON.stringify({ title: 'My own name' }),
      headers: { 'Content-Type': 'application/json' },
    });
    chat.mock.enqueue({ text: 'Answer.' }, { text: 'A model title' });
    await chat.run(named, 'first message');
    expect((await chat.session(named)).session.title).toBe('My own name');

    await chat.server.server.context.workspace.settings.patch({ sessions: { generateTitles: false } });
    const plain = await chat.newSession();
    chat.mock.enqueue({ text: 'Answer.' }, { text: 'A model title' });
    await chat.run(plain, 'keep my words');
    expect((await chat.session(plain)).session.title).toBe('keep my words');
    // Neither session asked for a title: only the two answers were requested.
    expect(chat.mock.requests).toHaveLength(2);
  });

  it('keeps the prompt as the title of a headless run (boxagnts run)', async () => {
    const mock = await startMock();
    const dir = await tempDir();
    await mkdir(join(dir, '.boxagnts'));
    await writeFile(
      join(dir, '.boxagnts', 'settings.json'),
      JSON.stringify({ ...mockProviderSettings(mock), sessions: { generateTitles: true } }),
    );
    mock.enqueue({ text: 'Done.' }, { text: 'A model title' });
    const result = await runCli(['run', 'headless words', '--workspace-dir', dir, '--output-format', 'json']);
    expect(result.code).toBe(0);
    expect(mock.requests).toHaveLength(1);
    const { sessionId } = JSON.parse(result.stdout);
    const stored = await readFile(join(dir, '.boxagnts', 'sessions', `${sessionId}.jsonl`), 'utf8');
    expect(stored).not.toContain('session.titled');
    const index = JSON.parse(await readFile(join(dir, '.boxagnts', 'sessions', 'index.json'), 'utf8'));
    expect(index.sessions.find((s: any) => s.id === sessionId)).toMatchObject({ title: 'headless words' });
  });

  it('switches titles off on Settings → Sessions', async () => {
    const chat = await titledChat();
    const setting = () => chat.server.server.context.workspace.settings.get().sessions.generateTitles;
    for (const [viewport, scheme, name] of [
      [DESKTOP, 'light', 'desktop-settings-sessions-titles'],
      [PHONE, 'dark', 'phone-settings-sessions-titles-dark'],
    ] as const) {
      const { page, errors, close } = await browser.open(viewport, scheme);
      await page.goto(`${chat.server.url}/settings/sessions`);
      const toggle = page.getByRole('switch', { name: 'Generate session titles' });
      const before = setting();
      await expect.poll(() => toggle.getAttribute('aria-checked')).toBe(String(before));
      await screenshot(page, name);
      await toggle.click();
      await expect.poll(() => toggle.getAttribute('aria-checked')).toBe(String(!before));
      expect(setting()).toBe(!before);
      expect(errors).toEqual([]);
      await close();
    }
    // Clicked twice: off, then on again.
    expect(setting()).toBe(true);
  });
});

describe('renaming from the session list', () => {
  it('starts from the current title, and a switch to another session closes the field', async () => {
    const chat = await startChat();
    chat.mock.enqueue({ text: 'First answer.' });
    const other = await chat.newSession();
    await chat.server.fetch(`/api/sessions/${other}`, {
      method: 'PATCH',
      body: JSON.stringify({ title: 'The other session' }),
      headers: { 'Content-Type': 'application/json' },
    });
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${chat.server.url}/chat`);
    await page.getByRole('textbox', { name: 'Message' }).fill('what the first session is about');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByText('First answer.').count(), { timeout: 10_000 }).toBe(1);

    // Opened from the list, after the other one.
    const list = page.getByRole('list', { name: 'Sessions' });
    await list.getByRole('link', { name: /The other session/ }).click();
    await list.getByRole('link', { name: /what the first session is about/ }).click();
    await expect.poll(() => page.getByText('First answer.').count()).toBe(1);
    await list.getByRole('button', { name: 'Actions for what the first session is about' }).click();
    await page.getByRole('menuitem', { name: 'Rename' }).click();
    expect(await page.getByLabel('Session title').inputValue()).toBe('what the first session is about');
    await screenshot(page, 'desktop-chat-rename');

    await list.getByRole('link', { name: /The other session/ }).click();
    await page.waitForURL(`${chat.server.url}/chat/${other}`);
    await expect.poll(() => page.getByLabel('Session title').count()).toBe(0);
    expect(await list.getByRole('link', { name: /what the first session is about/ }).count()).toBe(1);
    expect(errors).toEqual([]);
    await close();
  });
});
