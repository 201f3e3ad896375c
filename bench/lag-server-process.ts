// The real server in its own process, reporting its event-loop delay histogram when asked over IPC.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { silentLogger } from '../src/log';
import { startServer } from '../src/server/serve';

const server = await startServer({
  workspaceDir: process.env.WORKSPACE!,
  host: '127.0.0.1',
  port: 0,
  logger: silentLogger,
});
const histogram = monitorEventLoopDelay({ resolution: 10 });
process.on('message', (message: string) => {
  if (message === 'reset') histogram.reset();
  if (message === 'enable') histogram.enable();
  if (message === 'report') {
    histogram.disable();
    process.send!({
      p50: histogram.percentile(50) / 1e6,
      p99: histogram.percentile(99) / 1e6,
      max: histogram.max / 1e6,
    });
  }
});
process.send!({ url: server.url });
// A normal exit, so --cpu-prof (BENCH_PROF=1) can write its profile.
process.on('SIGTERM', () => process.exit(0));
