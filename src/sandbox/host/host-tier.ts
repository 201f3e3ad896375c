import type { HostTierSettings, HostTierStatus } from '../../contract/settings';
import { type HostSandboxProbe, probeHostSandbox } from './availability';
import { type CgroupCaps, findCgroupCaps } from './cgroups';

let machineProbe: Promise<HostSandboxProbe> | undefined;
let machineCaps: Promise<CgroupCaps | null> | undefined;

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

  constructor(
    private readonly settings: () => HostTierSettings,
    probe: () => Promise<HostSandboxProbe> = probeMachine,
  ) {
    this.ready = Promise.all([probe(), (machineCaps ??= findCgroupCaps())]).then(([found, caps]) => {
      this.probe = found;
      this.caps = caps;
    });
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
}
