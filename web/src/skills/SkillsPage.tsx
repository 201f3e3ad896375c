import type { SkillList } from '@contract/skills';
import { Plus } from 'lucide-react';
import { useCallback, useEffect, useState } from 'react';
import { Button, FieldError, PageHeader } from '../components/ui';
import { errorMessage } from '../lib/api';
import { navigate } from '../lib/router';
import { CreateSkillDialog } from './CreateSkillDialog';
import { ImportButtons } from './ImportButtons';
import { SkillRow } from './SkillRow';
import { InvalidSkills, PromptBlockMeter, ShadowedSkills, TrustBanner } from './SkillsNotes';
import { SkillView } from './SkillView';
import { isRepositoryOrigin } from './labels';
import { createSkill, importSkillZip, loadSkills, setProjectTrust, setSkillEnabled } from './skills-api';

/** `/skills` lists the skills; `/skills/NAME` shows one. */
export function SkillsPage({ path }: { path: string }) {
  const name = path.startsWith('/skills/') ? decodeURIComponent(path.slice('/skills/'.length)) : '';
  return name ? <SkillView key={name} name={name} /> : <SkillsOverview />;
}

/**
 * Every skill of the workspace with whether the agent is offered it, the repository's skills waiting for trust, the
 * size of the list in the system prompt, and the folders that failed or are shadowed; new skills from the template
 * or imported.
 */
function SkillsOverview() {
  const [list, setList] = useState<SkillList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [creating, setCreating] = useState(false);
  const load = useCallback(() => {
    loadSkills().then(setList, (e: unknown) => setError(errorMessage(e)));
  }, []);
  useEffect(load, [load]);

  const act = (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    work()
      .then(load, (e: unknown) => setError(errorMessage(e)))
      .finally(() => setBusy(false));
  };
  const waiting = list?.skills.filter((s) => isRepositoryOrigin(s.origin) && s.enabled && !s.loaded).length ?? 0;

  return (
    <>
      <PageHeader
        title="Skills"
        description="Instructions for particular tasks, each a folder with a SKILL.md (the open Agent Skills format). The agent loads one when a task matches its description; you run one by typing /name in the chat."
        actions={
          // Wraps on a phone rather than squeezing the labels.
          <div className="flex flex-wrap gap-2 [&>button]:whitespace-nowrap">
            <Button variant="primary" onClick={() => setCreating(true)}>
              <Plus size={15} aria-hidden /> New skill
            </Button>
            <ImportButtons
              busy={busy}
              onImport={(zip) =>
                act(async () => {
                  const { skill } = await importSkillZip(await zip());
                  navigate(`/skills/${skill.name}`);
                })
              }
            />
          </div>
        }
      />
      <FieldError message={error} />
      {list && (
        <>
          <TrustBanner
            waiting={waiting}
            trusted={list.projectTrusted}
            busy={busy}
            onTrust={(trusted) => act(() => setProjectTrust(trusted))}
          />
          <PromptBlockMeter
            block={list.promptBlock}
            loaded={list.skills.filter((s) => s.loaded && s.modelInvocable).length}
          />
          <ul
            aria-label="Skills"
            className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900"
          >
            {list.skills.map((skill) => (
              <SkillRow
                key={skill.name}
                skill={skill}
                onToggle={(enabled) => act(() => setSkillEnabled(skill.name, enabled))}
              />
            ))}
          </ul>
          <InvalidSkills invalid={list.invalid} />
          <ShadowedSkills shadowed={list.shadowed} />
          <p className="mt-6 text-xs text-zinc-600 dark:text-zinc-400">
            Folders, first one wins for a name: .boxagnts/skills/ (this workspace), .agents/skills/ and .claude/skills/
            (the repository’s, once trusted), ~/.boxagnts/skills/ (yours), then the built-in ones. Import takes a .zip
            of one skill folder, or a folder from your disk.
          </p>
        </>
      )}
      {creating && (
        <CreateSkillDialog
          onCancel={() => setCreating(false)}
          onCreate={async (body) => {
            const { skill } = await createSkill(body);
            navigate(`/skills/${skill.name}`);
          }}
        />
      )}
    </>
  );
}
