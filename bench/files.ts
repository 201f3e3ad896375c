import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { silentLogger } from '../src/log';
import { startServer } from '../src/server/serve';
import { type Bench, type Metric, median, percentile, round, timeEach } from './lib';
import { benchWorkspace } from './processes';

/** Only the count is checked, not each entry, so the timing stays the server's. */
const ListingSchema = z.object({ entries: z.array(z.unknown()) });

const ENTRIES = 10_000;

/** The file API over a folder of 10,000 entries, through HTTP as the dashboard calls it. */
export const filesBench: Bench = {
  name: 'files',
  async run(): Promise<Metric[]> {
    const dir = await benchWorkspace();
    const big = join(dir, 'big');
    await mkdir(big);
    for (let i = 0; i < ENTRIES; i += 500) {
      await Promise.all(
        Array.from({ length: 500 }, (_, j) =>
          (i + j) % 10 === 0
            ? mkdir(join(big, `folder-${i + j}`))
            : writeFile(join(big, `file-${i + j}.txt`), `entry ${i + j}\n`),
        ),
      );
    }
    const server = await startServer({ host: '127.0.0.1', port: 0, logger: silentLogger, workspaceDir: dir });
    const list = async () => {
      const response = await fetch(`${server.url}/api/files?path=big`);
      const body = ListingSchema.parse(await response.json());
      if (body.entries.length !== ENTRIES) throw new Error(`listed ${body.entries.length} entries, not ${ENTRIES}`);
      return response;
    };
    try {
      const first = await timeEach(1, list);
      await timeEach(5, list);
      const warm = await timeEach(30, list);
      const size =
        Number((await fetch(`${server.url}/api/files?path=big`)).headers.get('content-length')) ||
        (await (await fetch(`${server.url}/api/files?path=big`)).text()).length;
      return [
        {
          name: `list a folder of ${ENTRIES.toLocaleString('en')} entries (p50)`,
          value: round(median(warm), 1),
          unit: `ms (p95 ${round(percentile(warm, 95), 1)} ms, first ${round(first[0]!, 1)} ms, ${round(size / 1024)} KB JSON)`,
        },
      ];
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
