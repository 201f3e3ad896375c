import './polyfills';
import { Bash } from 'just-bash/browser';
import { fromBase64 } from './base64';
import { hostBashFs } from './bash-fs';
import { withDevices } from './devices';
import { hostCall } from './host-bridge';
import { normalizePath } from './paths';

const BIG = Number.MAX_SAFE_INTEGER;
const encoder = new TextEncoder();

/**
 * `curl` inside the shell fetches through the host, so through the same network policy as web_fetch. A refusal is
 * an error curl reports, and is also noted after the command's stderr: `curl -s` would otherwise hide why a request
 * failed, and the agent would retry it.
 */
const refusals: string[] = [];

async function policyFetch(
  url: string,
  options?: { method?: string; headers?: Headers | Record<string, string>; body?: string },
) {
  const given = options?.headers as { entries?: () => Iterable<[string, string]> } | Record<string, string> | undefined;
  const headers =
    given && typeof given.entries === 'function'
      ? Object.fromEntries((given.entries as () => Iterable<[string, string]>)())
      : (given as Record<string, string> | undefined);
  const reply = hostCall('fetch', {
    url,
    method: options?.method,
    headers,
    body: options?.body,
    maxBytes: 10 * 1024 * 1024,
  });
  if (!reply.ok) {
    const message = `blocked by the sandbox network policy: ${reply.reason} (rule: ${reply.rule})`;
    refusals.push(`${url}: ${message}`);
    throw new Error(message);
  }
  const body = reply.bodyEncoding === 'utf8' ? encoder.encode(reply.body) : fromBase64(reply.body);
  return { status: reply.status, statusText: reply.statusText, headers: reply.headers, body, url: reply.finalUrl };
}

/**
 * One command line, in a fresh shell that starts in `cwd` (the only state kept between calls). The sandbox's own
 * limits (time, memory, fuel) govern; just-bash's counters are lifted so they do not stop work first.
 */
async function runCommand(input: { command: string; cwd: string }): Promise<string> {
  const cwd = normalizePath(input.cwd || '/');
  const devices = { stdout: '', stderr: '' };
  const bash = new Bash({
    fs: withDevices(hostBashFs, devices),
    cwd,
    env: {
      HOME: '/',
      PWD: cwd,
      USER: 'agent',
      SHELL: '/bin/bash',
      PATH: '/usr/local/bin:/usr/bin:/bin',
      LANG: 'C.UTF-8',
    },
    fetch: policyFetch,
    sleep: async (ms: number) => void hostCall('sleep', { ms }),
    executionLimits: {
      maxCommandCount: BIG,
      maxLoopIterations: BIG,
      maxAwkIterations: BIG,
      maxSedIterations: BIG,
      maxJqIterations: BIG,
      maxWorkUnits: BIG,
      maxCallDepth: 1000,
    },
  });
  refusals.length = 0;
  const result = await bash.exec(input.command);
  const notes = refusals.map((refusal) => `[sandbox] ${refusal}\n`).join('');
  return JSON.stringify({
    stdout: result.stdout + devices.stdout,
    stderr: result.stderr + devices.stderr + notes,
    exitCode: result.exitCode,
    cwd: result.env?.PWD ?? cwd,
  });
}

(globalThis as Record<string, unknown>).__bash = (inputJson: string) => runCommand(JSON.parse(inputJson));
