import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../fixtures/mock-model/server';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { startChat } from '../helpers/chat';
import { startTestServer } from '../helpers/server';
import { tempDir } from '../helpers/workspace';

const browser = useBrowser();

const REVIEWER = `---
name: reviewer
description: Reviews a change for bugs and risky patterns.
tools: [read, grep, Frobnicate]
permissionMode: plan
maxTurns: 8
---
Read the diff and list what could break.
`;

/** Claude Code's own format: a comma-separated tools string, its tool names, keys boxagnts ignores. */
const HELPER = `---
name: helper
description: Answers questions about the code.
tools: Read, Grep
model: inherit
color: blue
---
Answer briefly.
`;

/** A workspace with one agent file of its own, one that cannot load, and one of Claude Code's. */
async function agentWorkspace(): Promise<string> {
  const dir = await tempDir('boxagnts-ws-');
  await mkdir(join(dir, '.boxagnts', 'agents'), { recursive: true });
  await mkdir(join(dir, '.claude', 'agents'), { recursive: true });
  await writeFile(join(dir, '.boxagnts', 'agents', 'reviewer.md'), REVIEWER);
  await writeFile(join(dir, '.boxagnts', 'agents', 'broken.md'), '---\nname: broken\n---\nNo description.\n');
  await writeFile(join(dir, '.claude', 'agents', 'helper.md'), HELPER);
  return dir;
}

const row = (page: Page, name: string) =>
  page
    .getByRole('list', { name: 'Agent types' })
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name, exact: true }) });

const sideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('Agents page', () => {
  it('lists every agent type with where it comes from, and the files that failed or are shadowed', async () => {
    const workspaceDir = await agentWorkspace();
    await writeFile(
      join(workspaceDir, '.claude', 'agents', 'reviewer.md'),
      REVIEWER.replace('Reviews', 'Also reviews'),
    );
    const server = await startTestServer({ workspaceDir });
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${server.url}/agents`);

    await expect.poll(() => row(page, 'reviewer').textContent()).toContain('.boxagnts/agents/reviewer.md');
    const reviewer = (await row(page, 'reviewer').textContent())!;
    expect(reviewer).toContain('Workspace');
    expect(reviewer).toContain('Plan (read only)');
    expect(reviewer).toContain('8 turns');
    expect(reviewer).toMatch(/Frobnicate \(no such tool\)/);
    expect(reviewer).toContain('Frobnicate matches no tool of this workspace');
    const helper = (await row(page, 'helper').textContent())!;
    expect(helper).toContain('Claude Code');
    expect(helper).toContain('.claude/agents/helper.md');
    // Claude Code's tool names read as ours.
    expect(helper).toMatch(/Tools\s*readgrep/);
    expect(helper).not.toContain('no such tool');
    for (const name of ['general', 'explore', 'plan', 'manager'])
      expect(await row(page, name).textContent()).toContain('Built-in');
    expect(await row(page, 'explore').textContent()).toContain('workspace mounted read-only');
    expect(await row(page, 'reviewer').getByRole('link', { name: 'Edit reviewer' }).count()).toBe(1);
    expect(await row(page, 'helper').getByRole('link', { name: 'Copy helper to the workspace' }).count()).toBe(1);

    const invalid = page.getByRole('region', { name: 'Agent files that did not load' });
    expect(await invalid.textContent()).toMatch(/\.boxagnts\/agents\/broken\.md.*description/);
    const shadowed = page.getByRole('region', { name: 'Files not used' });
    expect(await shadowed.textContent()).toMatch(/\.claude\/agents\/reviewer\.md.*\.boxagnts\/agents\/reviewer\.md/);

    await row(page, 'reviewer').getByText('Instructions').click();
    await expect.poll(() => row(page, 'reviewer').textContent()).toContain('Read the diff and list what could break.');
    await screenshot(page, 'desktop-agents-list');
    expect(errors).toEqual([]);
    await close();
  });

  it('creates, edits and deletes an agent through the form, showing what the server refuses beside its field', async () => {
    const workspaceDir = await agentWorkspace();
    const server = await startTestServer({ workspaceDir });
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${server.url}/agents`);
    await page.getByRole('button', { name: 'New agent' }).click();
    await page.waitForURL('**/agents/new');

    const form = page.getByRole('form', { name: 'New agent' });
    const name = form.getByRole('textbox', { name: 'Name', exact: true });
    await expect.poll(() => name.evaluate((el) => el === document.activeElement)).toBe(true);
    await name.fill('Doc Writer');
    await form.getByRole('textbox', { name: 'Description' }).fill('Writes documentation for a module.');
    await form.getByRole('radio', { name: 'Only these' }).click();
    const tools = form.getByRole('combobox', { name: 'Tools: name to add', exact: true });
    await tools.fill('read, glob');
    await tools.press('Enter');
    // Enter in a list field adds the names; it does not submit the form.
    expect(await form.getByRole('alert').count()).toBe(0);
    await tools.fill('Nonesuch');
    await form.getByRole('button', { name: 'Add to tools', exact: true }).click();
    expect(await form.getByRole('list', { name: 'Tools', exact: true }).textContent()).toMatch(
      /read.*glob.*Nonesuch \(no such tool\)/,
    );
    await form.getByRole('button', { name: 'Remove Nonesuch from tools' }).click();
    await form.getByRole('textbox', { name: 'Model' }).fill('mock/mock-model');
    await form.getByRole('combobox', { name: 'Permission mode' }).selectOption('acceptEdits');
    await form.getByRole('spinbutton', { name: 'Max turns' }).fill('5000');
    await form.getByRole('radio', { name: 'Git worktree' }).click();
    await form.getByRole('textbox', { name: 'Instructions' }).fill('# Docs\n\nWrite the README section.');

    // A name the contract refuses (submitted with Enter): said beside the field, and nothing typed is lost.
    await name.press('Enter');
    const nameError = form.getByRole('alert').filter({ hasText: 'lower-case letters' });
    await expect.poll(() => nameError.count()).toBe(1);
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    expect(await name.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await form.getByRole('textbox', { name: 'Instructions' }).inputValue()).toContain('Write the README');
    await screenshot(page, 'desktop-agents-form-error');

    // A value only the server checks: its message lands beside that field.
    await name.fill('doc-writer');
    await form.getByRole('button', { name: 'Create agent' }).click();
    const turns = page.getByRole('spinbutton', { name: 'Max turns' });
    await expect.poll(() => turns.getAttribute('aria-invalid')).toBe('true');
    // The refused field takes the focus, so a keyboard user lands on what to fix.
    expect(await turns.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await page.getByRole('alert').filter({ hasText: '1000' }).count()).toBe(1);
    expect(existsSync(join(workspaceDir, '.boxagnts', 'agents', 'doc-writer.md'))).toBe(false);
    expect(await name.inputValue()).toBe('doc-writer');

    await turns.fill('12');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.waitForURL('**/agents/edit/doc-writer');
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain('Saved to .boxagnts/agents/doc-writer.md');
    const file = join(workspaceDir, '.boxagnts', 'agents', 'doc-writer.md');
    const written = await readFile(file, 'utf8');
    expect(written).toMatch(/^---\n/);
    expect(written).toContain('name: doc-writer\n');
    expect(written).toContain('description: Writes documentation for a module.\n');
    expect(written).toMatch(/tools:\n\s+- read\n\s+- glob\n/);
    expect(written).toContain('model: mock/mock-model\n');
    expect(written).toContain('permissionMode: acceptEdits\n');
    expect(written).toContain('maxTurns: 12\n');
    expect(written).toContain('isolation: worktree\n');
    expect(written).toMatch(/---\n# Docs\n\nWrite the README section.\n$/);

    // Edit it, saving from the instructions with the keyboard.
    const edit = page.getByRole('form', { name: 'Edit doc-writer' });
    expect(await edit.getByRole('button', { name: 'Saved' }).isDisabled()).toBe(true);
    await edit.getByRole('textbox', { name: 'Description' }).fill('Writes and updates documentation.');
    await edit.getByRole('combobox', { name: 'Permission mode' }).selectOption('');
    const instructions = edit.getByRole('textbox', { name: 'Instructions' });
    await instructions.focus();
    await page.keyboard.press('End');
    await page.keyboard.type(' Keep it short.');
    await page.keyboard.press('Control+s');
    await expect.poll(() => readFile(file, 'utf8')).toContain('description: Writes and updates documentation.');
    const edited = await readFile(file, 'utf8');
    expect(edited).not.toContain('permissionMode');
    expect(edited).toContain('Write the README section. Keep it short.');
    await expect.poll(() => edit.getByRole('button', { name: 'Saved' }).count()).toBe(1);
    await screenshot(page, 'desktop-agents-form-saved');

    // Delete, with a confirmation that Escape dismisses.
    await edit.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Delete doc-writer?' });
    await expect.poll(() => dialog.count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(existsSync(file)).toBe(true);
    await edit.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(/\/agents$/);
    expect(existsSync(file)).toBe(false);
    await expect.poll(() => row(page, 'reviewer').count()).toBe(1);
    expect(await row(page, 'doc-writer').count()).toBe(0);
    // The one refused save is the only failed request.
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    expect(errors).toHaveLength(1);
    await close();
  });

  it('copies a read-only agent to the workspace, where it takes its place', async () => {
    const workspaceDir = await agentWorkspace();
    const server = await startTestServer({ workspaceDir });
    const { page, errors, close } = await browser.open(DESKTOP, 'dark');
    await page.goto(`${server.url}/agents`);
    await row(page, 'helper').getByRole('link', { name: 'Copy helper to the workspace' }).click();
    await page.waitForURL('**/agents/edit/helper');
    const form = page.getByRole('form', { name: 'Customise helper' });
    await expect
      .poll(() => form.getByRole('textbox', { name: 'Description' }).inputValue())
      .toBe('Answers questions about the code.');
    expect(await form.getByRole('list', { name: 'Tools', exact: true }).textContent()).toMatch(/read.*grep/);
    await screenshot(page, 'desktop-agents-copy-dark');
    await form.getByRole('button', { name: 'Save to the workspace' }).click();
    await expect.poll(() => page.getByRole('form', { name: 'Edit helper' }).count()).toBe(1);
    expect(await readFile(join(workspaceDir, '.boxagnts', 'agents', 'helper.md'), 'utf8')).toMatch(
      /tools:\n\s+- read\n\s+- grep\n[\s\S]*Answer briefly\./,
    );
    await page.getByRole('button', { name: 'Delete' }).click();
    await expect
      .poll(() => page.getByRole('alertdialog', { name: 'Delete helper?' }).textContent())
      .toContain('.claude/agents/helper.md is used for helper again');
    await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).last().click();
    await page.getByRole('link', { name: 'Agents', exact: true }).first().click();
    await expect.poll(() => row(page, 'helper').textContent()).toContain('.boxagnts/agents/helper.md');
    expect(await page.getByRole('region', { name: 'Files not used' }).textContent()).toContain(
      '.claude/agents/helper.md',
    );
    await screenshot(page, 'desktop-agents-list-dark');
    expect(errors).toEqual([]);
    await close();
  });

  it('"Try it" opens a chat whose runs take that agent type', async () => {
    const server = await startTestServer({ workspaceDir: await agentWorkspace() });
    const { page, errors, close } = await browser.open(PHONE);
    await page.goto(`${server.url}/agents`);
    await expect.poll(() => row(page, 'reviewer').count()).toBe(1);
    expect(await sideways(page)).toBe(0);
    await screenshot(page, 'phone-agents-list');
    await row(page, 'reviewer').getByRole('button', { name: 'Try reviewer in a new chat' }).click();
    await page.waitForURL(/\/chat\/ses_/);
    const id = new URL(page.url()).pathname.split('/').at(-1)!;
    const state = (await (await server.fetch(`/api/sessions/${id}/state`)).json()) as { agentType: string | null };
    expect(state.agentType).toBe('reviewer');
    const session = (await (await server.fetch(`/api/sessions/${id}`)).json()) as { session: { title: string } };
    expect(session.session.title).toBe('Try reviewer');
    expect(errors).toEqual([]);
    await close();
  });

  it('is usable on a phone: the form fits and every control is named', async () => {
    const server = await startTestServer({ workspaceDir: await agentWorkspace() });
    for (const scheme of ['light', 'dark'] as const) {
      const { page, errors, close } = await browser.open(PHONE, scheme);
      await page.goto(`${server.url}/agents/edit/reviewer`);
      const form = page.getByRole('form', { name: 'Edit reviewer' });
      await expect.poll(() => form.getByRole('textbox', { name: 'Description' }).inputValue()).toContain('Reviews');
      expect(await sideways(page)).toBe(0);
      const unnamed = await form.evaluate((el) =>
        Array.from(el.querySelectorAll('input, select, textarea, button'))
          .filter((control) => {
            const labelled = control.getAttribute('aria-label') || (control as HTMLInputElement).labels?.length;
            return !labelled && !control.textContent?.trim();
          })
          .map((control) => control.outerHTML),
      );
      expect(unnamed).toEqual([]);
      await screenshot(page, `phone-agents-form-${scheme}`);
      await page.goto(`${server.url}/agents`);
      await expect.poll(() => row(page, 'reviewer').count()).toBe(1);
      await screenshot(page, `phone-agents-list-${scheme}`);
      expect(errors).toEqual([]);
      await close();
    }
  });

  it('shows a running child with its parent, keeps it current, and stops it', async () => {
    const chat = await startChat();
    await chat.server.server.context.workspace.settings.patch({ permissions: { mode: 'bypass' } });
    const childPrompt = 'CHILD TASK: count the words';
    const isChild = (request: RecordedRequest) => JSON.stringify(request.body.messages).includes(childPrompt);
    const toolResults = (request: RecordedRequest) => JSON.stringify(request.body.messages).includes('"role":"tool"');
    // The parent's second request quotes the child's prompt in its tool call, so tool results are checked first.
    chat.mock.setFallback((request) =>
      toolResults(request)
        ? { text: 'Started a helper.' }
        : isChild(request)
          ? { text: 'Counting', stallAfterChunks: 1 }
          : {
              toolCalls: [
                {
                  name: 'agent',
                  input: { description: 'Count words', prompt: childPrompt, agent_type: 'explore', background: true },
                },
              ],
            },
    );
    const parent = await chat.newSession();
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${chat.server.url}/agents/running`);
    await expect.poll(() => page.getByText('No agents have run yet').count()).toBe(1);
    await screenshot(page, 'desktop-agents-running-empty');

    await chat.run(parent, 'Start a helper');
    const going = page.getByRole('region', { name: 'Going on' });
    await expect.poll(() => going.textContent(), { timeout: 10_000 }).toContain('Count words');
    expect(await going.textContent()).toContain('explore');
    expect(await page.getByRole('link', { name: 'Running (1)' }).count()).toBe(1);
    const childLink = going.getByRole('link', { name: 'Open its chat' });
    expect(await childLink.getAttribute('href')).toMatch(/^\/chat\/ses_/);
    const parentLink = going.getByRole('link').filter({ hasNotText: 'Open its chat' });
    expect(await parentLink.getAttribute('href')).toBe(`/chat/${parent}`);
    await expect.poll(() => going.textContent(), { timeout: 10_000 }).toContain('Running');
    await screenshot(page, 'desktop-agents-running');

    await going.getByRole('button', { name: 'Stop explore agent: Count words' }).click();
    const finished = page.getByRole('region', { name: 'Recently finished' });
    await expect.poll(() => finished.textContent(), { timeout: 10_000 }).toContain('Count words');
    expect(await finished.textContent()).toContain('Stopped');
    expect(await going.count()).toBe(0);
    expect(await page.getByText('No agent is running now.').count()).toBe(1);
    await screenshot(page, 'desktop-agents-running-stopped');
    expect(errors).toEqual([]);
    await close();

    const phone = await browser.open(PHONE, 'dark');
    await phone.page.goto(`${chat.server.url}/agents/running`);
    await expect.poll(() => phone.page.getByRole('region', { name: 'Recently finished' }).count()).toBe(1);
    expect(await sideways(phone.page)).toBe(0);
    await screenshot(phone.page, 'phone-agents-running-dark');
    expect(phone.errors).toEqual([]);
    await phone.close();
  });
});
