import { ConfinedFs } from '../fs/confined-fs';
import { Confiner, type Mount } from '../fs/confiner';
import { SCAN_BUDGET_MS } from './file-scan';

export type LimitName = 'timeout' | 'memory' | 'stack' | 'fuel' | 'regex' | 'network' | 'fs' | 'disk';

/** Everything one sandboxed call is given: its limits, its network, its files. Nothing else is reachable. */
export interface SandboxPolicy {
  timeoutMs: number;
  maxMemoryBytes: number;
  maxStackBytes: number;
  /** Interpreter ticks (QuickJS) or instrumented steps (WASI); null: no budget beyond the time limit. */
  fuel: number | null;
  allowedOutboundHosts: string[];
  blockNetworks: string[];
  /** Mounted as the guest's `/`. */
  workDir: string;
  /** `/` refuses every change (an explore agent reads the workspace without changing it). */
  workDirReadOnly: boolean;
  mounts: Mount[];
  /** Host folders that must look absent (the runtime's own `.boxagnts/`). */
  hidden: string[];
  /** Workspace-relative paths among the protected ones (`.git/**`, `.envrc`, …) that the user lets tools write. */
  writableProtected: string[];
  /** Bytes one call may write to files in all; null: no quota. */
  maxWriteBytes: number | null;
  /** Whether the call may touch files at all, and the network at all. */
  files: boolean;
  network: boolean;
  /** Whether the call may run programs of this machine in the host tier (the shell, given a HostAuthority). */
  hostExec: boolean;
}

/**
 * Where one run's sandboxed calls work: its working folder as the guest's `/` (the workspace, or a git worktree of a
 * child run), more mounts, and limits narrowed for the run. Carried by every tool call's context.
 */
export interface SandboxScope {
  workDir: string;
  /** `/` is mounted read-only for this run. */
  readOnly?: boolean | undefined;
  mounts?: readonly Mount[] | undefined;
  narrow?: PolicyNarrowing | undefined;
}

/** Per-tool settings may only narrow the workspace's: a lower limit, fewer hosts, more blocked networks, less access. */
export interface PolicyNarrowing {
  timeoutMs?: number | undefined;
  maxMemoryBytes?: number | undefined;
  maxStackBytes?: number | undefined;
  fuel?: number | null | undefined;
  maxWriteBytes?: number | null | undefined;
  allowedOutboundHosts?: string[] | undefined;
  blockNetworks?: string[] | undefined;
  files?: boolean | undefined;
  network?: boolean | undefined;
}

const lower = (base: number, narrowed: number | undefined) =>
  narrowed === undefined ? base : Math.min(base, narrowed);

/** A budget where null means unlimited: a narrowing can only lower it, and null there leaves it as it is. */
function lowerBudget(base: number | null, narrowed: number | null | undefined): number | null {
  if (narrowed === undefined || narrowed === null) return base;
  return base === null ? narrowed : Math.min(base, narrowed);
}

export function narrowPolicy(base: SandboxPolicy, narrowing: PolicyNarrowing | undefined): SandboxPolicy {
  if (!narrowing) return base;
  const fuel = lowerBudget(base.fuel, narrowing.fuel);
  return {
    ...base,
    timeoutMs: lower(base.timeoutMs, narrowing.timeoutMs),
    maxMemoryBytes: lower(base.maxMemoryBytes, narrowing.maxMemoryBytes),
    maxStackBytes: lower(base.maxStackBytes, narrowing.maxStackBytes),
    fuel,
    maxWriteBytes: lowerBudget(base.maxWriteBytes, narrowing.maxWriteBytes),
    // A host must be allowed by both lists; an empty narrowing list therefore allows nothing.
    allowedOutboundHosts: narrowing.allowedOutboundHosts
      ? base.allowedOutboundHosts.filter((h) => narrowing.allowedOutboundHosts!.includes(h))
      : base.allowedOutboundHosts,
    blockNetworks: [...new Set([...base.blockNetworks, ...(narrowing.blockNetworks ?? [])])],
    files: base.files && narrowing.files !== false,
    network: base.network && narrowing.network !== false,
  };
}

/** How a tripped limit is described to the model and the user: which limit, and its value. */
export function describeLimit(limit: LimitName, policy: SandboxPolicy): string {
  switch (limit) {
    case 'timeout':
      return `the time limit of ${policy.timeoutMs} ms was reached`;
    case 'memory':
      return `the memory limit of ${Math.round(policy.maxMemoryBytes / 1024 / 1024)} MB was reached`;
    case 'stack':
      return `the stack limit of ${Math.round(policy.maxStackBytes / 1024)} KB was reached (too deep recursion)`;
    case 'fuel':
      return `the fuel budget of ${policy.fuel ?? 0} steps ran out (Settings → Security can raise it)`;
    case 'regex':
      return `a regular expression ran over one file for more than ${SCAN_BUDGET_MS / 1000} s (it backtracks without end on this text; simplify the pattern)`;
    case 'network':
      return 'the network policy refused a connection';
    case 'fs':
      return 'the file-system policy refused an access';
    case 'disk':
      return `the disk quota of ${Math.round(((policy.maxWriteBytes ?? 0) / 1024 / 1024) * 10) / 10} MB written per call was reached`;
  }
}

/** The files a call may touch under its policy, with its write quota; null when the tool has no file access. */
export function confinedFsFor(policy: SandboxPolicy): ConfinedFs | null {
  if (!policy.files) return null;
  const confiner = new Confiner({
    workDir: policy.workDir,
    readOnly: policy.workDirReadOnly,
    mounts: policy.mounts,
    hidden: policy.hidden,
    protect: { writable: policy.writableProtected },
  });
  return new ConfinedFs(confiner, { maxWriteBytes: policy.maxWriteBytes });
}
