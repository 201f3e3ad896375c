import { type AgentRuntime, createRuntime } from '../runtime/runtime';
import { type Logger, createLogger } from '../log';
import type { LogFormat } from '../log-pretty';
import { Redactor } from '../models/redaction';
import { JsonFileError } from '../workspace/json-file';
import { type Workspace, WorkspaceError, openWorkspace } from '../workspace/workspace';
import { CommandError } from './usage';

/**
 * The workspace and runtime of a command without the dashboard: nobody to ask for approval, no folder watched. A
 * workspace that cannot be opened (a broken settings file, a folder that is not one) is the user's to fix: said so.
 */
export async function openHeadlessRuntime(
  workspaceDir: string | undefined,
  logFormat: LogFormat,
  /** Log lines below this level are dropped unless BOXAGNTS_LOG_LEVEL says otherwise. */
  defaultLevel = 'warn',
): Promise<{ workspace: Workspace; runtime: AgentRuntime; logger: Logger }> {
  let workspace: Workspace;
  try {
    workspace = await openWorkspace(workspaceDir ?? process.cwd());
  } catch (error) {
    if (error instanceof JsonFileError || error instanceof WorkspaceError) throw new CommandError(error.message);
    throw error;
  }
  const redactor = new Redactor();
  const logger = createLogger(redactor, { level: process.env.BOXAGNTS_LOG_LEVEL ?? defaultLevel, format: logFormat });
  // A command's process ends soon after it starts: waiting for the instrumenting still under way leaves the module
  // cached for the next command, which would otherwise start it again.
  const runtime = await createRuntime(workspace, {
    logger,
    redactor,
    watchExtensions: false,
    finishPreparingOnClose: true,
  });
  return { workspace, runtime, logger };
}
