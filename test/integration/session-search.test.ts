import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startChat } from '../helpers/chat';

describe('search across sessions', () => {
  it('finds sessions by the words of their messages, with a snippet, keeps up with new messages and rebuilds a lost index', async () => {
    const chat = await startChat();
    const a = await chat.newSession();
    const b = await chat.newSession();
    chat.mock.enqueue({ text: 'The flux capacitor needs 1.21 gigawatts.' }, { text: 'Nothing to see.' });
    await chat.run(a, 'How much power does it need?');
    await chat.run(b, 'Tell me about the weather');
    const search = async (q: string) =>
      (await (await chat.server.fetch(`/api/sessions?q=${encodeURIComponent(q)}`)).json()) as {
        sessions: { id: string; snippet?: string }[];
      };

    const found = await search('GIGAWATTS');
    expect(found.sessions.map((s) => s.id)).toEqual([a]);
    expect(found.sessions[0]!.snippet).toContain('1.21 gigawatts');
    // The user's words count too, and titles as before.
    expect((await search('weather')).sessions.map((s) => s.id)).toEqual([b]);

    chat.mock.enqueue({ text: 'Delorean parts are in aisle nine.' });
    await chat.run(b, 'Where are the parts?');
    expect((await search('aisle nine')).sessions.map((s) => s.id)).toEqual([b]);

    const dir = chat.server.server.context.workspace.paths.cacheDir;
    await chat.server.close();
    await rm(join(dir, 'session-search.json'), { force: true });
    const reopened = await startChat({ workspaceDir: chat.server.server.context.workspace.paths.root });
    const again = (await (await reopened.server.fetch('/api/sessions?q=gigawatts')).json()) as {
      sessions: { id: string }[];
    };
    expect(again.sessions.map((s) => s.id)).toEqual([a]);
  });
});
