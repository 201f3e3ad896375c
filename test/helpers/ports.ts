import { createServer } from 'node:net';

/** A loopback port nothing listens on (it was free a moment ago): for a server to take, or to be refused at. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
