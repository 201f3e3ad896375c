import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { startChat } from '../helpers/chat';

const browser = useBrowser();

describe('approvals in the dashboard', () => {
  it('shows the approval card with a diff; Allow lets the run finish and the inbox counter follows', async () => {
    const chat = await startChat();
    chat.mock.enqueue(
      {
        text: 'I will write it. ',
        toolCalls: [{ name: 'write', input: { file_path: 'notes.md', content: '# Notes\n\n- first\n' } }],
      },
      { text: 'The file is written.' },
    );
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${chat.server.url}/chat`);
    await page.getByRole('textbox', { name: 'Message' }).fill('Write my notes');
    await page.getByRole('button', { name: 'Send' }).click();

    await expect.poll(() => page.getByRole('button', { name: 'Allow once' }).count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('approvals-count').textContent()).toBe('1');
    expect(await page.getByTestId('diff-preview').textContent()).toContain('+ # Notes');
    await screenshot(page, 'desktop-chat-approval');

    await page.getByRole('button', { name: 'Allow once' }).click();
    await expect.poll(() => page.getByText('The file is written.').count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('approvals-count').count()).toBe(0);
    expect(await page.getByText('Allowed once').count()).toBe(1);
    expect(await readFile(join(chat.server.workspaceDir, 'notes.md'), 'utf8')).toBe('# Notes\n\n- first\n');
    expect(errors).toEqual([]);
    await close();
  });

  it('lists a session grant above the message box and revokes it', async () => {
    const chat = await startChat();
    chat.mock.enqueue({ toolCalls: [{ name: 'write', input: { file_path: 'a.txt', content: 'a' } }] }, { text: 'ok' });
    const { page, errors, close } = await browser.open(PHONE);
    await page.goto(`${chat.server.url}/chat`);
    await page.getByRole('textbox', { name: 'Message' }).fill('write a');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('button', { name: 'Allow for this session' }).click();
    await expect
      .poll(() => page.getByLabel('Allowed for this session').textContent(), { timeout: 10_000 })
      .toContain('write(a.txt)');
    await screenshot(page, 'phone-chat-session-grant');
    await page.getByRole('button', { name: 'Revoke allow write(a.txt)' }).click();
    await expect.poll(() => page.getByLabel('Allowed for this session').count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  });

  it('offers one grant pattern per command of a shell line, says which command no grant can cover, and records the edited patterns', async () => {
    const chat = await startChat();
    chat.mock.enqueue(
      { toolCalls: [{ name: 'bash', input: { command: 'ls && cat notes.txt | wc -l; $cmd --all' } }] },
      { text: 'Listed.' },
    );
    const id = await chat.newSession();
    expect((await chat.send(id, 'List the notes')).status).toBe(202);
    for (const [viewport, theme, name] of [
      [DESKTOP, 'light', 'desktop-chat-bash-approval'],
      [PHONE, 'light', 'phone-chat-bash-approval'],
      [PHONE, 'dark', 'phone-chat-bash-approval-dark'],
    ] as const) {
      const { page, errors, close } = await browser.open(viewport, theme);
      await page.goto(`${chat.server.url}/chat/${id}`);
      await expect
        .poll(() => page.getByRole('textbox', { name: /^Command pattern/ }).count(), { timeout: 60_000 })
        .toBe(3);
      expect(await page.getByRole('textbox', { name: 'Command pattern 2 of 3' }).inputValue()).toBe('cat notes.txt');
      expect(await page.getByText('No grant can cover').textContent()).toContain('$cmd --all');
      await page.getByText('No grant can cover').scrollIntoViewIfNeeded();
      await screenshot(page, name);
      expect(errors).toEqual([]);
      await close();
    }

    const { page, errors, close } = await browser.open(DESKTOP, 'dark');
    await page.goto(`${chat.server.url}/chat/${id}`);
    await page.getByRole('textbox', { name: 'Command pattern 1 of 3' }).fill('ls *');
    await page.getByRole('textbox', { name: 'Command pattern 3 of 3' }).fill('');
    await screenshot(page, 'desktop-chat-bash-approval-dark');
    await page.getByRole('button', { name: 'Allow for this session' }).click();
    await expect.poll(() => page.getByText('Listed.').count(), { timeout: 60_000 }).toBe(1);
    const granted = await page.getByLabel('Allowed for this session').textContent();
    expect(granted).toContain('bash(ls *)');
    expect(granted).toContain('bash(cat notes.txt)');
    expect(granted).not.toContain('wc -l');
    expect(errors).toEqual([]);
    await close();
  }, 90_000);

  it('offers no standing grant for a line whose every command is only known when it runs', async () => {
    const chat = await startChat();
    chat.mock.enqueue({ toolCalls: [{ name: 'bash', input: { command: '$RUN --all' } }] }, { text: 'ok' });
    const { page, errors, close } = await browser.open(PHONE);
    await page.goto(`${chat.server.url}/chat`);
    await page.getByRole('textbox', { name: 'Message' }).fill('run the code');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Allow once' }).count(), { timeout: 60_000 }).toBe(1);
    expect(await page.getByRole('button', { name: 'Allow for this session' }).count()).toBe(0);
    expect(await page.getByText('No grant can cover').textContent()).toContain('$RUN --all');
    expect(await page.getByRole('textbox', { name: /^Command pattern/ }).count()).toBe(0);
    await screenshot(page, 'phone-chat-bash-approval-unknown');
    expect(errors).toEqual([]);
    await close();
  }, 60_000);

  it('shows a program of this machine on the card: the command, its folder and that it gets no network', async () => {
    const chat = await startChat();
    chat.mock.enqueue(
      { toolCalls: [{ name: 'bash', input: { command: 'git status --short' } }] },
      { text: 'Checked.' },
    );
    // Until the probe answers, the host tier is unavailable and bash would not ask about a host command at all.
    await chat.server.server.context.runtime.sandbox.host.ready;
    const id = await chat.newSession();
    expect((await chat.send(id, 'What changed?')).status).toBe(202);
    for (const [viewport, theme, path, name] of [
      [DESKTOP, 'light', `/chat/${id}`, 'desktop-chat-host-approval'],
      [DESKTOP, 'dark', `/chat/${id}`, 'desktop-dark-chat-host-approval'],
      [PHONE, 'light', `/chat/${id}`, 'phone-chat-host-approval'],
      [PHONE, 'dark', '/approvals', 'phone-dark-approvals-host'],
    ] as const) {
      const { page, errors, close } = await browser.open(viewport, theme);
      await page.goto(`${chat.server.url}${path}`);
      const commands = page.getByRole('list', { name: 'Runs on this machine' });
      await expect.poll(() => commands.count(), { timeout: 60_000 }).toBe(1);
      expect(await page.getByRole('heading', { name: 'Runs on this machine, in an OS sandbox' }).count()).toBe(1);
      const item = commands.getByRole('listitem');
      expect(await item.count()).toBe(1);
      expect(await item.locator('code').first().textContent()).toBe('git status --short');
      expect(await item.textContent()).toContain('in the workspace');
      expect(await item.getByText('no network', { exact: true }).count()).toBe(1);
      expect(await page.getByText('host', { exact: true }).count()).toBe(1);
      await commands.scrollIntoViewIfNeeded();
      await screenshot(page, name);
      expect(errors).toEqual([]);
      await close();
    }

    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${chat.server.url}/chat/${id}`);
    await page.getByRole('button', { name: 'Allow once' }).click();
    await expect.poll(() => page.getByText('Checked.').count(), { timeout: 60_000 }).toBe(1);
    expect(await page.getByText('Allowed once').count()).toBe(1);
    expect(errors).toEqual([]);
    await close();
  }, 120_000);

  it('answers a question from the approvals inbox on a phone', async () => {
    const chat = await startChat();
    chat.mock.enqueue(
      {
        toolCalls: [
          {
            name: 'ask_user_question',
            input: {
              questions: [
                { question: 'Which license?', header: 'License', options: [{ label: 'MIT' }, { label: 'Apache-2.0' }] },
              ],
            },
          },
        ],
      },
      { text: 'MIT it is.' },
    );
    const id = await chat.newSession();
    const { page, errors, close } = await browser.open(PHONE);
    await page.goto(`${chat.server.url}/approvals`);
    await expect.poll(() => page.getByText('Nothing is waiting for you').count()).toBe(1);
    expect((await chat.send(id, 'pick a license')).status).toBe(202);
    await expect.poll(() => page.getByRole('radio', { name: 'MIT' }).count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => page.getByRole('button', { name: 'Open navigation (1 waiting for you)' }).count()).toBe(1);
    await screenshot(page, 'phone-approvals-inbox');
    await page.getByRole('radio', { name: 'MIT' }).click();
    await page.getByRole('button', { name: 'Send answers' }).click();
    await expect.poll(() => page.getByText('Nothing is waiting for you').count(), { timeout: 10_000 }).toBe(1);
    await expect
      .poll(async () => (await chat.session(id)).events.some((e: any) => e.type === 'run.completed'))
      .toBe(true);
    expect(JSON.stringify(chat.mock.requests[1]!.body.messages)).toContain('A: MIT');
    expect(errors).toEqual([]);
    await close();
  });

  it('shows the plan for approval, the mode picker and the task list', async () => {
    const chat = await startChat();
    chat.mock.enqueue(
      {
        toolCalls: [
          {
            name: 'todo_write',
            input: {
              todos: [
                { content: 'Read the code', status: 'completed' },
                { content: 'Draft the plan', status: 'in_progress' },
                { content: 'Apply it', status: 'pending' },
              ],
            },
          },
        ],
      },
      { toolCalls: [{ name: 'enter_plan_mode', input: {} }] },
      {
        toolCalls: [
          { name: 'exit_plan_mode', input: { plan: '## Plan\n\n1. Rename `foo` to `bar`\n2. Run the tests' } },
        ],
      },
      { text: 'Carrying it out.' },
    );
    const { page, errors, close } = await browser.open(DESKTOP, 'dark');
    await page.goto(`${chat.server.url}/chat`);
    await page.getByRole('textbox', { name: 'Message' }).fill('Plan the rename');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Approve plan' }).count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByTestId('task-list').textContent()).toContain('Tasks 1/3');
    await expect.poll(() => page.getByRole('combobox', { name: 'Permission mode' }).inputValue()).toBe('plan');
    await screenshot(page, 'desktop-chat-plan-dark');
    await page.getByRole('button', { name: 'Approve plan' }).click();
    await expect.poll(() => page.getByText('Carrying it out.').count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => page.getByRole('combobox', { name: 'Permission mode' }).inputValue()).toBe('');
    expect(errors).toEqual([]);
    await close();
  });

  it('lists and revokes a standing grant on Settings → Security, and switches a tool off on the Tools page', async () => {
    const chat = await startChat();
    await chat.server.server.context.workspace.grants.add('allow write(docs/*)', {
      sessionId: 'ses_0000000000000000',
      sessionTitle: 'Docs work',
      tool: 'write',
      subject: 'docs/a.md',
    });
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${chat.server.url}/settings/security`);
    await expect
      .poll(() => page.getByRole('list', { name: 'Standing grants' }).textContent())
      .toContain('allow write(docs/*)');
    await page.getByLabel('New rule').fill('deny bash(rm *)');
    await page.getByLabel('New rule').press('Enter');
    // The description quotes the same rule as an example: the rule must show in the list of rules itself.
    await expect.poll(() => page.getByRole('list', { name: 'Rules' }).textContent()).toContain('deny bash(rm *)');
    await page.getByLabel('New rule').fill('forbid everything');
    await page.getByLabel('New rule').press('Enter');
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'permissions.rules' }).textContent())
      .toMatch(/is not a rule/);
    await screenshot(page, 'desktop-settings-security');
    await page.getByRole('button', { name: 'Revoke allow write(docs/*)' }).click();
    await expect.poll(() => page.getByText('None yet.').count()).toBe(1);
    expect(chat.server.server.context.workspace.grants.list()).toEqual([]);

    await page.goto(`${chat.server.url}/tools`);
    await page.getByRole('switch', { name: 'Disable sleep' }).click();
    await expect.poll(() => page.getByRole('switch', { name: 'Enable sleep' }).count()).toBe(1);
    expect(chat.server.server.context.workspace.settings.get().tools.disabled).toEqual(['sleep']);
    await screenshot(page, 'desktop-tools');
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await close();
  });
});
