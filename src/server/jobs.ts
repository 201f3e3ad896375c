import { Hono } from 'hono';
import {
  JOB_NAME,
  JobFieldsSchema,
  type JobList,
  type JobView,
  SchedulePreviewBodySchema,
  type SchedulePreview,
} from '../contract/automation';
import { ScheduleError, nextTicks } from '../automation/schedule';
import { JsonFileError } from '../workspace/json-file';
import { RuleSyntaxError } from '../permissions/policy';
import type { ServerContext } from './context';
import { ApiError } from './errors';
import { readBody } from './validate';

/** Scheduled jobs: listed with their next run and recent runs, saved, removed, run now; their history; schedules previewed. */
export function jobRoutes(ctx: ServerContext): Hono {
  const { jobs } = ctx.runtime;
  const { automation } = ctx;
  const jobName = (name: string) => {
    if (!JOB_NAME.test(name))
      throw new ApiError(400, 'invalid_job_name', 'Job names use lower-case letters, digits and hyphens (at most 40).');
    return name;
  };
  const existing = (name: string) => {
    const job = jobs.get(jobName(name));
    if (!job) throw new ApiError(404, 'job_not_found', `There is no job "${name}".`);
    return job;
  };
  return new Hono()
    .get('/', async (c) =>
      c.json({
        jobs: await Promise.all(jobs.list().map((job) => automation.view(job))),
        problem: jobs.problem(),
      } satisfies JobList),
    )
    .post('/preview', async (c) => {
      const { schedule, count } = await readBody(c, SchedulePreviewBodySchema);
      const now = new Date();
      try {
        const runs = nextTicks(schedule, now, now, count).map((d) => d.toISOString());
        return c.json({ runs, problem: null } satisfies SchedulePreview);
      } catch (error) {
        return c.json({
          runs: [],
          problem: error instanceof Error ? error.message : String(error),
        } satisfies SchedulePreview);
      }
    })
    .put('/:name', async (c) => {
      const name = jobName(c.req.param('name'));
      const fields = await readBody(c, JobFieldsSchema);
      try {
        const job = await jobs.save(name, fields, new Date());
        return c.json((await automation.view(job)) satisfies JobView);
      } catch (error) {
        if (error instanceof ScheduleError)
          throw new ApiError(400, 'invalid_schedule', `The schedule cannot run: ${error.message}`, {
            field: 'schedule',
          });
        if (error instanceof RuleSyntaxError)
          throw new ApiError(400, 'invalid_rule', error.message, { field: 'permissions.rules' });
        if (error instanceof JsonFileError) throw new ApiError(409, 'jobs_file_broken', error.message);
        throw error;
      }
    })
    .delete('/:name', async (c) => {
      const name = existing(c.req.param('name')).name;
      await jobs.remove(name);
      return c.json({ deleted: name });
    })
    .post('/:name/run', async (c) => {
      const job = existing(c.req.param('name'));
      return c.json({ runId: await automation.runNow(job.name) }, 202);
    })
    .get('/:name/runs', async (c) => c.json({ runs: await automation.history(existing(c.req.param('name')).name) }));
}
