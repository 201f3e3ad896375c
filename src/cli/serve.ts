import { spawn } from 'node:child_process';
import { createLogger } from '../log';
import { Redactor } from '../models/redaction';
import { isLoopbackHost } from '../server/guard';
import { ServeError, startServer } from '../server/serve';
import { JsonFileError } from '../workspace/json-file';
import { WorkspaceError } from '../workspace/workspace';
import {
  CommandError,
  UsageError,
  parseFlags,
  parseLogFormat,
  parsePort,
  parsePositiveInt,
  parseTeamUrl,
} from './usage';

export const DEFAULT_PORT = 30001;
export const DEFAULT_HOST = '127.0.0.1';

export async function serveCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseFlags(args, {
    port: { type: 'string' },
    host: { type: 'string' },
    'workspace-dir': { type: 'string' },
    'admin-user': { type: 'string' },
    'admin-pass': { type: 'string' },
    open: { type: 'boolean' },
    'log-format': { type: 'string' },
    team: { type: 'string' },
    'team-cap': { type: 'string' },
    'team-lease-seconds': { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const logFormat = parseLogFormat(values['log-format']);
  const port = parsePort(values.port, DEFAULT_PORT);
  const host = values.host ?? DEFAULT_HOST;
  if (host.trim() === '') throw new UsageError('--host must not be empty');
  const user = values['admin-user'] ?? process.env.BOXAGNTS_ADMIN_USER;
  const pass = values['admin-pass'] ?? process.env.BOXAGNTS_ADMIN_PASS;
  if ((user === undefined) !== (pass === undefined))
    throw new UsageError('--admin-user and --admin-pass must be given together');
  if (user === '' || pass === '') throw new UsageError('--admin-user and --admin-pass must not be empty');
  if (!isLoopbackHost(host) && user === undefined) {
    throw new CommandError(
      `refusing to listen on ${host} without a password: anyone who can reach that address could drive the agent. ` +
        'Pass --admin-user and --admin-pass, or use --host 127.0.0.1.',
    );
  }

  const teamUrl = values.team ?? process.env.BOXAGNTS_TEAM_URL;
  if (teamUrl !== undefined && user === undefined)
    throw new UsageError(
      'team mode needs --admin-user and --admin-pass: the dashboard answers approvals for every machine',
    );
  if (teamUrl === undefined && (values['team-cap'] !== undefined || values['team-lease-seconds'] !== undefined))
    throw new UsageError('--team-cap and --team-lease-seconds go with --team');
  const team =
    teamUrl === undefined
      ? undefined
      : {
          url: parseTeamUrl(teamUrl),
          cap: parsePositiveInt('--team-cap', values['team-cap']) ?? 4,
          leaseSeconds: parsePositiveInt('--team-lease-seconds', values['team-lease-seconds']) ?? 60,
        };

  // Made before the workspace is open; the server binds it to the workspace's keys.
  const redactor = new Redactor();
  const logger = createLogger(redactor, { format: logFormat });
  let server;
  try {
    server = await startServer({
      workspaceDir: values['workspace-dir'] ?? process.cwd(),
      host,
      port,
      admin: user !== undefined && pass !== undefined ? { user, pass } : undefined,
      logger,
      redactor,
      team,
    });
  } catch (error) {
    if (error instanceof ServeError || error instanceof JsonFileError || error instanceof WorkspaceError)
      throw new CommandError(error.message);
    throw error;
  }
  // Listening for signals before saying Ready: a script that stops the server as soon as it reads that line must get
  // the graceful shutdown, not the default action of the signal.
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting without waiting');
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal }, 'shutting down');
      void server.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stdout.write(
    `boxagnts ${server.context.version} (start with --workspace-dir DIR to serve another folder)\n` +
      `Ready: ${server.url} (workspace: ${server.context.workspace.paths.root})\n` +
      (server.context.team ? `Team mode: runs of ${server.context.team.remote} go to worker machines\n` : ''),
  );
  if (values.open) openBrowser(server.url);
  await stopped;
}

function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  const child = spawn(command, args, { detached: true, stdio: 'ignore' });
  child.on('error', () => process.stderr.write(`Could not open a browser; visit ${url}\n`));
  child.unref();
}
