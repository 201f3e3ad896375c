import { join } from 'node:path';
import { JOB_NAME, JobFieldsSchema, type JobRunStatus, type JobSchedule } from '../contract/automation';
import { newRunId } from '../automation/job-queue';
import { RunLog } from '../automation/run-log';
import { ScheduleError, jobNextTick } from '../automation/schedule';
import { RuleSyntaxError } from '../permissions/policy';
import { describeFirstIssue } from '../workspace/json-file';
import { openHeadlessRuntime } from './headless-runtime';
import { CommandError, UsageError, parseFlags, parseLogFormat, parsePositiveInt, parsePositiveNumber } from './usage';

/** Exit status by how a run ended, as `boxagnts run` has them; a refused call is an error of the job. */
const EXIT: Record<JobRunStatus, number> = {
  finished: 0,
  error: 1,
  refused: 1,
  interrupted: 1,
  queued: 1,
  running: 1,
  skipped: 1,
  max_turns: 3,
  budget: 4,
  cancelled: 130,
};

/** `every 15m` / `every 2h`, an ISO date for once, or a cron expression. */
function parseSchedule(text: string, timezone: string | undefined): JobSchedule {
  const every = /^every\s+(\d+)\s*(m|min|minutes?|h|hours?)$/i.exec(text.trim());
  if (every) return { kind: 'every', minutes: Number(every[1]) * (every[2]!.toLowerCase().startsWith('h') ? 60 : 1) };
  if (/^\d{4}-\d{2}-\d{2}T/.test(text.trim())) return { kind: 'once', at: new Date(text.trim()).toISOString() };
  return { kind: 'cron', expr: text.trim(), ...(timezone ? { timezone } : {}) };
}

function jobName(name: string | undefined): string {
  if (!name) throw new UsageError('name the job: boxagnts cron add NAME …');
  if (!JOB_NAME.test(name)) throw new UsageError(`job names use lower-case letters, digits and hyphens, not "${name}"`);
  return name;
}

/** `boxagnts cron add|list|run|rm`: the workspace's scheduled jobs, for scripts. */
export async function cronCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseFlags(rest, {
    'workspace-dir': { type: 'string' },
    schedule: { type: 'string' },
    timezone: { type: 'string' },
    prompt: { type: 'string' },
    agent: { type: 'string' },
    model: { type: 'string' },
    'permission-mode': { type: 'string' },
    allow: { type: 'string', multiple: true },
    unattended: { type: 'string' },
    'max-cost-usd': { type: 'string' },
    'max-turns': { type: 'string' },
    json: { type: 'boolean' },
    'log-format': { type: 'string' },
  });
  if (sub !== 'add' && sub !== 'list' && sub !== 'run' && sub !== 'rm')
    throw new UsageError('cron takes add, list, run or rm');
  const { workspace, runtime } = await openHeadlessRuntime(
    values['workspace-dir'],
    parseLogFormat(values['log-format']),
  );
  try {
    const { jobs } = runtime;
    if (jobs.problem()) throw new CommandError(jobs.problem()!);
    if (sub === 'list') {
      const now = new Date();
      const list = jobs
        .list()
        .map((job) => ({ ...job, nextRun: job.enabled ? (jobNextTick(job, now)?.toISOString() ?? null) : null }));
      if (values.json) process.stdout.write(`${JSON.stringify({ jobs: list })}\n`);
      else
        for (const job of list)
          process.stdout.write(
            `${job.name}\t${job.enabled ? (job.nextRun ?? 'no next run') : 'paused'}\t${job.prompt.slice(0, 60)}\n`,
          );
      return;
    }
    const name = jobName(positionals[0]);
    if (sub === 'rm') {
      if (!(await jobs.remove(name))) throw new CommandError(`there is no job "${name}"`);
      return;
    }
    if (sub === 'run') {
      const job = jobs.get(name);
      if (!job) throw new CommandError(`there is no job "${name}"`);
      const run = {
        id: newRunId(),
        job: name,
        trigger: 'manual' as const,
        enqueuedAt: new Date().toISOString(),
      };
      const result = await runtime.runJob(job, run, new AbortController().signal);
      await new RunLog(join(workspace.paths.automationDir, 'runs')).append({
        id: run.id,
        job: name,
        trigger: 'manual',
        startedAt: run.enqueuedAt,
        endedAt: new Date().toISOString(),
        ...result,
      });
      process.stdout.write(
        `${JSON.stringify({ sessionId: result.sessionId, status: result.status, ...(result.error ? { error: result.error } : {}) })}\n`,
      );
      process.exitCode = EXIT[result.status];
      return;
    }
    if (!values.schedule || !values.prompt) throw new UsageError('cron add needs --schedule EXPR and --prompt TEXT');
    const parsed = JobFieldsSchema.safeParse({
      schedule: parseSchedule(values.schedule, values.timezone),
      prompt: values.prompt,
      ...(values.agent ? { agentType: values.agent } : {}),
      ...(values.model ? { model: values.model } : {}),
      permissions: {
        mode: values['permission-mode'] ?? 'default',
        rules: (values.allow ?? []).map((rule) => (/^(allow|ask|deny)\s/.test(rule) ? rule : `allow ${rule}`)),
      },
      ...(values.unattended ? { unattended: values.unattended } : {}),
      limits: {
        ...(values['max-turns'] ? { maxTurns: parsePositiveInt('--max-turns', values['max-turns']) } : {}),
        ...(values['max-cost-usd']
          ? { maxCostUsd: parsePositiveNumber('--max-cost-usd', values['max-cost-usd']) }
          : {}),
      },
    });
    if (!parsed.success) {
      const { field, problem } = describeFirstIssue(parsed.error);
      throw new UsageError(`${field ? `${field}: ` : ''}${problem}`);
    }
    try {
      const job = await jobs.save(name, parsed.data, new Date());
      process.stdout.write(`${job.name}\tnext run ${jobNextTick(job, new Date())?.toISOString() ?? 'none'}\n`);
    } catch (error) {
      if (error instanceof ScheduleError) throw new UsageError(`--schedule: ${error.message}`);
      if (error instanceof RuleSyntaxError) throw new UsageError(`--allow: ${error.message}`);
      throw error;
    }
  } finally {
    await runtime.close();
  }
}
