import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageLog } from '../../src/workspace/usage-log';
import { tempDir } from '../helpers/workspace';

const call = (costUsd: number) => ({
  time: '2026-03-01T10:00:00.000Z',
  sessionId: 'ses_1',
  provider: 'p',
  model: 'm',
  inputTokens: 100,
  outputTokens: 10,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  costUsd,
});

describe('UsageLog', () => {
  it('counts only lines that are whole usage records: a damaged or cut line leaves the totals numbers', async () => {
    const log = new UsageLog(join(await tempDir(), 'usage.jsonl'));
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
    });
    expect(groups).toEqual([{ key: '2026-03-01', ...total }]);
  });

  it('reads a missing file as no usage', async () => {
    const log = new UsageLog(join(await tempDir(), 'usage.jsonl'));
    expect((await log.query({ groupBy: 'model' })).total.calls).toBe(0);
  });
});
