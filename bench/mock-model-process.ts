// A mock model server in its own process, so its work does not count against the process being measured.
// Every request streams CHUNKS text chunks, CHUNK_DELAY_MS apart. Prints the URL on stdout.
import { startMockModelServer } from '../test/fixtures/mock-model/server';

const chunks = Number(process.env.CHUNKS ?? 200);
const delay = Number(process.env.CHUNK_DELAY_MS ?? 0);
const mock = await startMockModelServer();
mock.setFallback({
  text: Array.from({ length: chunks }, (_, i) => `tok${i} `),
  chunkDelayMs: delay,
  usage: { inputTokens: 100, outputTokens: chunks },
});
process.stdout.write(`${mock.url}\n`);
