import { AGENT_NAME, type AgentDefinition, type AgentList } from '@contract/agents';
import { PERMISSION_MODES, type PermissionMode } from '@contract/permissions';
import { ArrowLeft, Trash2 } from 'lucide-react';
import { type FormEvent, type KeyboardEvent, useCallback, useEffect, useRef, useState } from 'react';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Button, Card, PageHeader, Segmented, cx, inputClass } from '../components/ui';
import { errorMessage } from '../lib/api';
import { navigate, onLinkClick } from '../lib/router';
import { useStore } from '../lib/store';
import { FormField, Notice } from '../models/bits';
import { appStore } from '../state';
import { NameListField } from './NameListField';
import {
  type AgentDraft,
  EMPTY_DRAFT,
  type FormErrors,
  MODE_LABELS,
  ORIGIN_LABELS,
  bodyOf,
  deleteAgent,
  draftOf,
  loadAgents,
  loadToolNames,
  placeError,
  saveAgent,
  workspaceFile,
} from './agents-api';

/** What the editor does: write a new file, rewrite a workspace file, or copy another type into the workspace. */
type Target =
  | { mode: 'create' }
  | { mode: 'edit'; agent: AgentDefinition }
  | { mode: 'copy'; agent: AgentDefinition }
  | { mode: 'missing' };

function targetOf(name: string | undefined, list: AgentList): Target {
  if (name === undefined) return { mode: 'create' };
  const agent = list.agents.find((a) => a.name === name);
  if (!agent) return { mode: 'missing' };
  return agent.origin === 'workspace' ? { mode: 'edit', agent } : { mode: 'copy', agent };
}

/** Why a new agent cannot take this name, checked before asking the server. */
function nameProblem(name: string, list: AgentList): string | undefined {
  if (!AGENT_NAME.test(name))
    return 'Use lower-case letters, digits and hyphens, starting with a letter or digit (at most 64 characters).';
  if (list.agents.some((a) => a.name === name && a.origin === 'workspace'))
    return `This workspace already has an agent named ${name}: edit it instead.`;
  if (list.invalid.some((file) => file.path === workspaceFile(name)))
    return `${workspaceFile(name)} exists but does not load; fix or remove that file first.`;
  return undefined;
}

/**
 * Creates or edits an agent file of the workspace (`.boxagnts/agents/NAME.md`), or copies a built-in or read-only
 * type there to customise it. `name` absent: a new agent.
 */
export function AgentEditor({ name }: { name: string | undefined }) {
  const [list, setList] = useState<AgentList | null>(null);
  const [toolNames, setToolNames] = useState<string[] | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [draft, setDraft] = useState<AgentDraft>(EMPTY_DRAFT);
  const [baseline, setBaseline] = useState<AgentDraft>(EMPTY_DRAFT);
  const [errors, setErrors] = useState<FormErrors>({});
  const [saving, setSaving] = useState(false);
  const [savedPath, setSavedPath] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleting, setDeleting] = useState(false);
  /** The name this editor just saved and moved to: that navigation must not reload what the user is editing. */
  const savedAs = useRef<string | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const defaults = useStore(appStore, (s) => s.settings?.orchestration.defaults);
  const cancelDelete = useCallback(() => setConfirmDelete(false), []);

  useEffect(() => {
    if (name !== undefined && name === savedAs.current) return;
    let current = true;
    setList(null);
    setLoadError(null);
    setErrors({});
    setSavedPath(null);
    loadAgents().then(
      (loaded) => {
        if (!current) return;
        const target = targetOf(name, loaded);
        const initial = target.mode === 'edit' || target.mode === 'copy' ? draftOf(target.agent) : EMPTY_DRAFT;
        setList(loaded);
        setDraft(initial);
        setBaseline(target.mode === 'edit' ? initial : EMPTY_DRAFT);
      },
      (e: unknown) => current && setLoadError(errorMessage(e)),
    );
    return () => {
      current = false;
    };
  }, [name]);

  useEffect(() => {
    // Without the list the fields still take any name; only the suggestions and the marks are missing.
    loadToolNames().then(setToolNames, () => setToolNames(undefined));
  }, []);

  useEffect(() => {
    // The first field the server or the checks refused gets the focus, so a keyboard user lands on what to fix.
    form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errors]);

  const back = (
    <a
      href="/agents"
      onClick={onLinkClick('/agents')}
      className="mb-3 inline-flex items-center gap-1 text-sm text-teal-800 hover:underline dark:text-teal-300"
    >
      <ArrowLeft aria-hidden size={15} /> Agents
    </a>
  );
  if (loadError)
    return (
      <>
        {back}
        <PageHeader title={name ? `Agent ${name}` : 'New agent'} />
        <Notice tone="error" title="The agent types could not be loaded">
          {loadError}
        </Notice>
      </>
    );
  if (!list)
    return (
      <>
        {back}
        <p className="text-sm text-zinc-500 dark:text-zinc-400">Loading…</p>
      </>
    );
  const target = targetOf(name, list);
  if (target.mode === 'missing') {
    const broken = list.invalid.find((file) => file.path === workspaceFile(name ?? ''));
    return (
      <>
        {back}
        <PageHeader title="Agent not found" description={`There is no agent type named ${name}.`} />
        {broken && (
          <Notice tone="warn" title={`${broken.path} does not load`}>
            {broken.problem}
          </Notice>
        )}
      </>
    );
  }

  const finalName = target.mode === 'create' ? draft.name.trim() : target.agent.name;
  const dirty = JSON.stringify(draft) !== JSON.stringify(baseline);
  const set = <K extends keyof AgentDraft>(key: K, value: AgentDraft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setSavedPath(null);
  };

  const save = async () => {
    if (saving) return;
    if (target.mode === 'create') {
      const problem = nameProblem(finalName, list);
      if (problem) return setErrors({ name: problem });
    }
    if (draft.description.trim() === '')
      return setErrors({ description: 'Say what the agent does: the agent that starts it chooses by this.' });
    setSaving(true);
    setErrors({});
    const submitted = draft;
    try {
      const saved = await saveAgent(finalName, bodyOf(submitted));
      const next = draftOf(saved);
      // What was typed while saving is kept; otherwise the form shows the file as the server read it back.
      setDraft((current) => (current === submitted ? next : current));
      setBaseline(next);
      setSavedPath(saved.path ?? workspaceFile(finalName));
      setList((l) => l && { ...l, agents: [saved, ...l.agents.filter((a) => a.name !== saved.name)] });
      // The files it now hides are only known to the server. The list above is right for everything else, so a
      // failed refresh costs only the note in the delete confirmation.
      loadAgents().then(setList, () => undefined);
      if (name !== saved.name) {
        savedAs.current = saved.name;
        navigate(`/agents/edit/${saved.name}`, { replace: true });
      }
    } catch (error) {
      setErrors(placeError(error));
    } finally {
      setSaving(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save();
  };
  const onInstructionsKey = (event: KeyboardEvent) => {
    if ((event.ctrlKey || event.metaKey) && event.key === 's') {
      event.preventDefault();
      if (dirty || target.mode !== 'edit') void save();
    }
  };
  const remove = async () => {
    setDeleting(true);
    try {
      await deleteAgent(finalName);
      navigate('/agents');
    } catch (error) {
      setConfirmDelete(false);
      setErrors({ form: errorMessage(error) });
      setDeleting(false);
    }
  };

  const shadowedByThis = list.shadowed.filter((s) => s.name === finalName);
  const replaced =
    target.mode === 'copy'
      ? target.agent
      : target.mode === 'create'
        ? list.agents.find((a) => a.name === finalName && a.origin !== 'workspace')
        : undefined;
  const title =
    target.mode === 'create' ? 'New agent' : target.mode === 'edit' ? `Edit ${finalName}` : `Customise ${finalName}`;
  const saveLabel = saving
    ? 'Saving…'
    : target.mode === 'create'
      ? 'Create agent'
      : target.mode === 'copy'
        ? 'Save to the workspace'
        : dirty
          ? 'Save'
          : 'Saved';
  const turnsDefault = defaults ? `Workspace default (${defaults.maxTurns})` : 'Workspace default';
  const budgetDefault = defaults?.budgetUsd ? `Workspace default ($${defaults.budgetUsd})` : 'No cap of its own';

  return (
    <>
      {back}
      <PageHeader
        title={title}
        description={
          target.mode === 'copy' ? (
            <>
              A copy of the {ORIGIN_LABELS[target.agent.origin].toLowerCase()} agent
              {target.agent.path ? ` in ${target.agent.path}` : ''}. Saving writes{' '}
              <code>{workspaceFile(finalName)}</code>, which then takes its place.
            </>
          ) : (
            <>
              Saved as <code>{workspaceFile(finalName || 'NAME')}</code>: YAML front matter for the fields, and the
              instructions as Markdown below it.
            </>
          )
        }
      />
      <form ref={form} onSubmit={submit} noValidate className="space-y-5" aria-label={title}>
        {errors.form && (
          <Notice tone="error" title="Not saved">
            {errors.form}
          </Notice>
        )}
        <Card>
          <div className="grid gap-4 sm:grid-cols-2">
            {target.mode === 'create' ? (
              <FormField
                id="agent-name"
                label="Name"
                error={errors.name}
                hint={
                  replaced ? (
                    <>
                      Takes the place of the {ORIGIN_LABELS[replaced.origin].toLowerCase()} agent {replaced.name}.
                    </>
                  ) : (
                    <>
                      What <code>agent_type</code> names: lower-case letters, digits and hyphens.
                    </>
                  )
                }
              >
                <input
                  id="agent-name"
                  className={cx(inputClass, 'font-mono')}
                  value={draft.name}
                  autoFocus
                  autoComplete="off"
                  spellCheck={false}
                  maxLength={64}
                  placeholder="reviewer"
                  aria-invalid={errors.name ? true : undefined}
                  onChange={(e) => set('name', e.target.value)}
                />
              </FormField>
            ) : (
              <div className="min-w-0">
                <div className="mb-1 text-sm font-medium">Name</div>
                <p className="py-1.5 font-mono text-sm">{finalName}</p>
              </div>
            )}
            <FormField
              id="agent-model"
              label="Model"
              error={errors.model}
              hint={
                <>
                  <code>provider/model</code>; empty: the model of the agent that starts it.
                </>
              }
            >
              <input
                id="agent-model"
                className={cx(inputClass, 'font-mono')}
                value={draft.model}
                autoComplete="off"
                spellCheck={false}
                placeholder="Inherited"
                aria-invalid={errors.model ? true : undefined}
                onChange={(e) => set('model', e.target.value)}
              />
            </FormField>
          </div>
          <div className="mt-4">
            <FormField
              id="agent-description"
              label="Description"
              error={errors.description}
              hint="When to use this agent. The agent that starts others reads it to choose a type."
            >
              <textarea
                id="agent-description"
                className={cx(inputClass, 'resize-y')}
                rows={2}
                value={draft.description}
                maxLength={1024}
                autoFocus={target.mode !== 'create'}
                aria-invalid={errors.description ? true : undefined}
                onChange={(e) => set('description', e.target.value)}
              />
            </FormField>
          </div>
        </Card>

        <Card title="Tools">
          <div className="space-y-4">
            <div>
              <Segmented<'all' | 'only'>
                label="Which tools"
                value={draft.limitTools ? 'only' : 'all'}
                options={[
                  { value: 'all', label: 'All the parent has' },
                  { value: 'only', label: 'Only these' },
                ]}
                onChange={(value) => set('limitTools', value === 'only')}
              />
            </div>
            {draft.limitTools && (
              <NameListField
                label="Tools"
                values={draft.tools}
                onChange={(tools) => set('tools', tools)}
                known={toolNames}
                placeholder="read"
                error={errors.tools}
                hint={
                  draft.tools.length === 0
                    ? 'None yet: with an empty list the agent has no tools and can only answer.'
                    : 'Of these, only those the agent that starts it has. Patterns like mcp_* work.'
                }
              />
            )}
            <NameListField
              label="Disallowed tools"
              values={draft.disallowedTools}
              onChange={(tools) => set('disallowedTools', tools)}
              known={toolNames}
              placeholder="bash"
              error={errors.disallowedTools}
              hint="Never offered to this agent, whatever it would have otherwise."
            />
            <NameListField
              label="Skills"
              values={draft.skills}
              onChange={(skills) => set('skills', skills)}
              placeholder="skill name"
              error={errors.skills}
              hint="Skills this agent loads, by name."
            />
          </div>
        </Card>

        <Card title="Limits">
          <div className="grid gap-4 sm:grid-cols-2">
            <FormField
              id="agent-mode"
              label="Permission mode"
              error={errors.permissionMode}
              hint="An agent can only narrow the mode it runs under, never widen it: under a parent that asks before changes, Bypass still asks."
            >
              <select
                id="agent-mode"
                className={inputClass}
                value={draft.permissionMode}
                aria-invalid={errors.permissionMode ? true : undefined}
                onChange={(e) => set('permissionMode', e.target.value as PermissionMode | '')}
              >
                <option value="">None: the parent's mode</option>
                {PERMISSION_MODES.map((mode) => (
                  <option key={mode} value={mode}>
                    {MODE_LABELS[mode]}
                  </option>
                ))}
              </select>
            </FormField>
            <div className="min-w-0">
              <div className="mb-1 text-sm font-medium" aria-hidden>
                Isolation
              </div>
              <Segmented<'none' | 'worktree'>
                label="Isolation"
                value={draft.isolation}
                options={[
                  { value: 'none', label: 'None' },
                  { value: 'worktree', label: 'Git worktree' },
                ]}
                onChange={(value) => set('isolation', value)}
              />
              <div className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
                Worktree: the agent works on a new git branch in a folder of its own (git repositories only).
              </div>
            </div>
            <label className="flex items-start gap-2 text-sm sm:col-span-2">
              <input
                type="checkbox"
                className="mt-0.5 h-4 w-4 accent-teal-700"
                checked={draft.readOnly}
                onChange={(event) => set('readOnly', event.target.checked)}
              />
              <span>
                <span className="font-medium">Read-only workspace</span>
                <span className="block text-xs text-zinc-500 dark:text-zinc-400">
                  Its runs see the workspace mounted read-only: no tool of theirs can change a file.
                </span>
              </span>
            </label>
            <FormField
              id="agent-turns"
              label="Max turns"
              error={errors.maxTurns}
              hint="Model calls before it stops; taken from the parent's."
            >
              <input
                id="agent-turns"
                type="number"
                inputMode="numeric"
                min={1}
                max={1000}
                step={1}
                className={inputClass}
                value={draft.maxTurns}
                placeholder={turnsDefault}
                aria-invalid={errors.maxTurns ? true : undefined}
                onChange={(e) => set('maxTurns', e.target.value)}
              />
            </FormField>
            <FormField
              id="agent-budget"
              label="Budget (USD)"
              error={errors.budgetUsd}
              hint="A cost cap for each run of this agent, reserved from the parent's budget."
            >
              <input
                id="agent-budget"
                type="number"
                inputMode="decimal"
                min={0}
                step={0.01}
                className={inputClass}
                value={draft.budgetUsd}
                placeholder={budgetDefault}
                aria-invalid={errors.budgetUsd ? true : undefined}
                onChange={(e) => set('budgetUsd', e.target.value)}
              />
            </FormField>
          </div>
        </Card>

        <FormField
          id="agent-instructions"
          label="Instructions"
          error={errors.instructions}
          hint="Markdown, added to the agent's system prompt. Ctrl+S (⌘S) saves."
        >
          <textarea
            id="agent-instructions"
            className="h-[45vh] min-h-48 w-full resize-y rounded-lg border border-zinc-300 bg-white p-3 font-mono text-sm text-zinc-900 focus:border-teal-600 focus:outline-none dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100"
            value={draft.instructions}
            spellCheck={false}
            placeholder={'You review changes for bugs and risky patterns.\n\nRead the diff, then…'}
            aria-invalid={errors.instructions ? true : undefined}
            onChange={(e) => set('instructions', e.target.value)}
            onKeyDown={onInstructionsKey}
          />
        </FormField>

        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" variant="primary" disabled={saving || (target.mode === 'edit' && !dirty)}>
            {saveLabel}
          </Button>
          <Button onClick={() => navigate('/agents')}>{target.mode === 'edit' ? 'Close' : 'Cancel'}</Button>
          {savedPath && (
            <span role="status" className="text-sm text-emerald-800 dark:text-emerald-300">
              Saved to <code>{savedPath}</code>
            </span>
          )}
          {target.mode === 'edit' && (
            <Button variant="danger-ghost" className="ml-auto" onClick={() => setConfirmDelete(true)}>
              <Trash2 aria-hidden size={15} /> Delete
            </Button>
          )}
        </div>
      </form>
      {confirmDelete && (
        <ConfirmDialog
          title={`Delete ${finalName}?`}
          message={
            `${workspaceFile(finalName)} is removed.` +
            (shadowedByThis.length ? ` ${shadowedByThis[0]!.path} is used for ${finalName} again.` : '')
          }
          confirmLabel="Delete"
          busy={deleting}
          onConfirm={() => void remove()}
          onCancel={cancelDelete}
        />
      )}
    </>
  );
}
