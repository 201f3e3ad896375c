import type { JobList } from '@contract/automation';
import { AgentListSchema } from '@contract/agents';
import { ModelListSchema } from '@contract/models';
import { PERMISSION_MODES } from '@contract/permissions';
import { ArrowLeft } from 'lucide-react';
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { MODE_LABELS } from '../agents/agents-api';
import { Button, Card, PageHeader, cx, inputClass } from '../components/ui';
import { api, errorMessage } from '../lib/api';
import { navigate, onLinkClick } from '../lib/router';
import { FormField, Notice } from '../models/bits';
import { type JobDraft, bodyOf, draftOf, emptyDraft, nameProblem } from './job-draft';
import { type FormErrors, loadJobs, placeError, saveJob } from './jobs-api';
import { ScheduleBuilder } from './ScheduleBuilder';

/** A choice among a few, each explained in one line: radio buttons with their description. */
function Choice<T extends string>({
  name,
  legend,
  value,
  options,
  onChange,
  error,
}: {
  name: string;
  legend: string;
  value: T;
  options: { value: T; label: string; help: string }[];
  onChange: (value: T) => void;
  error?: string | undefined;
}) {
  return (
    <fieldset aria-invalid={error ? true : undefined}>
      <legend className="mb-1 text-sm font-medium">{legend}</legend>
      <div className="flex flex-col gap-2">
        {options.map((option) => (
          <label key={option.value} className="flex items-start gap-2 text-sm">
            <input
              type="radio"
              name={name}
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
              className="mt-1 accent-teal-700"
            />
            <span>
              <span className="font-medium">{option.label}</span>
              <span className="block text-xs text-zinc-600 dark:text-zinc-400">{option.help}</span>
            </span>
          </label>
        ))}
      </div>
      {error && <p className="mt-1.5 text-sm text-red-700 dark:text-red-400">{error}</p>}
    </fieldset>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card title={title}>
      <div className="flex flex-col gap-4">{children}</div>
    </Card>
  );
}

/** Creates a job (`name` absent) or edits one; saved with `PUT /api/jobs/NAME`. */
export function JobForm({ name }: { name: string | undefined }) {
  const [list, setList] = useState<JobList | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [agents, setAgents] = useState<string[]>([]);
  const [models, setModels] = useState<string[]>([]);
  const [draft, setDraft] = useState<JobDraft>(emptyDraft);
  const [errors, setErrors] = useState<FormErrors>({});
  const [saving, setSaving] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    loadJobs().then(
      (loaded) => {
        setList(loaded);
        const job = loaded.jobs.find((j) => j.name === name);
        if (job) setDraft(draftOf(job));
      },
      (e: unknown) => setLoadError(errorMessage(e)),
    );
    // The choices are a help: without them the job still runs with the workspace's defaults.
    api('/api/agents', AgentListSchema).then(
      (l) => setAgents(l.agents.map((a) => a.name)),
      () => setAgents([]),
    );
    api('/api/models', ModelListSchema).then(
      (l) => setModels(l.models.map((m) => m.id)),
      () => setModels([]),
    );
  }, [name]);

  useEffect(() => {
    // The first field the server or the checks refused gets the focus, so a keyboard user lands on what to fix.
    const invalid = form.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    (invalid?.matches('fieldset') ? invalid.querySelector<HTMLElement>('input, select') : invalid)?.focus();
  }, [errors]);

  const back = (
    <a
      href="/cron"
      onClick={onLinkClick('/cron')}
      className="mb-3 inline-flex items-center gap-1 text-sm text-teal-800 hover:underline dark:text-teal-300"
    >
      <ArrowLeft aria-hidden size={15} /> Cron jobs
    </a>
  );
  const title = name ? `Edit ${name}` : 'New job';
  if (loadError)
    return (
      <>
        {back}
        <PageHeader title={title} />
        <Notice tone="error" title="The jobs could not be loaded">
          {loadError}
        </Notice>
      </>
    );
  if (!list)
    return (
      <>
        {back}
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading…</p>
      </>
    );
  if (name && !list.jobs.some((j) => j.name === name))
    return (
      <>
        {back}
        <PageHeader title="Job not found" description={`There is no job named ${name}.`} />
      </>
    );

  const set = <K extends keyof JobDraft>(key: K, value: JobDraft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (saving) return;
    const jobName = name ?? draft.name.trim();
    const problem = name
      ? undefined
      : nameProblem(
          jobName,
          list.jobs.map((j) => j.name),
        );
    if (problem) return setErrors({ name: problem });
    if (!draft.prompt.trim()) return setErrors({ prompt: 'Say what the agent should do on each run.' });
    setSaving(true);
    setErrors({});
    try {
      await saveJob(jobName, bodyOf(draft));
      navigate('/cron');
    } catch (error) {
      setErrors(placeError(error));
      setSaving(false);
    }
  };
  const field = (id: keyof FormErrors) => ({ 'aria-invalid': errors[id] ? true : undefined });
  const numberInput = (id: string, key: 'maxTurns' | 'maxCostUsd' | 'maxWallMinutes', step: string) => (
    <input
      id={id}
      type="number"
      min={0}
      step={step}
      inputMode="decimal"
      className={inputClass}
      value={draft[key]}
      onChange={(e) => set(key, e.target.value)}
      {...field(key === 'maxWallMinutes' ? 'maxWallMs' : key)}
    />
  );
  const agentChoices = draft.agentType && !agents.includes(draft.agentType) ? [draft.agentType, ...agents] : agents;
  const modelChoices = draft.model && !models.includes(draft.model) ? [draft.model, ...models] : models;

  return (
    <div>
      {back}
      <PageHeader title={title} description="A prompt an agent runs on a schedule, each run a session of its own." />
      <form ref={form} onSubmit={(e) => void submit(e)} noValidate className="flex flex-col gap-4">
        <Section title="Job">
          {!name && (
            <FormField id="job-name" label="Name" hint="Lower-case letters, digits and hyphens." error={errors.name}>
              <input
                id="job-name"
                className={cx(inputClass, 'font-mono')}
                value={draft.name}
                autoComplete="off"
                spellCheck={false}
                onChange={(e) => set('name', e.target.value)}
                {...field('name')}
              />
            </FormField>
          )}
          <FormField id="job-prompt" label="Prompt" error={errors.prompt}>
            <textarea
              id="job-prompt"
              rows={5}
              className={inputClass}
              value={draft.prompt}
              onChange={(e) => set('prompt', e.target.value)}
              {...field('prompt')}
            />
          </FormField>
          <ScheduleBuilder
            draft={draft.schedule}
            onChange={(schedule) => set('schedule', schedule)}
            error={errors.schedule}
          />
        </Section>
        <Section title="Agent">
          <div className="grid gap-4 sm:grid-cols-2">
            <FormField
              id="job-agent"
              label="Agent type"
              hint="Optional: its tools, mode and limits narrow the job's."
              error={errors.agentType}
            >
              <select
                id="job-agent"
                className={inputClass}
                value={draft.agentType}
                onChange={(e) => set('agentType', e.target.value)}
                {...field('agentType')}
              >
                <option value="">None</option>
                {agentChoices.map((a) => (
                  <option key={a}>{a}</option>
                ))}
              </select>
            </FormField>
            <FormField id="job-model" label="Model" error={errors.model}>
              <select
                id="job-model"
                className={inputClass}
                value={draft.model}
                onChange={(e) => set('model', e.target.value)}
                {...field('model')}
              >
                <option value="">The workspace's default</option>
                {modelChoices.map((m) => (
                  <option key={m}>{m}</option>
                ))}
              </select>
            </FormField>
          </div>
        </Section>
        <Section title="Permissions">
          <FormField id="job-mode" label="Permission mode" error={errors.mode}>
            <select
              id="job-mode"
              className={inputClass}
              value={draft.mode}
              onChange={(e) => set('mode', e.target.value as JobDraft['mode'])}
              {...field('mode')}
            >
              {PERMISSION_MODES.map((m) => (
                <option key={m} value={m}>
                  {MODE_LABELS[m]}
                </option>
              ))}
            </select>
          </FormField>
          <FormField
            id="job-rules"
            label="Rules"
            hint="One a line, on top of the workspace's, e.g. allow bash(npm test*) or deny write(.env)."
            error={errors.rules}
          >
            <textarea
              id="job-rules"
              rows={3}
              className={cx(inputClass, 'font-mono')}
              spellCheck={false}
              value={draft.rules}
              onChange={(e) => set('rules', e.target.value)}
              {...field('rules')}
            />
          </FormField>
          <Choice
            name="unattended"
            legend="When a call would ask for approval"
            value={draft.unattended}
            onChange={(v) => set('unattended', v)}
            error={errors.unattended}
            options={[
              { value: 'deny', label: 'Deny', help: 'Refused at once; the agent is told and carries on without it.' },
              {
                value: 'park',
                label: 'Park in Approvals',
                help: 'Waits in the Approvals inbox for someone to answer, within the run’s time limit.',
              },
            ]}
          />
        </Section>
        <Section title="Limits and timing">
          <div className="grid gap-4 sm:grid-cols-3">
            <FormField id="job-max-turns" label="Max turns" hint="Empty: no limit." error={errors.maxTurns}>
              {numberInput('job-max-turns', 'maxTurns', '1')}
            </FormField>
            <FormField id="job-max-cost" label="Max cost (USD)" hint="Empty: no limit." error={errors.maxCostUsd}>
              {numberInput('job-max-cost', 'maxCostUsd', '0.01')}
            </FormField>
            <FormField id="job-max-wall" label="Max minutes" hint="Wall time of one run." error={errors.maxWallMs}>
              {numberInput('job-max-wall', 'maxWallMinutes', '1')}
            </FormField>
          </div>
          <Choice
            name="overlap"
            legend="When a run is due while the last one still goes on"
            value={draft.overlap}
            onChange={(v) => set('overlap', v)}
            error={errors.overlap}
            options={[
              { value: 'skip', label: 'Skip', help: 'The new run does not start; its skip is recorded.' },
              { value: 'queue', label: 'Queue', help: 'The new run starts when the last one ends.' },
            ]}
          />
          <Choice
            name="missed"
            legend="Runs missed while the server was down"
            value={draft.missed}
            onChange={(v) => set('missed', v)}
            error={errors.missed}
            options={[
              { value: 'skip', label: 'Skip', help: 'Wait for the next time it is due.' },
              { value: 'run-once', label: 'Run once', help: 'One run at start makes up for all of them.' },
            ]}
          />
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={draft.enabled}
              onChange={(e) => set('enabled', e.target.checked)}
              className="accent-teal-700"
            />
            Enabled (unchecked: saved paused)
          </label>
        </Section>
        {errors.form && <Notice tone="error">{errors.form}</Notice>}
        <div className="flex gap-2">
          <Button type="submit" variant="primary" disabled={saving}>
            {saving ? 'Saving…' : name ? 'Save job' : 'Create job'}
          </Button>
          <Button onClick={() => navigate('/cron')}>Cancel</Button>
        </div>
      </form>
    </div>
  );
}
