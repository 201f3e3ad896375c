import { spawn } from 'node:child_process';
import { type Socket, connect, createServer } from 'node:net';
import { constants } from 'node:os';
import { proxyEnvironment } from './net-forwarder';
import { splice } from './splice';

// Runs inside the host tier's sandbox, which has no network but its own loopback:
//   node forwarder.mjs --socket /run/boxagnts/net.sock --port 3128 -- PROGRAM ARGS...
// listens on 127.0.0.1:PORT, pipes each connection to the proxy's Unix socket, and runs PROGRAM with the proxy
// variables set. It exits with PROGRAM's status (128 + the signal's number when a signal ended it). stdout is
// PROGRAM's alone; the forwarder's own failures go to stderr, with status 125 (bad arguments, no port) or, when
// PROGRAM cannot be started, 127 (not found) and 126 (anything else), as shells do.

/** Signals a runner sends to stop a command; passed on, so PROGRAM decides how it stops. */
const FORWARDED: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

const parsed = parseArguments(process.argv.slice(2));
if (typeof parsed === 'string') fail(125, parsed);
else run(parsed);

interface Invocation {
  socket: string;
  port: number;
  program: string;
  args: string[];
}

function parseArguments(argv: string[]): Invocation | string {
  const usage = 'usage: forwarder --socket PATH --port PORT -- PROGRAM [ARGS...]';
  const end = argv.indexOf('--');
  if (end < 0) return usage;
  const options = new Map<string, string>();
  const flags = argv.slice(0, end);
  for (let i = 0; i < flags.length; i += 2) {
    const [name, value] = [flags[i], flags[i + 1]];
    if ((name !== '--socket' && name !== '--port') || value === undefined) return usage;
    options.set(name, value);
  }
  const socket = options.get('--socket');
  const port = Number(options.get('--port'));
  const [program, ...args] = argv.slice(end + 1);
  if (socket === undefined || program === undefined) return usage;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `${usage}\n--port must be a number from 1 to 65535`;
  return { socket, port, program, args };
}

function run({ socket, port, program, args }: Invocation): void {
  const server = createServer({ allowHalfOpen: true }, (client) => forward(client, socket));
  server.once('error', (error) => fail(125, `cannot listen on 127.0.0.1:${port}: ${error.message}`));
  server.listen(port, '127.0.0.1', () => {
    const child = spawn(program, args, { stdio: 'inherit', env: { ...process.env, ...proxyEnvironment(port) } });
    for (const signal of FORWARDED) process.on(signal, () => child.kill(signal));
    child.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ENOENT'
        ? fail(127, `${program}: command not found`)
        : fail(126, `${program}: cannot run: ${error.message}`),
    );
    child.once('exit', (code, signal) => {
      process.exit(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
    });
  });
}

/** One connection to the proxy per client; if the proxy cannot be reached, the client gets a proxy's answer. */
function forward(client: Socket, socketPath: string): void {
  const proxy = connect({ path: socketPath, allowHalfOpen: true });
  const unreachable = (error: Error) => {
    client.end(
      'HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\n\r\n' +
        `the sandbox network proxy cannot be reached: ${error.message}\n`,
    );
  };
  client.on('error', () => proxy.destroy());
  proxy.once('error', unreachable);
  proxy.once('connect', () => {
    proxy.off('error', unreachable);
    splice(client, proxy);
  });
}

function fail(status: number, message: string): void {
  process.stderr.write(`[sandbox] ${message}\n`, () => process.exit(status));
}
