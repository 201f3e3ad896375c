import type { HostTierSettings } from '../../contract/settings';

/** One program the shell runs in the host tier: what the guest asked for, resolved against the call's policy. */
export interface HostCommand {
  program: string;
  args: string[];
  /** Absolute folder on this machine where it starts (inside `workDir`). */
  cwd: string;
  /** The variables the shell line exported to it (`FOO=1 node x.js`); the runtime adds its own fixed ones. */
  env: Record<string, string>;
  stdin: Uint8Array;
}

/** Where and how a command may run: the call's working folder and what the settings allow. */
export interface HostScope {
  /** The workspace: a worktree's repository must lie inside it to be shown. */
  workspaceRoot: string;
  /** The run's working folder: the workspace, or a child run's worktree. Read-write, but for the parts below. */
  workDir: string;
  /** The whole folder is read-only (an explore run). */
  readOnly: boolean;
  /** Folders that must look absent (the runtime's own `.boxagnts/`). */
  hidden: string[];
  /** Where the fake HOME of host programs lives (under `.boxagnts/home/`). */
  home: string;
  /** Workspace-relative protected paths the user lets tools write (`sandbox.writableProtected`). */
  writableProtected: string[];
  /** Whether this command gets network (a `sandbox.host.network` pattern matched it). */
  network: boolean;
  /** Whether git may change `.git`. */
  gitWrites: boolean;
  limits: HostLimits;
}

export interface HostLimits {
  timeoutMs: number;
  maxMemoryBytes: number;
  maxCpuSeconds: number;
  maxProcesses: number;
  maxOpenFiles: number;
  maxOutputBytes: number;
}

export function hostLimits(settings: HostTierSettings, timeoutMs: number): HostLimits {
  return {
    timeoutMs,
    maxMemoryBytes: settings.maxMemoryBytes,
    maxCpuSeconds: settings.maxCpuSeconds,
    maxProcesses: settings.maxProcesses,
    maxOpenFiles: settings.maxOpenFiles,
    maxOutputBytes: settings.maxOutputBytes,
  };
}

/** Which limit stopped a host command. */
export type HostLimitName = 'timeout' | 'memory' | 'cpu' | 'processes' | 'openFiles' | 'output';

export interface HostCommandResult {
  stdout: Uint8Array;
  stderr: Uint8Array;
  exitCode: number;
  limitHit?: HostLimitName;
  /** The limit's value, in words (`512 processes`). */
  limitDetail?: string;
}

/**
 * Decides each program a shell call runs in the host tier, as it runs: the permission rules, checked again on the
 * real arguments, and whether it gets network. Given by the tool for its call; a call without one runs none.
 */
export interface HostAuthority {
  decide(program: string, args: readonly string[]): Promise<{ network: boolean } | { refused: string }>;
}
