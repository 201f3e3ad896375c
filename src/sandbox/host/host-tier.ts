import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { HostTierSettings, HostTierStatus } from '../../contract/settings';
import type { SandboxPolicy } from '../limits';
import type { ExecReply, ExecRequest } from '../protocol';
import { type HostSandboxProbe, probeHostSandbox } from './availability';
import { bwrapPlan } from './bwrap-args';
import { type CgroupCaps, findCgroupCaps, sweepCgroups } from './cgroups';
import { type HostAuthority, type HostCommandResult, hostLimits } from './command';
import { seedHome } from './home';
import { forwarderLaunch } from './net-forwarder';
import { startHostNetProxy } from './net-proxy';
import { commandPrefix, runHostCommand } from './run-command';

/** Where the host tier keeps what its commands need, given by the sandbox service. */
export interface HostTierOptions {
  settings: () => HostTierSettings;
  /** The built forwarder (dist/host-net-forwarder.js) that brings the proxy into a command's sandbox. */
  forwarderScript: string;
  /** Addresses no command may ever reach: the dashboard itself. */
  blockedEndpoints: () => { host: string; port: number }[];
  /** The workspace. */
  root: string;
  /** The fake HOME of host programs (`.boxagnts/home/`). */
  home: string;
}

const encode = (text: string) => Buffer.from(text).toString('base64');

function reply(result: HostCommandResult): ExecReply {
  return {
    stdout: Buffer.from(result.stdout).toString('base64'),
    stderr: Buffer.from(result.stderr).toString('base64'),
    exitCode: result.exitCode,
    ...(result.limitHit ? { limitHit: result.limitHit, limitDetail: result.limitDetail } : {}),
  };
}

/** A refusal the shell shows as the command's stderr, with the shell's exit code for it. */
function refusal(program: string, why: string, exitCode = 126): ExecReply {
  return { stdout: '', stderr: encode(`bash: ${program}: ${why}\n`), exitCode };
}

let machineProbe: Promise<HostSandboxProbe> | undefined;
let machineCaps: Promise<CgroupCaps | null> | undefined;

/** Found once per process, after the cgroups a killed earlier server left are removed. */
async function swept(caps: CgroupCaps | null): Promise<CgroupCaps | null> {
  if (caps) await sweepCgroups(caps);
  return caps;
}

/** The machine does not change while the process runs: every runtime of it shares one probe. */
const probeMachine = () => (machineProbe ??= probeHostSandbox());

/**
 * The host tier of one runtime: what this machine offers (probed once, in the background, when the runtime opens)
 * and whether the settings turn it on. Commands never wait for the probe: until it has answered, the tier is
 * unavailable, and says it is still looking.
 */
export class HostTier {
  private probe: HostSandboxProbe | undefined;
  private caps: CgroupCaps | null = null;
  readonly ready: Promise<void>;

  private readonly settings: () => HostTierSettings;

  constructor(
    private readonly options: HostTierOptions,
    probe: () => Promise<HostSandboxProbe> = probeMachine,
  ) {
    this.settings = options.settings;
    this.ready = Promise.all([probe(), (machineCaps ??= findCgroupCaps().then(swept))]).then(([found, caps]) => {
      this.probe = found;
      this.caps = caps;
    });
  }

  /** The workspace: host commands' folders are shown relative to it. */
  get root(): string {
    return this.options.root;
  }

  current(): HostTierSettings {
    return this.settings();
  }

  /** The probe, once it answered. */
  machine(): HostSandboxProbe | undefined {
    return this.probe;
  }

  cgroups(): CgroupCaps | null {
    return this.caps;
  }

  /** Whether `name` is a program of this machine that the host tier would run. */
  hasProgram(name: string): boolean {
    return this.probe?.programs.has(name) ?? false;
  }

  /** Why commands cannot run in the host tier now, in words that say how to change it; undefined when they can. */
  unavailable(): string | undefined {
    if (!this.settings().enabled)
      return 'the host tier is off; the user can turn it on in Settings → Security ("sandbox.host.enabled": true in .boxagnts/settings.json)';
    if (!this.probe) return 'the host tier is still checking this machine for an OS sandbox; try again in a moment';
    return this.probe.kind ? undefined : this.probe.problem;
  }

  status(): HostTierStatus {
    const problem = this.unavailable();
    return {
      available: problem === undefined,
      mechanism: this.probe?.kind ? this.probe.mechanism : null,
      ...(problem !== undefined ? { problem } : {}),
      programs: this.probe?.wellKnown ?? [],
      caps: this.caps ? 'cgroup' : 'rlimit',
    };
  }

  /**
   * Runs one program for the shell: refused when the tier cannot run it or the call's authority says no; otherwise
   * in the OS sandbox, in the guest's folder of the call's working folder, under the tier's limits and the call's
   * deadline.
   */
  async exec(
    request: ExecRequest,
    call: { policy: SandboxPolicy; host: HostAuthority },
    signal: AbortSignal,
  ): Promise<ExecReply> {
    const { program, args } = request;
    const unavailable = this.unavailable();
    if (unavailable)
      return refusal(program, `this program of the machine runs only in the host tier, and ${unavailable}`, 127);
    const probe = this.probe!;
    if (!probe.programs.has(program)) return refusal(program, 'command not found', 127);
    const decision = await call.host.decide(program, args);
    if ('refused' in decision) return refusal(program, `not run: ${decision.refused}`);
    const { policy } = call;
    const settings = this.settings();
    const guestCwd = posix.normalize(posix.resolve('/', request.cwd));
    const cwd = posix.join(policy.workDir, guestCwd);
    await mkdir(this.options.home, { recursive: true });
    await seedHome(this.options.home);
    const limits = hostLimits(settings, policy.timeoutMs);
    const net = decision.network ? await this.network(policy, signal) : undefined;
    const plan = bwrapPlan(
      { program, args, cwd, env: request.env, stdin: new Uint8Array() },
      {
        workspaceRoot: this.options.root,
        workDir: policy.workDir,
        readOnly: policy.workDirReadOnly,
        hidden: policy.hidden,
        home: this.options.home,
        writableProtected: policy.writableProtected,
        network: decision.network,
        gitWrites: settings.gitWrites,
        limits,
      },
      {
        prefix: [...(net?.launch.argvPrefix ?? []), ...commandPrefix(limits)],
        args: net?.launch.bwrapArgs ?? [],
        env: net?.launch.env ?? {},
      },
    );
    try {
      const result = await runHostCommand(
        { executable: probe.executable!, args: plan.args },
        { stdin: Buffer.from(request.stdin, 'base64'), limits, cgroups: this.caps, signal },
      );
      // What the proxy refused is said after the program's own errors: `curl -s` and friends hide why otherwise.
      const notes = net?.proxy.refusals().map((line) => `${line}\n`) ?? [];
      if (notes.length === 0) return reply(result);
      return reply({ ...result, stderr: Buffer.concat([result.stderr, Buffer.from(notes.join(''))]) });
    } finally {
      await net?.close();
    }
  }

  /** The filtering proxy of one command granted network, on a Unix socket of its own, under the call's net policy. */
  private async network(policy: SandboxPolicy, signal: AbortSignal) {
    const dir = await mkdtemp(join(tmpdir(), 'boxagnts-net-'));
    const proxy = await startHostNetProxy({
      socketPath: join(dir, 'net.sock'),
      policy: { allowedOutboundHosts: policy.allowedOutboundHosts, blockNetworks: policy.blockNetworks },
      blockedEndpoints: this.options.blockedEndpoints(),
      signal,
    });
    const launch = forwarderLaunch({
      socketPath: proxy.socketPath,
      forwarderScript: this.options.forwarderScript,
      nodeBinary: process.execPath,
    });
    return {
      proxy,
      launch,
      close: async () => {
        await proxy.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}
