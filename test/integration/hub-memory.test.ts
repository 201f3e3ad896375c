import { describe, expect, it } from 'vitest';
import type { StampedEvent } from '../../src/contract/events';
import { startTestServer } from '../helpers/server';

/** Counts, not bytes: what the hub holds returns to nothing when nobody watches and nothing runs. */
describe('the session hub keeps only live sessions', () => {
  it('holds a session while it is watched or running, and not for an event that comes after both', async () => {
    const s = await startTestServer();
    const { hub, sessions } = s.server.context.runtime;
    const { id } = await sessions.create();
    let seq = 0;
    const event = (): StampedEvent => ({
      type: 'session.titled',
      title: `title ${++seq}`,
      id: seq,
      time: new Date().toISOString(),
    });
    expect(hub.liveSessions).toBe(0);

    const seen: StampedEvent[] = [];
    const unsubscribe = await hub.subscribe(id, 0, (e) => seen.push(e));
    hub.publish(id, event());
    expect(hub.liveSessions).toBe(1);
    expect(seen).toHaveLength(1);
    unsubscribe();
    expect(hub.liveSessions).toBe(0);

    // A title found after the run, with its watcher gone: stored in the file, held by no one.
    hub.publish(id, event());
    expect(hub.liveSessions).toBe(0);

    hub.setRunning(id, 'run_1', true);
    hub.publish(id, event());
    expect(hub.liveSessions).toBe(1);
    hub.setRunning(id, 'run_1', false);
    expect(hub.liveSessions).toBe(0);
  });
});
