import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageLog, type UsageRecord } from '../../src/workspace/usage-log';
import { tempDir } from '../helpers/workspace';

const call = (costUsd: number, extra: Partial<UsageRecord> = {}): UsageRecord => ({
  time: '2026-03-01T10:00:00.000Z',
  sessionId: 'ses_1',
  provider: 'p',
  model: 'm',
  inputTokens: 100,
  outputTokens: 10,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  costUsd,
  ...extra,
});

const newLog = async () => new UsageLog(join(await tempDir(), 'usage.jsonl'));

describe('UsageLog', () => {
  it('counts only lines that are whole usage records: a damaged or cut line leaves the totals numbers', async () => {
    const log = await newLog();
    await log.append(call(0.5));
    const { costUsd: _cost, ...withoutCost } = call(1);
    await appendFile(log.file, `${JSON.stringify(withoutCost)}\n{"time": "2026-03-01T1\n`);
    await log.append(call(0.25));

    const { total, groups } = await log.query({ groupBy: 'day' });
    expect(total).toEqual({
      calls: 2,
      inputTokens: 200,
      outputTokens: 20,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0.75,
      unpricedCalls: 0,
      cacheHitRate: 0,
    });
    expect(groups).toEqual([{ key: '2026-03-01', ...total }]);
  });

  it('reads a missing file as no usage', async () => {
    const log = await newLog();
    expect((await log.query({ groupBy: 'model' })).total).toMatchObject({ calls: 0, cacheHitRate: null });
  });

  it('counts a call without a price as unknown, and reads records written before prices could be unknown', async () => {
    const log = await newLog();
    await log.append(call(0.5, { model: 'priced' }));
    await log.append(call(0, { model: 'free', costKnown: false }));
    // A record of an older version: no costKnown field, so its cost is what it says.
    await appendFile(log.file, `${JSON.stringify(call(0.125, { model: 'old' }))}\n`);
    const { total, groups } = await log.query({ groupBy: 'model' });
    expect(total).toMatchObject({ calls: 3, costUsd: 0.625, unpricedCalls: 1 });
    expect(groups.map((g) => [g.key, g.costUsd, g.unpricedCalls])).toEqual([
      ['p/priced', 0.5, 0],
      ['p/old', 0.125, 0],
      ['p/free', 0, 1],
    ]);
  });

  it('gives the cache hit rate as cache-read tokens over input tokens', async () => {
    const log = await newLog();
    await log.append(call(0, { inputTokens: 1000, cacheReadTokens: 750 }));
    await log.append(call(0, { inputTokens: 1000, cacheReadTokens: 0 }));
    expect((await log.query({ groupBy: 'day' })).total.cacheHitRate).toBe(0.375);
  });

  it('rolls every child and grandchild up into its top-level session, and lists them under it', async () => {
    const log = await newLog();
    await log.append(call(1, { sessionId: 'top' }));
    await log.append(call(2, { sessionId: 'child', parentSessionId: 'top', agentType: 'general' }));
    await log.append(call(4, { sessionId: 'grand', parentSessionId: 'child', agentType: 'explore' }));
    // The index knows a parent the records do not say (here: a child with no call of its own in the range).
    await log.append(call(8, { sessionId: 'late', time: '2026-03-05T10:00:00.000Z' }));
    await log.append(call(16, { sessionId: 'other' }));
    const parents: Record<string, string> = { late: 'top' };
    const { total, groups } = await log.query({
      groupBy: 'session',
      parentOf: (id) => parents[id],
    });
    expect(total.costUsd).toBe(31);
    expect(groups.map((g) => [g.key, g.costUsd, g.calls])).toEqual([
      ['other', 16, 1],
      ['top', 15, 4],
    ]);
    expect(groups[0]!.children).toEqual([]);
    expect(groups[1]!.children!.map((c) => [c.sessionId, c.parentSessionId, c.agentType, c.costUsd])).toEqual([
      ['late', 'top', undefined, 8],
      ['grand', 'child', 'explore', 4],
      ['child', 'top', 'general', 2],
    ]);
  });

  it('learns a parent from a record outside the range, and survives a loop of parents', async () => {
    const log = await newLog();
    await log.append(call(1, { sessionId: 'child', parentSessionId: 'top', time: '2026-01-01T00:00:00.000Z' }));
    await log.append(call(2, { sessionId: 'grand', parentSessionId: 'child' }));
    await log.append(call(4, { sessionId: 'a', parentSessionId: 'b' }));
    await log.append(call(8, { sessionId: 'b', parentSessionId: 'a' }));
    const { groups } = await log.query({ groupBy: 'session', from: '2026-02-01' });
    expect(groups.map((g) => [g.key, g.calls, g.children!.map((c) => c.sessionId)])).toEqual([
      // A loop ends where it comes back: one of its sessions stands as the top.
      ['a', 2, ['b']],
      ['top', 1, ['grand']],
    ]);
  });

  it('groups by agent type, the plain agent apart', async () => {
    const log = await newLog();
    await log.append(call(1));
    await log.append(call(2, { agentType: 'general' }));
    await log.append(call(4, { agentType: 'general' }));
    const { groups } = await log.query({ groupBy: 'agent' });
    expect(groups.map((g) => [g.key, g.calls, g.costUsd])).toEqual([
      ['general', 2, 6],
      ['(plain)', 1, 1],
    ]);
  });

  it('counts days in the given time zone and keeps [from, to) half open', async () => {
    const log = await newLog();
    await log.append(call(1, { time: '2026-03-01T23:30:00.000Z' }));
    await log.append(call(2, { time: '2026-03-02T00:00:00.000Z' }));
    await log.append(call(4, { time: '2026-10-25T00:30:00.000Z' }));
    const utc = await log.query({ groupBy: 'day' });
    expect(utc.groups.map((g) => [g.key, g.costUsd])).toEqual([
      ['2026-03-01', 1],
      ['2026-03-02', 2],
      ['2026-10-25', 4],
    ]);
    const berlin = await log.query({ groupBy: 'day', timeZone: 'Europe/Berlin' });
    expect(berlin.groups.map((g) => [g.key, g.costUsd])).toEqual([
      ['2026-03-02', 3],
      ['2026-10-25', 4],
    ]);
    const newYork = await log.query({ groupBy: 'day', timeZone: 'America/New_York' });
    expect(newYork.groups.map((g) => g.key)).toEqual(['2026-03-01', '2026-10-24']);
    const ranged = await log.query({
      groupBy: 'day',
      from: '2026-03-01T23:30:00.000Z',
      to: '2026-03-02T00:00:00.000Z',
    });
    expect(ranged.total.costUsd).toBe(1);
  });
});
