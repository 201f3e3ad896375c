import { type PermissionMode, type PermissionsOverview, PermissionsOverviewSchema } from '@contract/permissions';
import { SettingsSchema } from '@contract/settings';
import { Plus, Trash2 } from 'lucide-react';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { Button, Card, FieldError, PageHeader, Segmented, inputClass } from '../components/ui';
import { ApiError, api, apiSend, errorMessage } from '../lib/api';
import { useDraft } from '../lib/draft';
import { onLinkClick } from '../lib/router';
import { applySettings } from '../state';
import { HostTierCard } from './HostTierCard';
import { SandboxCard } from './SandboxCard';
import { WorkersCard } from './WorkersCard';

const MODE_HELP: Record<PermissionMode, string> = {
  default: 'Reading is allowed; writing files, running commands and network access ask first.',
  acceptEdits: 'Reading and writing files are allowed; commands and network access ask first.',
  plan: 'Read only: writes and commands are refused until the agent’s plan is approved.',
  bypass: 'Everything is allowed without asking, except what a deny rule forbids. Use with care.',
};

async function patch(body: unknown): Promise<void> {
  applySettings(await api('/api/settings', SettingsSchema, { method: 'PATCH', body }));
}

/** Settings → Security: the workspace's permission mode, its rules, and the standing grants made from approvals. */
export function SecurityPage() {
  const [data, setData] = useState<PermissionsOverview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { draft, setDraft, busy, submit } = useDraft('');
  const [ruleError, setRuleError] = useState<string | null>(null);
  const load = useCallback(() => {
    api('/api/permissions', PermissionsOverviewSchema).then(setData, (e: unknown) => setError(errorMessage(e)));
  }, []);
  useEffect(load, [load]);

  const setMode = (mode: PermissionMode) => {
    setError(null);
    patch({ permissions: { mode } }).then(load, (e: unknown) => setError(errorMessage(e)));
  };
  const saveRules = async (rules: string[]) => {
    setRuleError(null);
    try {
      await patch({ permissions: { rules } });
      load();
      return true;
    } catch (e) {
      setRuleError(e instanceof ApiError ? e.message : String(e));
      return false;
    }
  };
  const addRule = async (event: FormEvent) => {
    event.preventDefault();
    if (data && draft.trim()) await submit((rule) => saveRules([...data.rules, rule.trim()]));
  };
  const revoke = (id: string) =>
    apiSend(`/api/permissions/grants/${id}`, { method: 'DELETE' }).then(load, (e: unknown) =>
      setError(errorMessage(e)),
    );

  return (
    <>
      <PageHeader
        title="Security"
        description="What agents may do in this workspace without asking. Every tool call — built-in, sandboxed, MCP or agent — passes these checks."
      />
      {!data ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">{error ?? 'Loading…'}</p>
      ) : (
        <div className="space-y-5">
          <Card
            title="Permission mode"
            description="The workspace default; each chat can switch its own from the chat header."
          >
            <Segmented<PermissionMode>
              label="Permission mode"
              value={data.mode}
              options={[
                { value: 'default', label: 'Default' },
                { value: 'acceptEdits', label: 'Accept edits' },
                { value: 'plan', label: 'Plan' },
                { value: 'bypass', label: 'Bypass' },
              ]}
              onChange={setMode}
            />
            <p
              className={`mt-2 text-sm ${data.mode === 'bypass' ? 'text-red-700 dark:text-red-400' : 'text-zinc-600 dark:text-zinc-400'}`}
            >
              {MODE_HELP[data.mode]}
            </p>
            <FieldError message={error} />
          </Card>

          <Card
            title="Rules"
            description={
              <>
                Allow, ask or deny by tool and pattern, e.g. <code>allow edit(src/*)</code>,{' '}
                <code>deny bash(rm *)</code>, <code>allow web_fetch(https://docs.example.com/*)</code>. The last rule
                that matches a call decides; a deny rule beats every mode. For <code>bash</code>, a pattern is matched
                against each command of the line (pipes, lists and <code>$( )</code> included), and a command whose
                program is only known when it runs asks.
              </>
            }
          >
            {data.rules.length > 0 ? (
              <ol
                aria-label="Rules"
                className="mb-3 divide-y divide-zinc-200 rounded-md border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800"
              >
                {data.rules.map((rule, i) => (
                  <li key={`${i}-${rule}`} className="flex items-center justify-between gap-2 px-3 py-1.5 text-sm">
                    <code className="min-w-0 break-all">{rule}</code>
                    <Button
                      variant="ghost"
                      aria-label={`Remove rule ${rule}`}
                      disabled={busy}
                      onClick={() => void saveRules(data.rules.filter((_, j) => j !== i))}
                    >
                      <Trash2 size={15} />
                    </Button>
                  </li>
                ))}
              </ol>
            ) : (
              <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">No rules: the mode decides.</p>
            )}
            <form onSubmit={(e) => void addRule(e)} className="flex gap-2">
              <label className="sr-only" htmlFor="new-rule">
                New rule
              </label>
              <input
                id="new-rule"
                className={`${inputClass} font-mono`}
                placeholder="deny bash(rm *)"
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
              />
              <Button type="submit" variant="primary" disabled={busy || !draft.trim()}>
                <Plus size={15} /> Add
              </Button>
            </form>
            <FieldError message={ruleError} />
          </Card>

          <SandboxCard />

          <WorkersCard />

          <HostTierCard />

          <Card
            title="Standing grants"
            description="Made by “Always allow in this workspace” on an approval. They apply after the rules above. Grants for a single session are listed in that session."
          >
            {data.grants.length === 0 ? (
              <p className="text-sm text-zinc-600 dark:text-zinc-400">None yet.</p>
            ) : (
              <ul
                className="divide-y divide-zinc-200 rounded-md border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800"
                aria-label="Standing grants"
              >
                {data.grants.map((g) => (
                  <li key={g.id} className="flex flex-wrap items-center justify-between gap-2 px-3 py-2">
                    <div className="min-w-0">
                      <code className="break-all text-sm">{g.rule}</code>
                      <p className="text-xs text-zinc-600 dark:text-zinc-400">
                        Approved {new Date(g.createdAt).toLocaleString()} for{' '}
                        <span className="font-mono">{g.origin.tool}</span>
                        {g.origin.subject && <span className="font-mono"> {g.origin.subject}</span>} in{' '}
                        <a
                          href={`/chat/${g.origin.sessionId}`}
                          onClick={onLinkClick(`/chat/${g.origin.sessionId}`)}
                          className="text-teal-700 hover:underline dark:text-teal-400"
                        >
                          {g.origin.sessionTitle || g.origin.sessionId}
                        </a>
                      </p>
                    </div>
                    <Button variant="danger" onClick={() => void revoke(g.id)} aria-label={`Revoke ${g.rule}`}>
                      Revoke
                    </Button>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      )}
    </>
  );
}
