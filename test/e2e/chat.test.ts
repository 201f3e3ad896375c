import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { startChat } from '../helpers/chat';

const browser = useBrowser();

describe('chat page', () => {
  it('streams an answer with a tool card, and shows the same history after a reload', async () => {
    const chat = await startChat();
    const answer = Array.from({ length: 12 }, (_, i) => `word${i} `);
    chat.mock.enqueue(
      {
        text: 'Let me wait first. ',
        toolCalls: [{ name: 'sleep', input: { ms: 300 } }],
        usage: { inputTokens: 1200, outputTokens: 30 },
      },
      {
        text: [...answer, '\n\n```js\nconsole.log("hi")\n```'],
        chunkDelayMs: 60,
        usage: { inputTokens: 1300, outputTokens: 40 },
      },
    );
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${chat.server.url}/chat`);
    await page.getByRole('textbox', { name: 'Message' }).fill('Wait, then answer');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForURL(/\/chat\/ses_/);

    // The answer arrives piece by piece: seen part-way before it is complete.
    const message = page.getByTestId('assistant-message').last();
    await expect.poll(() => message.textContent(), { timeout: 10_000 }).toMatch(/word2 /);
    const partial = await message.textContent();
    expect(partial).not.toMatch(/word11/);
    await expect.poll(() => page.getByRole('button', { name: 'Stop' }).count()).toBe(1);

    await expect.poll(() => message.locator('code').textContent(), { timeout: 10_000 }).toContain('console.log("hi")');
    const card = page.getByTestId('tool-card');
    await expect.poll(() => card.textContent()).toMatch(/sleep.*ms/);
    await expect.poll(() => card.getByLabel('Done').count()).toBe(1);
    await expect.poll(() => page.getByRole('button', { name: 'Send' }).count()).toBe(1);
    await expect.poll(() => page.getByTestId('usage-counter').textContent()).toContain('2.5k in');
    await screenshot(page, 'desktop-chat-conversation');

    const before = await page.locator('main').textContent();
    await page.reload();
    await expect.poll(() => page.getByTestId('tool-card').count()).toBe(1);
    await expect.poll(() => page.locator('main').textContent()).toBe(before);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Wait, then answer');
    expect(errors).toEqual([]);
    await close();
  });

  it('shows a provider error with its message and keeps the typed text', async () => {
    const chat = await startChat();
    chat.mock.enqueue({ error: { status: 401, message: 'Incorrect API key provided: sk-…' } });
    const { page, errors, close } = await browser.open(PHONE);
    await page.goto(`${chat.server.url}/chat`);
    await page.getByRole('textbox', { name: 'Message' }).fill('hello');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(() => page.getByRole('alert').first().textContent(), { timeout: 10_000 })
      .toMatch(/rejected the API key \(401\): Incorrect API key provided/);
    await screenshot(page, 'phone-chat-provider-error');

    // With no usable model, the send is refused and the text stays in the box.
    await chat.server.server.context.workspace.settings.patch({ defaultModel: null });
    await page.getByRole('textbox', { name: 'Message' }).fill('keep me');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'No model chosen' }).count()).toBe(1);
    expect(await page.getByRole('textbox', { name: 'Message' }).inputValue()).toBe('keep me');
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await close();
  });

  it('says which budget ended a run started elsewhere (boxagnts run --max-output-tokens)', async () => {
    const chat = await startChat();
    const { runtime } = chat.server.server.context;
    const session = await runtime.sessions.create({ title: 'On a budget' });
    chat.mock.enqueue(
      {
        text: 'Thinking. ',
        toolCalls: [{ name: 'sleep', input: { ms: 1 } }],
        usage: { inputTokens: 10, outputTokens: 900 },
      },
      { text: 'never' },
    );
    const spec = await runtime.workspaceSpec(
      { text: 'spend', limits: { maxOutputTokens: 500 } },
      { watched: false, unattended: 'deny' },
    );
    expect((await (await runtime.runner.start(session.id, spec)).done).status).toBe('budget');
    for (const [viewport, scheme, name] of [
      [DESKTOP, 'light', 'desktop-chat-budget'],
      [PHONE, 'dark', 'phone-chat-budget-dark'],
    ] as const) {
      const { page, errors, close } = await browser.open(viewport, scheme);
      await page.goto(`${chat.server.url}/chat/${session.id}`);
      await expect
        .poll(() => page.locator('main').textContent())
        .toContain('Stopped: the run reached its budget (output tokens: 900 of 500).');
      await screenshot(page, name);
      expect(errors).toEqual([]);
      await close();
    }
  });

  it('stops a run, renames and deletes a session from the sidebar', async () => {
    const chat = await startChat();
    chat.mock.enqueue({ text: Array.from({ length: 100 }, (_, i) => `t${i} `), chunkDelayMs: 50 });
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${chat.server.url}/chat`);
    await page.getByRole('textbox', { name: 'Message' }).fill('long answer please');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(() => page.getByTestId('assistant-message').last().textContent(), { timeout: 10_000 })
      .toMatch(/t3 /);
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => page.getByText('(interrupted)').count()).toBe(1);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Stopped.' }).count()).toBe(1);

    const list = page.getByRole('list', { name: 'Sessions' });
    await list.getByRole('button', { name: 'Actions for long answer please' }).click();
    await page.getByRole('menuitem', { name: 'Rename' }).click();
    await page.getByLabel('Session title').fill('Renamed chat');
    await page.getByRole('button', { name: 'Save title' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Renamed chat');

    await list.getByRole('button', { name: 'Actions for Renamed chat' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(/\/chat$/);
    await expect.poll(() => list.getByRole('link').count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  });
});

describe('chat page across a server restart', () => {
  it(
    'reconnects and shows the true state after the server dies mid-run and comes back',
    { timeout: 90_000 },
    async () => {
      const { createServer } = await import('node:net');
      const { mkdir, writeFile } = await import('node:fs/promises');
      const { join } = await import('node:path');
      const { mockProviderSettings, startMock } = await import('../helpers/chat');
      const { spawnServer } = await import('../helpers/server');
      const { tempDir } = await import('../helpers/workspace');

      const mock = await startMock();
      const dir = await tempDir();
      await mkdir(join(dir, '.boxagnts'));
      await writeFile(join(dir, '.boxagnts', 'settings.json'), JSON.stringify(mockProviderSettings(mock)));
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const port = String((probe.address() as { port: number }).port);
      await new Promise((resolve) => probe.close(resolve));

      const first = await spawnServer(['--port', port, '--workspace-dir', dir]);
      mock.enqueue({ text: 'Before the crash. ', toolCalls: [{ name: 'sleep', input: { ms: 60_000 } }] });
      const { page, close } = await browser.open(DESKTOP);
      await page.goto(`${first.url}/chat`);
      await page.getByRole('textbox', { name: 'Message' }).fill('survive a restart');
      await page.getByRole('button', { name: 'Send' }).click();
      await expect.poll(() => page.getByTestId('tool-card').getByLabel('Running').count(), { timeout: 10_000 }).toBe(1);
      first.proc.kill('SIGKILL');
      await new Promise((resolve) => first.proc.once('exit', resolve));
      await expect.poll(() => page.getByText('reconnecting').count(), { timeout: 10_000 }).toBe(1);

      const second = await spawnServer(['--port', port, '--workspace-dir', dir]);
      await expect.poll(() => page.getByText('reconnecting').count(), { timeout: 15_000 }).toBe(0);
      await expect.poll(() => page.getByTestId('tool-card').getByLabel('Failed').count(), { timeout: 10_000 }).toBe(1);
      expect(await page.getByTestId('assistant-message').first().textContent()).toContain('Before the crash.');
      expect(await page.getByRole('button', { name: 'Send' }).count()).toBe(1);

      // The new server closed the run as interrupted; the chat says so and offers to continue.
      const notice = page
        .getByRole('status')
        .filter({ hasText: 'Interrupted: boxagnts stopped before this run finished.' });
      await expect.poll(() => notice.count(), { timeout: 10_000 }).toBe(1);
      const resume = notice.getByRole('button', { name: 'Continue' });
      expect(await resume.isEnabled()).toBe(true);
      await screenshot(page, 'desktop-chat-after-restart');
      for (const [viewport, scheme, name] of [
        [DESKTOP, 'dark', 'desktop'],
        [PHONE, 'light', 'phone'],
        [PHONE, 'dark', 'phone'],
      ] as const) {
        const other = await browser.open(viewport, scheme);
        await other.page.goto(page.url());
        await expect
          .poll(() => other.page.getByRole('button', { name: 'Continue' }).count(), { timeout: 10_000 })
          .toBe(1);
        await screenshot(other.page, `${name}-chat-interrupted-${scheme}`);
        expect(other.errors).toEqual([]);
        await other.close();
      }

      // Continue works from the keyboard: it starts a run that asks the agent to go on, and then it is gone.
      mock.enqueue({ text: 'Carrying on where I stopped.' });
      await resume.focus();
      await page.keyboard.press('Enter');
      await expect
        .poll(() => page.getByTestId('user-message').last().textContent(), { timeout: 10_000 })
        .toMatch(/Continue where you stopped/);
      await expect
        .poll(() => page.getByTestId('assistant-message').last().textContent(), { timeout: 10_000 })
        .toContain('Carrying on where I stopped.');
      await expect.poll(() => page.getByRole('button', { name: 'Continue' }).count()).toBe(0);
      expect(JSON.stringify(mock.requests.at(-1)!.body.messages)).toMatch(/Continue where you stopped/);
      await close();
      await second.stop();
    },
  );
});
