import type { SkillDetail } from '@contract/skills';
import { ArrowLeft, Download, Trash2 } from 'lucide-react';
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Badge, Button, FieldError, PageHeader, Switch } from '../components/ui';
import { ApiError, errorMessage } from '../lib/api';
import { navigate, onLinkClick } from '../lib/router';
import { SkillEditor } from './SkillEditor';
import { SkillFiles } from './SkillFiles';
import { AllowedTools } from './SkillRow';
import { ORIGIN_LABEL, loadState } from './labels';
import { deleteSkill, exportUrl, loadSkill, setSkillEnabled } from './skills-api';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="mt-0.5 break-words text-sm">{children}</dd>
    </div>
  );
}

/** What the front matter says about how the skill runs, and where it lives. */
function Facts({ skill }: { skill: SkillDetail['skill'] }) {
  const state = loadState(skill);
  const runs = [
    skill.modelInvocable && 'the agent, when a task matches',
    skill.userInvocable && `you, as /${skill.name} in the chat`,
  ].filter(Boolean);
  return (
    <dl className="grid gap-4 rounded-lg border border-zinc-200 bg-white p-4 sm:grid-cols-2 dark:border-zinc-800 dark:bg-zinc-900">
      <Fact label="Folder">
        {ORIGIN_LABEL[skill.origin]} · <code className="break-all font-mono text-xs">{skill.path}</code>
      </Fact>
      <Fact label="State">
        <Badge tone={state.tone}>{state.label}</Badge>{' '}
        <span className="text-zinc-600 dark:text-zinc-400">{state.why}</span>
      </Fact>
      <Fact label="Run by">{runs.length > 0 ? runs.join('; ') : 'nobody (neither the agent nor /name)'}</Fact>
      <Fact label="Allowed tools">
        {skill.allowedTools.length > 0 ? (
          <>
            <AllowedTools tools={skill.allowedTools} />
            <span className="mt-1 block text-xs text-zinc-600 dark:text-zinc-400">
              Run without asking while the skill is active, where they would otherwise ask.
            </span>
          </>
        ) : (
          <span className="text-zinc-600 dark:text-zinc-400">none: every tool asks as usual</span>
        )}
      </Fact>
      {skill.arguments.length > 0 && (
        <Fact label="Arguments">
          <ul className="space-y-0.5">
            {skill.arguments.map((arg) => (
              <li key={arg.name}>
                <code className="font-mono text-xs">{arg.name}</code>
                {arg.required && <span className="text-xs text-zinc-600 dark:text-zinc-400"> (required)</span>}
                {arg.description && <span className="text-zinc-600 dark:text-zinc-400"> — {arg.description}</span>}
              </li>
            ))}
          </ul>
        </Fact>
      )}
      {skill.whenToUse && <Fact label="When to use">{skill.whenToUse}</Fact>}
      {skill.compatibility && <Fact label="Compatibility">{skill.compatibility}</Fact>}
      {skill.license && <Fact label="License">{skill.license}</Fact>}
    </dl>
  );
}

/** One skill: what it is and how it runs, its SKILL.md (edited in place when its folder is editable) and its files. */
export function SkillView({ name }: { name: string }) {
  const [detail, setDetail] = useState<SkillDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const load = useCallback(() => {
    loadSkill(name).then(setDetail, (e: unknown) => {
      if (e instanceof ApiError && (e.status === 404 || e.status === 400)) setMissing(true);
      setError(errorMessage(e));
    });
  }, [name]);
  useEffect(load, [load]);

  const back = (
    <a
      href="/skills"
      onClick={onLinkClick('/skills')}
      className="mb-3 inline-flex items-center gap-1 text-sm text-teal-800 hover:underline dark:text-teal-300"
    >
      <ArrowLeft size={14} aria-hidden /> Skills
    </a>
  );
  if (!detail)
    return (
      <>
        {back}
        {missing ? <PageHeader title={name} /> : null}
        <FieldError message={error} />
      </>
    );
  const { skill } = detail;
  const toggle = (enabled: boolean) => {
    setError(null);
    setSkillEnabled(name, enabled).then(load, (e: unknown) => setError(errorMessage(e)));
  };
  const remove = () => {
    setBusy(true);
    deleteSkill(name).then(
      () => navigate('/skills'),
      (e: unknown) => {
        setError(errorMessage(e));
        setBusy(false);
        setConfirming(false);
      },
    );
  };

  return (
    <>
      {back}
      <PageHeader
        title={name}
        description={skill.description}
        actions={
          <>
            <label className="mr-1 inline-flex items-center gap-2 text-sm">
              <Switch checked={skill.enabled} onChange={toggle} label={`Enable ${name}`} />
              {skill.enabled ? 'On' : 'Off'}
            </label>
            <a
              href={exportUrl(name)}
              download={`${name}.zip`}
              className="inline-flex items-center gap-1.5 rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium text-zinc-800 hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-zinc-800"
            >
              <Download size={15} aria-hidden /> Export .zip
            </a>
            {skill.editable && (
              <Button variant="danger-ghost" onClick={() => setConfirming(true)}>
                <Trash2 size={15} aria-hidden /> Delete
              </Button>
            )}
          </>
        }
      />
      <FieldError message={error} />
      <Facts skill={skill} />
      <SkillEditor detail={detail} onSaved={setDetail} />
      <SkillFiles name={name} files={detail.files} truncated={detail.truncated} />
      {confirming && (
        <ConfirmDialog
          title={`Delete ${name}?`}
          message={`Its folder ${skill.path} is removed with every file in it. This cannot be undone; export it first to keep a copy.`}
          confirmLabel="Delete"
          busy={busy}
          onConfirm={remove}
          onCancel={() => setConfirming(false)}
        />
      )}
    </>
  );
}
