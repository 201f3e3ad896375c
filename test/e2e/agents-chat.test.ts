import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { startChat } from '../helpers/chat';
import { scriptConversations } from '../helpers/conversations';
import { tempDir } from '../helpers/workspace';

const git = promisify(execFile);
const browser = useBrowser();

const agentCall = (input: Record<string, unknown>) => ({ name: 'agent', input });
/** 15 tokens a model call at $1,000 per million: $0.015 a call, so every spending shows. */
const PRICED = { providers: { mock: { models: { 'mock-model': { pricing: { input: 1000, output: 1000 } } } } } };
const card = (page: Page, description: string) => page.getByTestId('child-card').filter({ hasText: description });
const status = (page: Page, description: string) => card(page, description).getByTestId('child-status').textContent();
const dollars = (text: string | null) => Number(/\$(\d+\.\d+)/.exec(text ?? '')?.[1]);

describe('agents in the chat', () => {
  it('runs a managed session: live child cards, a child’s approval answered in the parent, its session and back, Stop', async () => {
    const chat = await startChat();
    // The manager's own dispatches are allowed; a child that dispatches an explore agent asks first.
    await chat.server.server.context.workspace.settings.patch({
      ...PRICED,
      permissions: { rules: ['allow agent(general)'] },
    });
    scriptConversations(chat.mock, {
      'MANAGE-CHAT': [
        {
          toolCalls: [
            agentCall({ description: 'Stalled survey', prompt: 'EXEC-STALL: survey the code' }),
            agentCall({ description: 'Delegating check', prompt: 'EXEC-DELEGATE: check the docs' }),
          ],
        },
        { text: 'Both agents reported back.' },
      ],
      // One call, then the model never answers again: only Stop ends it.
      'EXEC-STALL': [
        { toolCalls: [{ name: 'todo_write', input: { todos: [{ content: 'Survey', status: 'in_progress' }] } }] },
        { text: 'never', stallAfterChunks: 0 },
      ],
      'EXEC-DELEGATE': [
        {
          toolCalls: [
            agentCall({ description: 'Deep look', prompt: 'EXEC-GRAND: look deeper', agent_type: 'explore' }),
          ],
        },
        { text: 'The docs are fine.' },
      ],
      'EXEC-GRAND': [{ text: 'Nothing odd.' }],
    });
    const id = await chat.newSession();
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${chat.server.url}/chat/${id}`);

    const managed = page.getByRole('switch', { name: 'Managed' });
    await expect.poll(() => managed.getAttribute('aria-checked')).toBe('false');
    await managed.click();
    await expect.poll(() => managed.getAttribute('aria-checked')).toBe('true');
    const state = await (await chat.server.fetch(`/api/sessions/${id}/state`)).json();
    expect(state.agentType).toBe('manager');

    await page.getByRole('textbox', { name: 'Message' }).fill('MANAGE-CHAT: check the survey and the docs');
    await page.getByRole('button', { name: 'Send' }).click();

    // Both children start in one turn and show as running.
    await expect.poll(() => page.getByTestId('child-card').count(), { timeout: 20_000 }).toBe(2);
    await expect.poll(() => status(page, 'Stalled survey'), { timeout: 10_000 }).toBe('Running');
    await expect.poll(() => status(page, 'Delegating check'), { timeout: 10_000 }).toMatch(/^Running/);
    expect(await card(page, 'Stalled survey').textContent()).toContain('general');

    // The delegating child's own agent call waits for approval: it shows in the parent, labelled with that child.
    const request = page.getByTestId('agent-request');
    await expect.poll(() => request.count(), { timeout: 10_000 }).toBe(1);
    // Live figures: each child has made one model call, and the header adds them to the manager's one.
    for (const description of ['Stalled survey', 'Delegating check'])
      await expect
        .poll(() => card(page, description).getByTestId('child-usage').textContent())
        .toBe('1 turn · 15 tokens · $0.0150');
    await expect.poll(async () => dollars(await page.getByTestId('usage-counter').textContent())).toBeCloseTo(0.045, 6);
    expect(await request.textContent()).toMatch(/Asked by the agent\s*Delegating check\s*\(general\)/);
    expect(await request.textContent()).toContain('explore');
    await screenshot(page, 'desktop-chat-agents-approval');
    await request.getByRole('button', { name: 'Allow once' }).click();
    await expect.poll(() => status(page, 'Delegating check'), { timeout: 20_000 }).toBe('Finished');
    await expect.poll(() => request.count()).toBe(0);
    // Its two model calls and its own child's one, priced: 3 × $0.015; live until its end, then as reported.
    await expect
      .poll(() => card(page, 'Delegating check').getByTestId('child-usage').textContent())
      .toMatch(/2 turns · 45 tokens · \$0\.0450/);
    await expect.poll(async () => dollars(await page.getByTestId('usage-counter').textContent())).toBeCloseTo(0.075, 6);
    await expect.poll(() => status(page, 'Stalled survey')).toBe('Running');
    await card(page, 'Delegating check').getByRole('button', { name: 'Details' }).click();
    await expect.poll(() => card(page, 'Delegating check').textContent()).toContain('The docs are fine.');
    await screenshot(page, 'desktop-chat-agents-running');

    // The same moment at other sizes and themes, each page loading the session afresh.
    for (const [viewport, theme, name] of [
      [PHONE, 'light', 'phone-chat-agents-running'],
      [PHONE, 'dark', 'phone-chat-agents-running-dark'],
      [DESKTOP, 'dark', 'desktop-chat-agents-running-dark'],
    ] as const) {
      const other = await browser.open(viewport, theme);
      await other.page.goto(`${chat.server.url}/chat/${id}`);
      await expect.poll(() => status(other.page, 'Stalled survey'), { timeout: 10_000 }).toBe('Running');
      expect(await status(other.page, 'Delegating check')).toBe('Finished');
      // Progress is not stored: a fresh page has the running child's figures from the server's list of runs.
      await expect
        .poll(() => card(other.page, 'Stalled survey').getByTestId('child-usage').textContent())
        .toBe('1 turn · 15 tokens · $0.0150');
      expect(dollars(await other.page.getByTestId('usage-counter').textContent())).toBeCloseTo(0.075, 6);
      // On a phone the session's controls are folded under one button of the header.
      const controls = other.page.getByRole('button', { name: 'Session controls' });
      if (viewport === PHONE) await controls.click();
      await expect
        .poll(() => other.page.getByRole('switch', { name: 'Managed' }).getAttribute('aria-checked'))
        .toBe('true');
      if (viewport === PHONE) await controls.click();
      await screenshot(other.page, name);
      expect(other.errors).toEqual([]);
      await other.close();
    }

    // The child's session, through its card, links back to the parent.
    await card(page, 'Stalled survey')
      .getByRole('link', { name: /Open session/ })
      .click();
    await page.waitForURL(/\/chat\/ses_/);
    expect(page.url()).not.toContain(id);
    await expect.poll(() => page.getByTestId('user-message').textContent()).toContain('EXEC-STALL');
    await expect.poll(() => page.getByTestId('task-list').textContent()).toContain('Survey');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Stalled survey');
    expect(await page.getByRole('switch', { name: 'Managed' }).count()).toBe(0);
    await screenshot(page, 'desktop-chat-agents-child-session');
    await page.getByRole('link', { name: /Parent session/ }).click();
    await page.waitForURL(`${chat.server.url}/chat/${id}`);
    await expect.poll(() => status(page, 'Stalled survey'), { timeout: 10_000 }).toBe('Running');

    // Stop ends the stalled child; the manager's call returns and its run finishes.
    await card(page, 'Stalled survey').getByRole('button', { name: 'Stop Stalled survey' }).click();
    await expect.poll(() => status(page, 'Stalled survey'), { timeout: 10_000 }).toBe('Stopped');
    expect(await card(page, 'Stalled survey').getByRole('button', { name: /^Stop/ }).count()).toBe(0);
    await expect.poll(() => page.getByText('Both agents reported back.').count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => page.getByRole('button', { name: 'Send' }).count()).toBe(1);
    const events = (await chat.session(id)).events as { type: string; status?: string }[];
    expect(events.filter((e) => e.type === 'agent.completed').map((e) => e.status)).toEqual(['finished', 'cancelled']);
    expect(events.at(-1)).toMatchObject({ type: 'run.completed', status: 'finished' });
    expect(errors).toEqual([]);
    await close();
  }, 120_000);

  it('starts a new chat in managed mode, and clears an agent type the session was started with', async () => {
    const chat = await startChat();
    scriptConversations(chat.mock, { 'NEW-MANAGED': [{ text: 'Managing.' }], 'TRY-EXPLORE': [{ text: 'Exploring.' }] });
    const { page, errors, close } = await browser.open(PHONE);
    await page.goto(`${chat.server.url}/chat`);
    // On a phone the session's controls are folded under one button of the header.
    const controls = page.getByRole('button', { name: 'Session controls' });
    await controls.click();
    await page.getByRole('switch', { name: 'Managed' }).click();
    await page.getByRole('textbox', { name: 'Message' }).fill('NEW-MANAGED: go');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForURL(/\/chat\/ses_/);
    await expect.poll(() => page.getByText('Managing.').count(), { timeout: 10_000 }).toBe(1);
    const managedId = page.url().split('/').at(-1)!;
    expect((await (await chat.server.fetch(`/api/sessions/${managedId}/state`)).json()).agentType).toBe('manager');
    await controls.click();
    expect(await page.getByRole('switch', { name: 'Managed' }).getAttribute('aria-checked')).toBe('true');
    // The manager's instructions went with the request.
    expect(JSON.stringify(chat.mock.requests[0]!.body.messages[0])).toContain('You are the manager');

    // A session started from the Agents page's "Try it" takes another type: its name shows instead of the switch.
    const created = await chat.server.fetch('/api/sessions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ agentType: 'explore' }),
    });
    const tryId = ((await created.json()) as { id: string }).id;
    await page.goto(`${chat.server.url}/chat/${tryId}`);
    await expect.poll(() => page.getByTestId('session-agent-type').textContent()).toBe('explore');
    expect(await page.getByRole('switch', { name: 'Managed' }).count()).toBe(0);
    await controls.click();
    await screenshot(page, 'phone-chat-agent-type');
    await page.getByRole('button', { name: 'Stop using the agent type explore' }).click();
    await expect.poll(() => page.getByRole('switch', { name: 'Managed' }).getAttribute('aria-checked')).toBe('false');
    expect((await (await chat.server.fetch(`/api/sessions/${tryId}/state`)).json()).agentType).toBeNull();
    expect(errors).toEqual([]);
    await close();
  });

  it('shows a background child as such, and says when its result reached the model', async () => {
    const chat = await startChat();
    await chat.server.server.context.workspace.settings.patch({ permissions: { rules: ['allow agent'] } });
    scriptConversations(chat.mock, {
      'START-BACKGROUND': [
        { toolCalls: [agentCall({ description: 'Index the notes', prompt: 'BG-INDEX', background: true })] },
        (request) => {
          const childId = /Started agent (ses_\w+)/.exec(JSON.stringify(request.body.messages))![1]!;
          return { toolCalls: [{ name: 'agent_wait', input: { ids: [childId] } }] };
        },
        { text: 'The index is ready.' },
      ],
      'BG-INDEX': [{ text: 'Indexed 3 notes.', firstChunkDelayMs: 300 }],
    });
    const { page, errors, close } = await browser.open(PHONE, 'dark');
    await page.goto(`${chat.server.url}/chat`);
    await page.getByRole('textbox', { name: 'Message' }).fill('START-BACKGROUND');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByText('The index is ready.').count(), { timeout: 20_000 }).toBe(1);
    const background = card(page, 'Index the notes');
    expect(await background.textContent()).toContain('background');
    expect(await status(page, 'Index the notes')).toBe('Finished');
    await expect
      .poll(() =>
        page.getByText('The background agent “Index the notes” finished; its result went to the model.').count(),
      )
      .toBe(1);
    await background.getByRole('button', { name: 'Details' }).click();
    expect(await background.textContent()).toContain('Indexed 3 notes.');
    await screenshot(page, 'phone-chat-agents-background-dark');
    expect(errors).toEqual([]);
    await close();
  });

  it('merges a child’s kept worktree from its card (after showing git’s refusal) and discards another', async () => {
    const root = await tempDir('boxagnts-git-');
    await git('git', ['init', '-q', '-b', 'main'], { cwd: root });
    await writeFile(join(root, 'README.md'), 'hello\n');
    await writeFile(join(root, '.gitignore'), '.boxagnts/\n');
    await git('git', ['add', '.'], { cwd: root });
    await git('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'init'], { cwd: root });
    const chat = await startChat({ workspaceDir: root });
    await chat.server.server.context.workspace.settings.patch({
      permissions: { rules: ['allow agent', 'allow write'] },
    });
    scriptConversations(chat.mock, {
      'SPLIT-WORK': [
        {
          toolCalls: [
            agentCall({ description: 'Add the feature', prompt: 'WT-FEATURE', isolation: 'worktree' }),
            agentCall({ description: 'Try a rewrite', prompt: 'WT-REWRITE', isolation: 'worktree' }),
          ],
        },
        { text: 'Two branches are ready for you.' },
      ],
      'WT-FEATURE': [
        { toolCalls: [{ name: 'write', input: { file_path: 'feature.txt', content: 'new feature\n' } }] },
        { text: 'Wrote feature.txt.' },
      ],
      'WT-REWRITE': [
        { toolCalls: [{ name: 'write', input: { file_path: 'README.md', content: 'rewritten\n' } }] },
        { text: 'Rewrote the README.' },
      ],
    });
    const id = await chat.newSession();
    const { page, errors, close } = await browser.open(DESKTOP, 'dark');
    await page.goto(`${chat.server.url}/chat/${id}`);
    await page.getByRole('textbox', { name: 'Message' }).fill('SPLIT-WORK');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByText('Two branches are ready for you.').count(), { timeout: 20_000 }).toBe(1);

    const feature = card(page, 'Add the feature');
    const events = (await chat.session(id)).events as { type: string; childId?: string; description?: string }[];
    const childOf = (description: string) =>
      events.find((e) => e.type === 'agent.spawned' && e.description === description)!.childId!;
    expect(await feature.getByTestId('child-worktree').textContent()).toContain(
      `boxagnts/${childOf('Add the feature')}`,
    );
    expect(await feature.getByTestId('child-worktree').textContent()).toMatch(/feature\.txt \| 1 \+/);

    // A file in the way: git refuses, and the card says why.
    await writeFile(join(root, 'feature.txt'), 'mine\n');
    await feature.getByRole('button', { name: 'Merge' }).click();
    await expect
      .poll(() => feature.getByRole('alert').textContent(), { timeout: 10_000 })
      .toMatch(/^git merge failed: .*untracked working tree files would be overwritten.*\s+feature\.txt/s);
    await screenshot(page, 'desktop-chat-agents-worktree-dark');
    await git('git', ['clean', '-fq', 'feature.txt'], { cwd: root });
    await feature.getByRole('button', { name: 'Merge' }).click();
    await expect
      .poll(() => feature.getByRole('status').textContent(), { timeout: 10_000 })
      .toContain('into the checkout');
    expect(await readFile(join(root, 'feature.txt'), 'utf8')).toBe('new feature\n');
    expect(await feature.getByRole('button', { name: 'Merge' }).count()).toBe(0);

    const rewrite = card(page, 'Try a rewrite');
    await rewrite.getByRole('button', { name: 'Discard' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Discard' }).click();
    await expect.poll(() => rewrite.getByRole('status').textContent(), { timeout: 10_000 }).toContain('Discarded');
    expect(await readFile(join(root, 'README.md'), 'utf8')).toBe('hello\n');
    expect(existsSync(join(root, '.boxagnts', 'worktrees', childOf('Try a rewrite')))).toBe(false);

    // After a reload the cards say what was done, from the session's events.
    await page.reload();
    await expect.poll(() => card(page, 'Add the feature').getByRole('status').textContent()).toContain('Merged');
    expect(await card(page, 'Try a rewrite').getByRole('status').textContent()).toContain('Discarded');
    expect(errors.filter((e) => !/status of 409/.test(e))).toEqual([]);
    await close();
  }, 90_000);
});
