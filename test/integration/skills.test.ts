import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StampedEvent } from '../../src/contract/events';
import { silentLogger } from '../../src/log';
import { type AgentRuntime, createRuntime } from '../../src/runtime/runtime';
import { type Workspace, openWorkspace } from '../../src/workspace/workspace';
import type { MockModelServer } from '../fixtures/mock-model/server';
import { mockProviderSettings, startMock } from '../helpers/chat';
import { tempDir } from '../helpers/workspace';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'skills', 'changelog-writer');

const runtimes: AgentRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.close()));
});

const RELEASE_NOTES = `---
name: release-notes
description: Drafts release notes for a version.
allowed-tools: bash(git status*) read
arguments:
  - name: version
    description: The version to release.
---
Draft the notes for version $version, following references/tone.md. SECRET-BODY-MARKER
`;

async function setup(): Promise<{ runtime: AgentRuntime; mock: MockModelServer; workspace: Workspace }> {
  const mock = await startMock();
  const root = await tempDir('boxagnts-skills-');
  const skill = join(root, '.boxagnts', 'skills', 'release-notes');
  await mkdir(join(skill, 'references'), { recursive: true });
  await writeFile(join(skill, 'SKILL.md'), RELEASE_NOTES);
  await writeFile(join(skill, 'references', 'tone.md'), 'Plain words, short sentences.\n');
  // A skill in the shape of a public collection's, as a repository would bring it.
  await cp(FIXTURE, join(root, '.claude', 'skills', 'changelog-writer'), { recursive: true });
  const workspace = await openWorkspace(root);
  await workspace.settings.patch(mockProviderSettings(mock));
  const runtime = await createRuntime(workspace, { logger: silentLogger, watchExtensions: false });
  runtimes.push(runtime);
  return { runtime, mock, workspace };
}

async function run(
  runtime: AgentRuntime,
  text: string,
  permissionMode: 'default' | 'bypass' = 'default',
): Promise<StampedEvent[]> {
  const session = await runtime.sessions.create();
  // Nobody watches: a call that would ask is refused at once, so what a grant lets through shows plainly.
  const spec = await runtime.workspaceSpec({ text, permissionMode }, { watched: false, unattended: 'deny' });
  await (
    await runtime.runner.start(session.id, spec)
  ).done;
  return (await runtime.sessions.read(session.id)).events;
}

/** Each call's result, in the order the model made the calls (they may complete in another). */
const results = (events: StampedEvent[]) => {
  const done = new Map(
    events
      .filter((e): e is Extract<StampedEvent, { type: 'tool.completed' }> => e.type === 'tool.completed')
      .map((e) => [e.callId, e]),
  );
  return events.filter((e) => e.type === 'tool.started').map((e) => done.get(e.callId)!);
};
const systemOf = (mock: MockModelServer, index: number) => JSON.stringify(mock.requests[index]!.body.messages[0]);

describe('skills', () => {
  it('lists skills in the system prompt, loads one on demand, and shows its folder read-only at /.skills', async () => {
    const { runtime, mock } = await setup();
    mock.enqueue(
      { toolCalls: [{ name: 'skill', input: { name: 'release-notes', arguments: 'v1.2' } }] },
      {
        toolCalls: [
          { name: 'read', input: { file_path: '/.skills/release-notes/references/tone.md' } },
          { name: 'write', input: { file_path: '/.skills/release-notes/references/tone.md', content: 'x' } },
        ],
      },
      { text: 'Drafted.' },
    );
    // Even with every permission, the skill's folder cannot be changed.
    const events = await run(runtime, 'draft the release notes', 'bypass');
    const system = systemOf(mock, 0);
    expect(system).toContain('<available_skills>');
    expect(system).toContain('- release-notes: Drafts release notes for a version.');
    expect(system).toContain('Drafts release notes for a version.');
    expect(system).toContain('- code-review: ');
    expect(system).not.toContain('SECRET-BODY-MARKER');
    // A repository's skills wait for the user's trust.
    expect(system).not.toContain('changelog-writer');

    const [loaded, read, write] = results(events);
    expect(loaded!.result.content).toContain('Draft the notes for version v1.2');
    expect(loaded!.result.content).toContain('/.skills/release-notes/references/tone.md');
    expect(loaded!.result.metadata).toMatchObject({ skill: 'release-notes', keep: true });
    expect(read!.result.content).toContain('Plain words, short sentences.');
    expect(write!.result.isError).toBe(true);
    expect(write!.result.content).toBe('/.skills/release-notes/references/tone.md is read-only.');
  });

  it('lets a skill’s allowed-tools run without asking for the rest of the run, and nothing else', async () => {
    const { runtime, mock } = await setup();
    mock.enqueue(
      { toolCalls: [{ name: 'bash', input: { command: 'git status' } }] },
      { toolCalls: [{ name: 'skill', input: { name: 'release-notes' } }] },
      {
        toolCalls: [
          { name: 'bash', input: { command: 'git status --short' } },
          { name: 'bash', input: { command: 'ls' } },
        ],
      },
      { text: 'ok' },
    );
    const events = await run(runtime, 'check the tree');
    const [before, , granted, other] = results(events);
    const refused = /approval|nobody|refused/i;
    expect(before!.result).toMatchObject({ isError: true, content: expect.stringMatching(refused) });
    // Allowed by the grant: it ran (the WebAssembly shell has no git, and says so).
    expect(granted!.result.content).not.toMatch(refused);
    expect(granted!.result.content).toMatch(/git/);
    expect(other!.result).toMatchObject({ isError: true, content: expect.stringMatching(refused) });
    expect(events.find((e) => e.type === 'skill.activated')).toMatchObject({
      name: 'release-notes',
      rules: ['allow bash(git status*)', 'allow read'],
    });
  });

  it('loads a repository’s skill copied from a public collection once the workspace trusts it', async () => {
    const { runtime, mock, workspace } = await setup();
    const before = await runtime.skills.get('changelog-writer');
    expect(before).toMatchObject({ origin: 'claude', loaded: false, path: '.claude/skills/changelog-writer' });
    await workspace.settings.patch({ skills: { trustProject: true } });
    expect(await runtime.skills.get('changelog-writer')).toMatchObject({
      loaded: true,
      allowedTools: ['Bash(git log:*)', 'Bash(git describe:*)', 'Read'],
      metadata: { author: 'boxagnts-tests', version: '1.0' },
    });
    mock.enqueue(
      { toolCalls: [{ name: 'skill', input: { name: 'changelog-writer' } }] },
      { toolCalls: [{ name: 'read', input: { file_path: '/.skills/changelog-writer/scripts/group.py' } }] },
      { text: 'ok' },
    );
    const events = await run(runtime, 'prepare the release');
    expect(systemOf(mock, 0)).toContain('- changelog-writer: ');
    const [loaded, script] = results(events);
    expect(loaded!.result.content).toContain('# Changelog writer');
    expect(loaded!.result.content).toContain('/.skills/changelog-writer/references/style-guide.md');
    expect(script!.result.content).toContain('KINDS = {');
    expect(events.find((e) => e.type === 'skill.activated')).toMatchObject({
      rules: ['allow bash(git log*)', 'allow bash(git describe*)', 'allow read'],
    });
  });

  it('runs /NAME args from the user: the prompt is the skill, the command is kept', async () => {
    const { runtime, mock } = await setup();
    mock.enqueue({ text: 'Here are the notes.' });
    const events = await run(runtime, '/release-notes v2.0');
    const user = events.find((e): e is Extract<StampedEvent, { type: 'message.user' }> => e.type === 'message.user')!;
    expect(user.command).toBe('/release-notes v2.0');
    expect(user.text).toContain('Draft the notes for version v2.0');
    expect(JSON.stringify(mock.requests[0]!.body.messages)).toContain('SECRET-BODY-MARKER');
    // Not a skill: sent as written.
    mock.enqueue({ text: 'ok' });
    const plain = await run(runtime, '/not-a-skill hello');
    expect(plain.find((e) => e.type === 'message.user')).toMatchObject({ text: '/not-a-skill hello' });
  });
});
