/** The forwarder script in dist/ (built from net-forwarder-main.ts by scripts/build.mjs). */
export const FORWARDER_FILE = 'host-net-forwarder.js';

/** Where the proxy's socket and the forwarder appear inside the sandbox. `.mjs`: no package.json there says ESM. */
export const SANDBOX_NET_SOCKET = '/run/boxagnts/net.sock';
export const SANDBOX_FORWARDER = '/run/boxagnts/forwarder.mjs';

/** Squid's port, which some tools assume for a proxy; inside the sandbox's own network namespace it is always free. */
export const DEFAULT_FORWARDER_PORT = 3128;

/** Folders the sandbox already has read-only (bound by the runner), where a program is visible without a bind. */
const SYSTEM_FOLDERS = ['/usr/', '/bin/', '/sbin/', '/lib/', '/lib64/', '/lib32/', '/libx32/'];

export interface ForwarderLaunch {
  /** Binds of the proxy's socket, the forwarder and (when outside the system folders) the Node binary. */
  bwrapArgs: string[];
  /** `node forwarder --socket … --port … --`: the program and its arguments follow. */
  argvPrefix: string[];
  /** The proxy variables, which the forwarder also sets for the program itself. */
  env: Record<string, string>;
}

/**
 * How to run a program with network inside the sandbox: the forwarder listens on 127.0.0.1:`port` in the sandbox's
 * own network namespace, pipes each connection to the proxy's Unix socket, and runs the program with the proxy
 * variables pointing at it.
 *
 * Assumes the runner binds the system folders (/usr, /bin, /lib*, /etc) read-only and binds nothing at /run: bwrap's
 * root is a fresh tmpfs, so bwrap creates /run/boxagnts itself for these binds. The socket may be bound read-only:
 * connecting to a socket needs write permission on it, which a read-only mount does not take away.
 */
export function forwarderLaunch(options: {
  socketPath: string;
  forwarderScript: string;
  nodeBinary: string;
  port?: number;
}): ForwarderLaunch {
  const port = options.port ?? DEFAULT_FORWARDER_PORT;
  const node = options.nodeBinary;
  const nodeVisible = SYSTEM_FOLDERS.some((folder) => node.startsWith(folder));
  return {
    bwrapArgs: [
      '--ro-bind',
      options.socketPath,
      SANDBOX_NET_SOCKET,
      '--ro-bind',
      options.forwarderScript,
      SANDBOX_FORWARDER,
      ...(nodeVisible ? [] : ['--ro-bind', node, node]),
    ],
    argvPrefix: [node, SANDBOX_FORWARDER, '--socket', SANDBOX_NET_SOCKET, '--port', String(port), '--'],
    env: proxyEnvironment(port),
  };
}

/**
 * The variables through which programs find a proxy. Lower case matters (curl, and so git, reads only `http_proxy`
 * for http). NO_PROXY names the sandbox's own loopback, replacing any the environment brought: a server the command
 * started itself (a test suite's, a dev server) is reached directly, and every other request goes to the proxy.
 * NODE_USE_ENV_PROXY makes Node's own fetch and http use them (Node 24 and later).
 */
export function proxyEnvironment(port: number): Record<string, string> {
  const url = `http://127.0.0.1:${port}`;
  return {
    HTTP_PROXY: url,
    HTTPS_PROXY: url,
    ALL_PROXY: url,
    http_proxy: url,
    https_proxy: url,
    all_proxy: url,
    NO_PROXY: 'localhost,127.0.0.1,::1',
    no_proxy: 'localhost,127.0.0.1,::1',
    NODE_USE_ENV_PROXY: '1',
  };
}
