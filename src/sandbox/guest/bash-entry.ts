import './polyfills';
import { Bash, defineCommand } from 'just-bash/browser';
import { fromBase64, toBase64 } from './base64';
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

/** Variables of the shell that describe the guest, not the machine: the host tier sets its own. */
const GUEST_ONLY = new Set(['HOME', 'PWD', 'OLDPWD', 'PATH', 'USER', 'SHELL', 'LANG']);

/** What stopped a program of the machine during this line, if anything: reported with the line's result. */
let hostLimit: { limitHit: string; limitDetail?: string | undefined } | undefined;

const bytesOf = (latin1: string) => {
  const bytes = new Uint8Array(latin1.length);
  for (let i = 0; i < latin1.length; i += 1) bytes[i] = latin1.charCodeAt(i) & 0xff;
  return bytes;
};

function latin1Of(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return text;
}

/**
 * A program of this machine (git, node, python3, …) as a command of the shell: it runs in the host tier, outside
 * this sandbox but inside an OS sandbox, with this command's arguments, folder, exported variables and input, and
 * takes part in pipes and redirects like any other command. The host decides whether it may run at all.
 */
function hostProgram(name: string) {
  return defineCommand(name, async (args, ctx) => {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(ctx.exportedEnv ?? {})) if (!GUEST_ONLY.has(key)) env[key] = value;
    const reply = hostCall('exec', {
      program: name,
      args,
      cwd: ctx.cwd,
      env,
      stdin: toBase64(bytesOf(String(ctx.stdin))),
    });
    if (reply.limitHit) hostLimit = { limitHit: reply.limitHit, limitDetail: reply.limitDetail };
    return {
      stdout: latin1Of(fromBase64(reply.stdout)),
      stdoutKind: 'bytes',
      stderr: new TextDecoder().decode(fromBase64(reply.stderr)),
      exitCode: reply.exitCode,
    };
  });
}

/**
 * One command line, in a fresh shell that starts in `cwd` (the only state kept between calls). The sandbox's own
 * limits (time, memory, fuel) govern; just-bash's counters are lifted so they do not stop work first.
 */
async function runCommand(input: { command: string; cwd: string; hostPrograms?: string[] }): Promise<string> {
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
    customCommands: (input.hostPrograms ?? []).map(hostProgram),
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
  hostLimit = undefined;
  const result = await bash.exec(input.command);
  const notes = refusals.map((refusal) => `[sandbox] ${refusal}\n`).join('');
  return JSON.stringify({
    stdout: result.stdout + devices.stdout,
    stderr: result.stderr + devices.stderr + notes,
    exitCode: result.exitCode,
    cwd: result.env?.PWD ?? cwd,
    ...(hostLimit ?? {}),
  });
}

(globalThis as Record<string, unknown>).__bash = (inputJson: string) => runCommand(JSON.parse(inputJson));
