/**
 * The team database's own tables, in the `boxagnts` schema, as numbered migrations. A migration only ever adds
 * (tables, columns, indexes): data written by an older server is never dropped, so a team can upgrade its server
 * and workers one machine at a time. The queue engine keeps its own schema beside this one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'workspaces, runs and their events, approvals, sessions, usage, settings and secrets',
    sql: `
      CREATE TABLE boxagnts.workspaces (
        id text PRIMARY KEY,
        name text NOT NULL,
        remote_url text NOT NULL,
        registered_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE boxagnts.runs (
        id text PRIMARY KEY,
        workspace_id text NOT NULL REFERENCES boxagnts.workspaces (id),
        job text,
        trigger text NOT NULL,
        commit_sha text NOT NULL,
        status text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'interrupted', 'cancelled')),
        scheduled_for timestamptz,
        enqueued_at timestamptz NOT NULL DEFAULT now(),
        worker text,
        attempt integer NOT NULL DEFAULT 0,
        lease_expires_at timestamptz,
        branch text,
        diff_summary text,
        error text,
        finished_at timestamptz
      );
      CREATE INDEX runs_by_status ON boxagnts.runs (status, enqueued_at);
      CREATE TABLE boxagnts.run_events (
        run_id text NOT NULL REFERENCES boxagnts.runs (id),
        seq integer NOT NULL,
        event jsonb NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, seq)
      );
      CREATE TABLE boxagnts.approvals (
        id text PRIMARY KEY,
        run_id text NOT NULL REFERENCES boxagnts.runs (id),
        interaction jsonb NOT NULL,
        answer jsonb,
        opened_at timestamptz NOT NULL DEFAULT now(),
        answered_at timestamptz
      );
      CREATE TABLE boxagnts.sessions (
        id text PRIMARY KEY,
        workspace_id text NOT NULL REFERENCES boxagnts.workspaces (id),
        summary jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE boxagnts.usage (
        id bigserial PRIMARY KEY,
        workspace_id text NOT NULL REFERENCES boxagnts.workspaces (id),
        session_id text,
        run_id text,
        model text NOT NULL,
        agent text,
        input_tokens bigint NOT NULL DEFAULT 0,
        output_tokens bigint NOT NULL DEFAULT 0,
        cost_usd numeric,
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE boxagnts.settings (
        workspace_id text PRIMARY KEY REFERENCES boxagnts.workspaces (id),
        settings jsonb NOT NULL
      );
      CREATE TABLE boxagnts.secrets (
        workspace_id text NOT NULL REFERENCES boxagnts.workspaces (id),
        name text NOT NULL,
        value text NOT NULL,
        PRIMARY KEY (workspace_id, name)
      );
    `,
  },
  {
    version: 2,
    name: 'schedule ticks: which machine queued each tick of a scheduled job',
    sql: `
      CREATE TABLE boxagnts.schedule_ticks (
        job text NOT NULL,
        tick timestamptz NOT NULL,
        claimed_by text NOT NULL,
        claimed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (job, tick)
      );
    `,
  },
  {
    version: 3,
    name: "runs as the job history (a job run's statuses, when it started, its session and usage), workers' liveness, the team's cap and lease time, ticks per workspace",
    sql: `
      ALTER TABLE boxagnts.runs DROP CONSTRAINT runs_status_check;
      ALTER TABLE boxagnts.runs ADD CONSTRAINT runs_status_check CHECK (status IN (
        'queued', 'running', 'finished', 'error', 'refused', 'skipped', 'interrupted', 'cancelled', 'budget',
        'max_turns', 'completed', 'failed'
      ));
      ALTER TABLE boxagnts.runs ALTER COLUMN commit_sha DROP NOT NULL;
      ALTER TABLE boxagnts.runs
        ADD COLUMN started_at timestamptz,
        ADD COLUMN interrupted_at timestamptz,
        ADD COLUMN session_id text,
        ADD COLUMN model text,
        ADD COLUMN cost_usd double precision,
        ADD COLUMN input_tokens bigint NOT NULL DEFAULT 0,
        ADD COLUMN output_tokens bigint NOT NULL DEFAULT 0;
      CREATE INDEX runs_by_job ON boxagnts.runs (workspace_id, job, enqueued_at DESC);
      CREATE TABLE boxagnts.workers (
        name text PRIMARY KEY,
        workspace_id text NOT NULL REFERENCES boxagnts.workspaces (id),
        concurrency integer NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        seen_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE boxagnts.team (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        cap integer NOT NULL CHECK (cap > 0),
        lease_seconds integer NOT NULL CHECK (lease_seconds > 0)
      );
      ALTER TABLE boxagnts.schedule_ticks ADD COLUMN workspace_id text NOT NULL DEFAULT '';
      ALTER TABLE boxagnts.schedule_ticks DROP CONSTRAINT schedule_ticks_pkey;
      ALTER TABLE boxagnts.schedule_ticks ADD PRIMARY KEY (workspace_id, job, tick);
    `,
  },
];

/** What a worker's role may do: lease and report runs, stream their events, open approvals, record usage. */
export const WORKER_GRANTS: readonly string[] = [
  'GRANT SELECT ON boxagnts.workspaces TO %ROLE%',
  'GRANT SELECT, UPDATE ON boxagnts.runs TO %ROLE%',
  'GRANT SELECT, INSERT ON boxagnts.run_events TO %ROLE%',
  'GRANT SELECT, INSERT ON boxagnts.approvals TO %ROLE%',
  'GRANT INSERT ON boxagnts.usage TO %ROLE%',
  'GRANT SELECT, INSERT ON boxagnts.schedule_ticks TO %ROLE%',
  'GRANT SELECT, INSERT, UPDATE ON boxagnts.workers TO %ROLE%',
  'GRANT SELECT ON boxagnts.team TO %ROLE%',
  'GRANT USAGE ON SEQUENCE boxagnts.usage_id_seq TO %ROLE%',
];

/**
 * What a worker's role may do in pg-boss's schema (made by the server when its queue starts): lease, renew and
 * report jobs, and run the maintenance that expires leases and archives finished jobs. Creating queues and
 * migrating the schema stay the server's.
 */
export const WORKER_QUEUE_GRANTS: readonly string[] = [
  'GRANT USAGE ON SCHEMA pgboss TO %ROLE%',
  'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pgboss TO %ROLE%',
];
