import { type ParseArgsConfig, parseArgs } from 'node:util';
import { errorMessage } from '../fs/errors';
import { LOG_FORMATS, type LogFormat, resolveLogFormat } from '../log-pretty';

/** Bad command-line input: printed as one line, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A command that could not do its job for a reason the user can act on: printed as one line, exit status 1. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** `parseArgs` in strict mode, with its errors turned into one-line usage errors. */
export function parseFlags<O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = errorMessage(error)
      .split('\n')[0]!
      .replace(/\. To specify a positional argument.*$/, '');
    throw new UsageError(message);
  }
}

export function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535)
    throw new UsageError(`--port must be a whole number from 0 to 65535, not "${value}"`);
  return Number(value);
}

export function parsePositiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`${flag} must be a whole number of at least 1, not "${value}"`);
  return Number(value);
}

export function parsePositiveNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0))
    throw new UsageError(`${flag} must be a number greater than 0, not "${value}"`);
  return n;
}

/** The log's format: `--log-format` when given, else by whether stderr, where the log goes, is a terminal. */
/** A team database's URL: postgres:// or postgresql://, with a database name. */
export function parseTeamUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not a URL at all; said without echoing it, since it may hold a password.
    throw new UsageError('--team must be a URL such as postgres://user:password@host:5432/boxagnts');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new UsageError(`--team must be a postgres:// URL, not ${url.protocol}//…`);
  return value;
}

export function parseLogFormat(value: string | undefined): LogFormat {
  const format = resolveLogFormat(value, process.stderr.isTTY);
  if (format === undefined)
    throw new UsageError(`--log-format must be one of ${LOG_FORMATS.join(', ')}, not "${value}"`);
  return format;
}

export const HELP = `boxagnts — a local-first AI agent runtime

Usage:
  boxagnts [serve] [options]       start the dashboard server (the default command)
  boxagnts run "PROMPT" [options]  run one prompt headless and print the result
  boxagnts tool NAME 'JSON'        run one tool through the permission and sandbox path
  boxagnts cron add|list|run|rm    the workspace's scheduled jobs (see Cron options)
  boxagnts site add NAME FOLDER    publish a workspace folder at /sites/NAME/ (site rm NAME, site list)
  boxagnts worker --team URL       lease and run team runs on this machine (see Team mode)
  boxagnts worker-role NAME --team URL
                                   create a worker's database role; prints the URL its worker uses
  boxagnts --version               print the version
  boxagnts --help                  print this help

Serve options:
  --port N              port to listen on (default 30001; 0 picks a free one)
  --host ADDR           address to bind (default 127.0.0.1). Any address other than
                        loopback requires --admin-user and --admin-pass
  --workspace-dir DIR   the project folder the agent works in (default: the current folder;
                        under npm start, the boxagnts repository itself)
  --admin-user U        require HTTP Basic sign-in with this user name
  --admin-pass P        ... and this password (or set BOXAGNTS_ADMIN_USER / BOXAGNTS_ADMIN_PASS)
  --open                open the dashboard in the default browser when ready
  --log-format F        pretty (short lines) or json; default: pretty on a terminal, json otherwise
                        (also taken by run, tool, cron and worker)
  --team URL            team mode: scheduled runs go to this Postgres database (postgres://…, or set
                        BOXAGNTS_TEAM_URL) for worker machines; needs --admin-user and --admin-pass
  --team-cap N          runs running at once across every machine (default 4)
  --team-lease-seconds N  a worker that does not renew its lease for N seconds is taken for dead:
                        its run is interrupted, and re-queued once when its job's missed policy is
                        run-once (default 60)

Run options:
  --model P/M                  the model, as provider/model (default: the workspace default)
  --session ID                 continue this session instead of starting a new one
  --max-turns N                at most N model calls (default: the workspace setting, 50)
  --max-cost-usd X             stop once the run has cost X dollars (by the model catalog's prices)
  --max-wall-ms N              stop N milliseconds after the start, whatever is in progress
  --max-input-tokens N         stop once N input tokens were sent, over all the run's model calls
  --max-output-tokens N        stop once N output tokens were received
  --output-format FORMAT       text (the final answer), json (one result object), or
                               stream-json (every event as a JSON line, then a result line)
  --workspace-dir DIR          the workspace (default: current folder)
  --permission-mode MODE       default, acceptEdits, plan or bypass, for this run only. Nobody can
                               approve a call in a headless run: one that needs approval is
                               refused at once (a rule in settings can still allow it)
  --agent NAME                 run as this agent type (.boxagnts/agents/NAME.md, or built in:
                               general, explore, plan, manager)
  --managed                    managed mode: the manager plans, dispatches executor agents and
                               checks their work (the same as --agent manager)
  Exit status: 0 finished, 1 error, 2 bad usage, 3 turn limit reached, 4 a budget reached,
  5 finished but a call was refused for want of an approval (each refusal is printed on stderr
  with the rule that would allow it), 130 cancelled.

Tool options:
  --workspace-dir DIR          the workspace (default: current folder)
  --permission-mode MODE       as for run; a call that would ask for approval is refused
  --json                       print the whole result as JSON instead of its text
  Exit status: 0 success, 1 the tool failed or was refused.

Cron (each takes --workspace-dir DIR):
  boxagnts cron add NAME --schedule EXPR --prompt TEXT [options]
                               EXPR: a cron expression ("0 9 * * 1-5"), "every 15m", "every 2h",
                               or an ISO date for once. Options: --timezone TZ, --agent TYPE,
                               --model P/M, --permission-mode MODE, --allow RULE (repeatable,
                               e.g. --allow 'bash(npm test*)'), --unattended deny|park,
                               --max-cost-usd X, --max-turns N
  boxagnts cron list [--json]  the jobs and their next runs
  boxagnts cron run NAME       run the job now in this process; prints its session id and status,
                               with the exit status of run
  boxagnts cron rm NAME        remove the job (its history stays)

Site options:
  --workspace-dir DIR          the workspace (default: current folder)
  --json                       site list: print the list (and any problem with sites.json) as JSON
  Sites are served only to this computer unless marked public and the server listens beyond it.
  Exit status: 0 success, 1 the change could not be made (or sites.json is broken), 2 bad usage.

Team mode (the server above with --team; the same repository on every machine):
  boxagnts worker-role NAME --team ADMIN_URL
                               create (or give a new password to) the role a worker signs in with; it
                               can lease and report runs, never read settings or secrets. Prints the
                               worker's URL: keep it as secret as a password
  boxagnts worker --team URL --workspace-dir DIR [--concurrency N] [--name NAME]
                               lease runs of DIR's repository (matched by its origin remote), each in a
                               git worktree at the run's commit, with DIR's settings, models and
                               sandbox; results come back as a pushed branch and a diff summary.
                               --concurrency: runs at once on this machine (default 2); --name: how
                               the Team page names it (default: host name and folder)

Runtime state lives in DIR/.boxagnts/ (settings, keys, sessions). Logs go to stderr (see --log-format);
set BOXAGNTS_LOG_LEVEL=debug for more.`;
