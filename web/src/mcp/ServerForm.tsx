import type { McpServerConfig, McpServerStatus } from '@contract/mcp';
import { PERMISSION_LEVELS, type PermissionLevel } from '@contract/permissions';
import { ArrowLeft, PlugZap } from 'lucide-react';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Button, Card, PageHeader, Segmented, cx, inputClass } from '../components/ui';
import { errorMessage } from '../lib/api';
import { navigate, onLinkClick } from '../lib/router';
import { FormField, Notice, Spin } from '../models/bits';
import { SecretSelect } from './SecretSelect';
import { ValueRows } from './ValueRows';
import { loadConfigs, loadSecretNames, saveSecret, saveServer, testServer } from './mcp-api';
import {
  EMPTY_DRAFT,
  type FormErrors,
  type ServerDraft,
  configOf,
  draftOf,
  draftProblems,
  placeError,
} from './server-draft';
import { TRANSPORT_LABELS, count, plural } from './status';

function TestResult({ result }: { result: McpServerStatus }) {
  if (result.state !== 'ready')
    return (
      <Notice tone="error" title="Could not connect">
        {result.reason ?? 'The server did not answer.'}
      </Notice>
    );
  const info = result.serverInfo ? `${result.serverInfo.name} ${result.serverInfo.version}` : 'the server';
  const tokens = result.tools.reduce((sum, t) => sum + t.tokens, 0);
  return (
    <Notice
      tone="ok"
      title={`Connected to ${info} over ${TRANSPORT_LABELS[result.transport]}${
        result.protocolVersion ? ` (protocol ${result.protocolVersion})` : ''
      }: ${plural(result.tools.length, 'tool')}, ~${count.format(tokens)} tokens`}
    >
      {result.tools.length > 0 && (
        <ul aria-label="Tools found" className="mt-1 flex flex-wrap gap-1">
          {result.tools.map((tool) => (
            <li key={tool.name} title={tool.description}>
              <code className="rounded bg-emerald-100 px-1 text-xs dark:bg-emerald-900/60">{tool.name}</code>
            </li>
          ))}
        </ul>
      )}
    </Notice>
  );
}

/**
 * Adds a server or edits one (`name` given): a command to start or a URL to reach, its environment or headers with
 * values typed or taken from named secrets, how far it is trusted, and its timeout. Test connects with what is typed,
 * before anything is saved; Save puts what the server refuses beside its field and keeps everything typed.
 */
export function ServerForm({ name }: { name: string | undefined }) {
  const creating = name === undefined;
  const [configs, setConfigs] = useState<Record<string, McpServerConfig> | null>(null);
  const [secretNames, setSecretNames] = useState<string[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [draft, setDraft] = useState<ServerDraft>(EMPTY_DRAFT);
  const [errors, setErrors] = useState<FormErrors>({});
  const [saving, setSaving] = useState(false);
  const [testing, setTesting] = useState(false);
  const [tested, setTested] = useState<McpServerStatus | null>(null);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    let current = true;
    setConfigs(null);
    setLoadError(null);
    Promise.all([loadConfigs(), loadSecretNames()]).then(
      ([loaded, names]) => {
        if (!current) return;
        setConfigs(loaded);
        setSecretNames(names);
        const config = name === undefined ? undefined : loaded[name];
        setDraft(config ? draftOf(name!, config) : EMPTY_DRAFT);
      },
      (e: unknown) => current && setLoadError(errorMessage(e)),
    );
    return () => {
      current = false;
    };
  }, [name]);

  useEffect(() => {
    // The first field the checks or the server refused gets the focus, so a keyboard user lands on what to fix.
    const invalid = form.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    (invalid?.matches('input, select, textarea')
      ? invalid
      : invalid?.querySelector<HTMLElement>('input, select')
    )?.focus();
  }, [errors]);

  const title = creating ? 'Add an MCP server' : `Edit ${name}`;
  const back = (
    <a
      href="/mcp"
      onClick={onLinkClick('/mcp')}
      className="mb-3 inline-flex items-center gap-1 text-sm text-teal-800 hover:underline dark:text-teal-300"
    >
      <ArrowLeft aria-hidden size={15} /> MCP servers
    </a>
  );
  if (loadError)
    return (
      <>
        {back}
        <PageHeader title={title} />
        <Notice tone="error" title="The settings could not be loaded">
          {loadError}
        </Notice>
      </>
    );
  if (!configs)
    return (
      <>
        {back}
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading…</p>
      </>
    );
  if (!creating && !configs[name])
    return (
      <>
        {back}
        <PageHeader title="Server not found" description={`No MCP server named ${name} is configured.`} />
      </>
    );

  const serverName = creating ? draft.name.trim() : name;
  const set = <K extends keyof ServerDraft>(key: K, value: ServerDraft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setTested(null);
  };
  const createSecret = async (secret: string, value: string) => {
    await saveSecret(secret, value);
    setSecretNames(await loadSecretNames());
  };
  const suggest = (kind: string) => (key: string) =>
    `mcp-${serverName || 'server'}-${kind}-${key}`.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100);
  const check = (forTest: boolean): boolean => {
    const problems = draftProblems(draft, creating && !forTest, Object.keys(configs));
    setErrors(problems);
    return Object.keys(problems).length === 0;
  };

  const test = async () => {
    if (testing || !check(true)) return;
    setTesting(true);
    setTested(null);
    try {
      setTested(await testServer(serverName || undefined, configOf(draft)));
    } catch (error) {
      setErrors(placeError(error));
    } finally {
      setTesting(false);
    }
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (saving || !check(false)) return;
    setSaving(true);
    try {
      await saveServer(serverName, configOf(draft));
      navigate('/mcp');
    } catch (error) {
      setErrors(placeError(error));
      setSaving(false);
    }
  };
  const invalid = (field: keyof FormErrors) => (errors[field] ? true : undefined);
  const defaultLevel = draft.readOnly ? 'read' : 'execute';

  return (
    <>
      {back}
      <PageHeader
        title={title}
        description={
          <>
            Saved in <code>.boxagnts/settings.json</code> under <code>mcp.servers</code>; its tools are offered as{' '}
            <code>mcp__{serverName || 'NAME'}__TOOL</code>.
          </>
        }
      />
      <form ref={form} onSubmit={(e) => void submit(e)} noValidate className="space-y-5" aria-label={title}>
        {errors.form && (
          <Notice tone="error" title="Not saved">
            {errors.form}
          </Notice>
        )}
        <Card>
          <div className="space-y-4">
            {creating && (
              <FormField
                id="mcp-name"
                label="Name"
                error={errors.name}
                hint="Lower-case letters, digits, - and _: the middle of its tools' names."
              >
                <input
                  id="mcp-name"
                  className={cx(inputClass, 'font-mono sm:max-w-xs')}
                  value={draft.name}
                  autoFocus
                  autoComplete="off"
                  spellCheck={false}
                  maxLength={32}
                  placeholder="github"
                  aria-invalid={invalid('name')}
                  onChange={(e) => set('name', e.target.value)}
                />
              </FormField>
            )}
            <div>
              <div className="mb-1 text-sm font-medium" aria-hidden>
                Kind
              </div>
              <Segmented<ServerDraft['kind']>
                label="Kind"
                value={draft.kind}
                options={[
                  { value: 'local', label: 'Local command' },
                  { value: 'remote', label: 'Remote URL' },
                ]}
                onChange={(kind) => set('kind', kind)}
              />
            </div>
          </div>
        </Card>

        {draft.kind === 'local' ? (
          <Card title="Command" description="A program started here and talked to over stdin and stdout (stdio).">
            <div className="space-y-4">
              <FormField
                id="mcp-command"
                label="Command"
                error={errors.command}
                hint="A program on the PATH, or its path."
              >
                <input
                  id="mcp-command"
                  className={cx(inputClass, 'font-mono')}
                  value={draft.command}
                  autoComplete="off"
                  spellCheck={false}
                  placeholder="npx"
                  aria-invalid={invalid('command')}
                  onChange={(e) => set('command', e.target.value)}
                />
              </FormField>
              <FormField id="mcp-args" label="Arguments" error={errors.args} hint="One per line, without quotes.">
                <textarea
                  id="mcp-args"
                  className={cx(inputClass, 'resize-y font-mono')}
                  rows={3}
                  wrap="off"
                  value={draft.args}
                  spellCheck={false}
                  placeholder={'-y\n@modelcontextprotocol/server-github'}
                  aria-invalid={invalid('args')}
                  onChange={(e) => set('args', e.target.value)}
                />
              </FormField>
              <ValueRows
                legend="Environment"
                what="variable"
                rows={draft.env}
                onChange={(env) => set('env', env)}
                secretNames={secretNames}
                onCreateSecret={createSecret}
                suggestSecret={suggest('env')}
                keyPlaceholder="API_TOKEN"
                hint="The server's environment: only these, and HOME, LOGNAME, PATH, SHELL, TERM and USER from boxagnts's own. Secrets stay out of the settings."
                error={errors.env}
              />
              <FormField
                id="mcp-cwd"
                label="Working folder"
                error={errors.cwd}
                hint="Relative to the workspace; empty: the workspace."
              >
                <input
                  id="mcp-cwd"
                  className={cx(inputClass, 'font-mono')}
                  value={draft.cwd}
                  autoComplete="off"
                  spellCheck={false}
                  aria-invalid={invalid('cwd')}
                  onChange={(e) => set('cwd', e.target.value)}
                />
              </FormField>
            </div>
          </Card>
        ) : (
          <Card title="Address" description="A server reached over the network.">
            <div className="space-y-4">
              <FormField id="mcp-url" label="URL" error={errors.url}>
                <input
                  id="mcp-url"
                  type="url"
                  className={cx(inputClass, 'font-mono')}
                  value={draft.url}
                  autoComplete="off"
                  spellCheck={false}
                  placeholder="https://example.com/mcp"
                  aria-invalid={invalid('url')}
                  onChange={(e) => set('url', e.target.value)}
                />
              </FormField>
              <div>
                <div className="mb-1 text-sm font-medium" aria-hidden>
                  Transport
                </div>
                <Segmented<ServerDraft['transport']>
                  label="Transport"
                  value={draft.transport}
                  options={[
                    { value: 'auto', label: 'Auto' },
                    { value: 'http', label: 'Streamable HTTP' },
                    { value: 'sse', label: 'SSE' },
                  ]}
                  onChange={(transport) => set('transport', transport)}
                />
                {errors.transport ? (
                  <p role="alert" className="mt-1.5 text-sm text-red-700 dark:text-red-400">
                    {errors.transport}
                  </p>
                ) : (
                  <div className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
                    Auto tries Streamable HTTP, then the older HTTP+SSE.
                  </div>
                )}
              </div>
              <ValueRows
                legend="Headers"
                what="header"
                rows={draft.headers}
                onChange={(headers) => set('headers', headers)}
                secretNames={secretNames}
                onCreateSecret={createSecret}
                suggestSecret={suggest('header')}
                keyPlaceholder="X-Api-Key"
                hint="Sent with every request. Secrets stay out of the settings."
                error={errors.headers}
              />
              <FormField
                id="mcp-bearer"
                label="Bearer token"
                error={errors.bearer}
                hint={
                  <>
                    Sent as <code>Authorization: Bearer …</code>, from a named secret.
                  </>
                }
              >
                <SecretSelect
                  id="mcp-bearer"
                  label="Bearer token"
                  value={draft.bearer}
                  names={secretNames}
                  onChange={(secret) => set('bearer', secret)}
                  onCreate={createSecret}
                  suggestion={suggest('bearer')('token')}
                  noneLabel="None"
                  invalid={errors.bearer !== undefined}
                />
              </FormField>
            </div>
          </Card>
        )}

        <Card title="Trust and limits">
          <div className="grid gap-4 sm:grid-cols-2">
            <label className="flex items-start gap-2 text-sm sm:col-span-2">
              <input
                type="checkbox"
                className="mt-0.5 h-4 w-4 accent-teal-700"
                checked={draft.readOnly}
                onChange={(e) => set('readOnly', e.target.checked)}
              />
              <span>
                <span className="font-medium">Read-only server</span>
                <span className="block text-xs text-zinc-500 dark:text-zinc-400">
                  You trust it only to read: its tools are judged at the read level, so they run without asking in the
                  default mode. The server's own hints never do this.
                </span>
              </span>
            </label>
            <FormField
              id="mcp-level"
              label="Level of its tools"
              error={errors.level}
              hint="Decides when a call asks first; each tool can have its own."
            >
              <select
                id="mcp-level"
                className={inputClass}
                value={draft.level}
                aria-invalid={invalid('level')}
                onChange={(e) => set('level', e.target.value as PermissionLevel | '')}
              >
                <option value="">Default ({defaultLevel})</option>
                {PERMISSION_LEVELS.map((level) => (
                  <option key={level} value={level}>
                    {level}
                  </option>
                ))}
              </select>
            </FormField>
            <FormField
              id="mcp-timeout"
              label="Timeout (seconds)"
              error={errors.timeoutMs}
              hint="How long one request may take."
            >
              <input
                id="mcp-timeout"
                type="number"
                inputMode="numeric"
                min={1}
                max={3600}
                className={inputClass}
                value={draft.timeoutSeconds}
                placeholder="60"
                aria-invalid={invalid('timeoutMs')}
                onChange={(e) => set('timeoutSeconds', e.target.value)}
              />
            </FormField>
          </div>
        </Card>

        {tested && <TestResult result={tested} />}
        <div className="flex flex-wrap items-center gap-3">
          <Button onClick={() => void test()} disabled={testing} aria-busy={testing || undefined}>
            {testing ? <Spin /> : <PlugZap aria-hidden size={15} />} {testing ? 'Testing…' : 'Test'}
          </Button>
          <Button type="submit" variant="primary" disabled={saving}>
            {saving ? 'Saving…' : creating ? 'Add server' : 'Save'}
          </Button>
          <Button onClick={() => navigate('/mcp')}>Cancel</Button>
          <span className="text-xs text-zinc-600 dark:text-zinc-400">
            Test connects, lists the tools and saves nothing.
          </span>
        </div>
      </form>
    </>
  );
}
