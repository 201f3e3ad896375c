import { Check, ClipboardList, MessageCircleQuestion, MonitorCog, ShieldAlert, X } from 'lucide-react';
import { type ReactNode, useState } from 'react';
import { Markdown } from '../chat/Markdown';
import { DiffView } from '../components/DiffView';
import { Badge, Button, cx, inputClass } from '../components/ui';
import { ApiError } from '../lib/api';
import { reply } from './store';
import type { ApprovalOutcome, ApprovalPreview, Interaction, Question, QuestionAnswer } from '@contract/interactions';
import type { HostCommandPreview } from '@contract/permissions';

/** A permission or plan request, from the session's events or from the inbox. */
export interface ApprovalView {
  id: string;
  kind: 'tool' | 'plan';
  name: string;
  level: string;
  input: unknown;
  subject?: string | undefined;
  reason: string;
  preview?: ApprovalPreview | undefined;
  plan?: string | undefined;
  /** For a shell line: one grant pattern per command whose program is known, and the commands no grant can cover. */
  grantPatterns?: string[] | undefined;
  ungrantable?: string[] | undefined;
  /** For a shell line that runs programs of this machine: each such command, its folder and whether it gets network. */
  hostCommands?: HostCommandPreview[] | undefined;
  /** Still waiting and answerable, or how it ended (with the rules a grant added). */
  resolution: null | { outcome: string; message?: string | undefined; rules?: string[] | undefined };
  /** Waiting, but no longer answerable here (its run ended with the server). */
  stale?: boolean;
}

const OUTCOME_TEXT: Record<string, string> = {
  once: 'Allowed once',
  session: 'Allowed for this session',
  workspace: 'Always allowed in this workspace',
  deny: 'Denied',
  cancelled: 'Cancelled: the run stopped first',
  auto_deny: 'Denied: nobody could approve it (headless run)',
  plan_ok: 'Plan approved',
  plan_rejected: 'Sent back: the agent keeps planning',
};

function Shell({
  icon: Icon,
  title,
  tone,
  children,
}: {
  icon: typeof ShieldAlert;
  title: ReactNode;
  tone: 'ask' | 'done';
  children: ReactNode;
}) {
  return (
    <section
      className={cx(
        'rounded-lg border p-3.5 text-sm',
        tone === 'ask'
          ? 'border-amber-300 bg-amber-50/70 dark:border-amber-800 dark:bg-amber-950/30'
          : 'border-zinc-200 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900',
      )}
    >
      <h3 className="mb-2 flex items-center gap-2 font-medium">
        <Icon
          size={16}
          aria-hidden
          className={tone === 'ask' ? 'text-amber-700 dark:text-amber-400' : 'text-zinc-500'}
        />
        <span className="min-w-0 break-words">{title}</span>
      </h3>
      {children}
    </section>
  );
}

function Resolution({ resolution }: { resolution: NonNullable<ApprovalView['resolution']> }) {
  const denied =
    resolution.outcome === 'deny' || resolution.outcome === 'auto_deny' || resolution.outcome === 'cancelled';
  return (
    <p
      className={cx(
        'flex items-center gap-1.5 text-sm',
        denied ? 'text-red-700 dark:text-red-400' : 'text-teal-700 dark:text-teal-400',
      )}
    >
      {denied ? <X size={14} aria-hidden /> : <Check size={14} aria-hidden />}
      {OUTCOME_TEXT[resolution.outcome] ?? resolution.outcome}
      {resolution.rules?.map((rule) => (
        <code key={rule} className="ml-1 text-xs text-zinc-500">
          {rule}
        </code>
      ))}
      {resolution.message && <span className="text-zinc-600 dark:text-zinc-400">— “{resolution.message}”</span>}
    </p>
  );
}

export function ApprovalCard({ request }: { request: ApprovalView }) {
  // What a standing grant records, one allow rule per pattern; the user may edit or clear each.
  const proposed = request.grantPatterns ?? [request.subject ?? ''];
  const [patterns, setPatterns] = useState(proposed);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const answerable = request.resolution === null && !request.stale;

  const send = async (body: Parameters<typeof reply>[1]) => {
    setBusy(true);
    setError(null);
    try {
      await reply(request.id, body);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
      setBusy(false);
    }
  };
  const allow = (outcome: ApprovalOutcome) => {
    const edited = patterns.map((p) => p.trim()).filter(Boolean);
    const changed = edited.length > 0 && edited.join('\n') !== proposed.join('\n');
    return send({
      kind: 'approval',
      outcome,
      ...((outcome === 'session' || outcome === 'workspace') && changed ? { patterns: edited } : {}),
    });
  };
  const commandLine = request.grantPatterns !== undefined;
  // A line whose every command is only known when it runs leaves nothing a grant could cover.
  const grantable = !commandLine || proposed.length > 0;

  if (request.kind === 'plan') {
    return (
      <Shell icon={ClipboardList} title="The agent asks you to approve its plan" tone={answerable ? 'ask' : 'done'}>
        <div className="mb-3 rounded-md border border-zinc-200 bg-white p-3 dark:border-zinc-700 dark:bg-zinc-950">
          <Markdown text={request.plan ?? ''} />
        </div>
        {answerable ? (
          <>
            <label className="mb-1 block text-xs text-zinc-600 dark:text-zinc-400" htmlFor={`feedback-${request.id}`}>
              Feedback if you want changes (optional)
            </label>
            <textarea
              id={`feedback-${request.id}`}
              rows={2}
              className={inputClass}
              value={message}
              onChange={(e) => setMessage(e.target.value)}
            />
            <div className="mt-2 flex flex-wrap gap-2">
              <Button variant="primary" disabled={busy} onClick={() => void send({ kind: 'plan', approved: true })}>
                Approve plan
              </Button>
              <Button
                disabled={busy}
                onClick={() =>
                  void send({ kind: 'plan', approved: false, ...(message.trim() ? { feedback: message.trim() } : {}) })
                }
              >
                Keep planning
              </Button>
            </div>
          </>
        ) : request.resolution ? (
          <Resolution
            resolution={{
              ...request.resolution,
              outcome:
                { once: 'plan_ok', deny: 'plan_rejected' }[request.resolution.outcome] ?? request.resolution.outcome,
            }}
          />
        ) : (
          <p className="text-xs text-zinc-500">Not answered; the run has stopped.</p>
        )}
        {error && <p className="mt-2 text-sm text-red-700">{error}</p>}
      </Shell>
    );
  }

  return (
    <Shell
      icon={ShieldAlert}
      tone={answerable ? 'ask' : 'done'}
      title={
        <>
          <span className="font-mono">{request.name}</span> {answerable ? 'needs your approval' : ''}
          {request.subject && (
            <span className="ml-1 font-mono text-xs font-normal text-zinc-600 dark:text-zinc-400">
              {request.subject}
            </span>
          )}
        </>
      }
    >
      <p className="mb-2 text-xs text-zinc-600 dark:text-zinc-400">
        <span className="mr-1 rounded bg-zinc-200 px-1.5 py-0.5 font-medium uppercase tracking-wide text-zinc-700 dark:bg-zinc-700 dark:text-zinc-200">
          {request.level}
        </span>
        Why it asks: {request.reason}.
      </p>
      {request.hostCommands && request.hostCommands.length > 0 && <HostCommands commands={request.hostCommands} />}
      {request.preview ? (
        <DiffView path={request.preview.path} change={request.preview} />
      ) : (
        <pre className="max-h-48 overflow-auto whitespace-pre-wrap break-words rounded-md border border-zinc-200 bg-white p-2 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-950">
          {JSON.stringify(request.input, null, 2)}
        </pre>
      )}
      {answerable ? (
        <div className="mt-3 space-y-2">
          <div className="grid gap-2 sm:grid-cols-2">
            {commandLine ? (
              <GrantPatterns
                name={request.name}
                patterns={patterns}
                onChange={setPatterns}
                ungrantable={request.ungrantable ?? []}
              />
            ) : (
              <label className="block text-xs text-zinc-600 dark:text-zinc-400">
                A standing grant covers <span className="font-mono">{request.name}(…)</span> calls matching
                <input
                  className={cx(inputClass, 'mt-1 font-mono text-xs')}
                  value={patterns[0]}
                  placeholder="every call"
                  onChange={(e) => setPatterns([e.target.value])}
                />
              </label>
            )}
            <label className="block text-xs text-zinc-600 dark:text-zinc-400">
              Message to the agent if you deny (optional)
              <input
                className={cx(inputClass, 'mt-1 text-xs')}
                value={message}
                onChange={(e) => setMessage(e.target.value)}
              />
            </label>
          </div>
          <div className="flex flex-wrap gap-2">
            <Button variant="primary" disabled={busy} onClick={() => void allow('once')}>
              Allow once
            </Button>
            {grantable && (
              <>
                <Button disabled={busy} onClick={() => void allow('session')}>
                  Allow for this session
                </Button>
                <Button disabled={busy} onClick={() => void allow('workspace')}>
                  Always allow in this workspace
                </Button>
              </>
            )}
            <Button
              variant="danger"
              disabled={busy}
              onClick={() =>
                void send({ kind: 'approval', outcome: 'deny', ...(message.trim() ? { message: message.trim() } : {}) })
              }
            >
              Deny
            </Button>
          </div>
        </div>
      ) : request.resolution ? (
        <div className="mt-2">
          <Resolution resolution={request.resolution} />
        </div>
      ) : (
        <p className="mt-2 text-xs text-zinc-500">Not answered; the run has stopped.</p>
      )}
      {error && <p className="mt-2 text-sm text-red-700 dark:text-red-400">{error}</p>}
    </Shell>
  );
}

/** The commands of a shell line that run as programs of this machine, each in the host tier's OS sandbox. */
function HostCommands({ commands }: { commands: HostCommandPreview[] }) {
  return (
    <div className="mb-2 rounded-md border border-zinc-200 bg-white p-2.5 dark:border-zinc-700 dark:bg-zinc-950">
      <h4 className="mb-1.5 flex items-center gap-1.5 text-xs font-semibold">
        <MonitorCog size={14} aria-hidden className="text-zinc-500" />
        Runs on this machine, in an OS sandbox
      </h4>
      <ul aria-label="Runs on this machine" className="divide-y divide-zinc-200 dark:divide-zinc-800">
        {commands.map((c, i) => (
          <li key={i} className="py-1.5 text-xs first:pt-0 last:pb-0">
            <code className="block break-all font-mono text-zinc-900 dark:text-zinc-100">{c.command}</code>
            <span className="mt-1 flex flex-wrap items-center gap-x-2 gap-y-1 text-zinc-600 dark:text-zinc-400">
              <Badge tone={c.network ? 'amber' : 'green'}>
                {c.network ? 'network: allowlisted hosts only' : 'no network'}
              </Badge>
              {c.folder === '.' ? (
                'in the workspace'
              ) : (
                <span>
                  in <code className="break-all font-mono">{c.folder}</code>
                </span>
              )}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The patterns a grant for a shell line records, one per command, and the commands it cannot cover. */
function GrantPatterns({
  name,
  patterns,
  onChange,
  ungrantable,
}: {
  name: string;
  patterns: string[];
  onChange: (patterns: string[]) => void;
  ungrantable: string[];
}) {
  return (
    <fieldset className="min-w-0 text-xs text-zinc-600 dark:text-zinc-400">
      {patterns.length > 0 && (
        <>
          <legend>
            A standing grant allows these <span className="font-mono">{name}</span> commands, one rule each
          </legend>
          {patterns.map((pattern, i) => (
            <input
              key={i}
              aria-label={`Command pattern ${i + 1} of ${patterns.length}`}
              className={cx(inputClass, 'mt-1 font-mono text-xs')}
              value={pattern}
              onChange={(e) => onChange(patterns.map((p, j) => (j === i ? e.target.value : p)))}
            />
          ))}
        </>
      )}
      {ungrantable.length > 0 && (
        <p className="mt-1.5">
          No grant can cover{' '}
          {ungrantable.map((text, i) => (
            <span key={text}>
              {i > 0 && ', '}
              <code className="break-all font-mono text-zinc-800 dark:text-zinc-200">{text}</code>
            </span>
          ))}
          : what it runs is only known when it runs, so it will be asked about again.
        </p>
      )}
    </fieldset>
  );
}

export interface QuestionView {
  id: string;
  questions: Question[];
  answers: QuestionAnswer[] | null;
  cancelled: boolean;
  stale?: boolean;
}

export function QuestionCard({ request }: { request: QuestionView }) {
  const [picked, setPicked] = useState<string[][]>(() => request.questions.map(() => []));
  const [texts, setTexts] = useState<string[]>(() => request.questions.map(() => ''));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const answerable = request.answers === null && !request.cancelled && !request.stale;

  const toggle = (qi: number, label: string, multi: boolean) =>
    setPicked((all) =>
      all.map((sel, i) =>
        i !== qi ? sel : multi ? (sel.includes(label) ? sel.filter((l) => l !== label) : [...sel, label]) : [label],
      ),
    );
  const ready = request.questions.every((q, i) => picked[i]!.length > 0 || (q.allowFreeText && texts[i]!.trim()));
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await reply(request.id, {
        kind: 'question',
        answers: request.questions.map((_, i) => ({
          selected: picked[i]!,
          ...(texts[i]!.trim() ? { text: texts[i]!.trim() } : {}),
        })),
      });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
      setBusy(false);
    }
  };

  return (
    <Shell
      icon={MessageCircleQuestion}
      title={answerable ? 'The agent has a question' : 'The agent asked'}
      tone={answerable ? 'ask' : 'done'}
    >
      <div className="space-y-4">
        {request.questions.map((q, qi) => (
          <fieldset key={qi}>
            <legend className="mb-1.5 text-sm">
              {q.header && (
                <span className="mr-1.5 rounded bg-zinc-200 px-1.5 py-0.5 text-xs font-medium dark:bg-zinc-700">
                  {q.header}
                </span>
              )}
              {q.question}
            </legend>
            {answerable ? (
              <>
                <div
                  className="flex flex-wrap gap-1.5"
                  role={q.multiSelect ? 'group' : 'radiogroup'}
                  aria-label={q.question}
                >
                  {q.options.map((o) => {
                    const on = picked[qi]!.includes(o.label);
                    return (
                      <button
                        key={o.label}
                        type="button"
                        role={q.multiSelect ? 'checkbox' : 'radio'}
                        aria-checked={on}
                        title={o.description}
                        onClick={() => toggle(qi, o.label, q.multiSelect === true)}
                        className={cx(
                          'rounded-md border px-2.5 py-1 text-sm',
                          on
                            ? 'border-teal-700 bg-teal-700 text-white dark:border-teal-500'
                            : 'border-zinc-300 bg-white hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-950 dark:hover:bg-zinc-900',
                        )}
                      >
                        {o.label}
                      </button>
                    );
                  })}
                </div>
                {q.allowFreeText && (
                  <input
                    aria-label={`Your own answer to: ${q.question}`}
                    className={cx(inputClass, 'mt-2')}
                    placeholder="Or answer in your own words"
                    value={texts[qi]}
                    onChange={(e) => setTexts((all) => all.map((t, i) => (i === qi ? e.target.value : t)))}
                  />
                )}
              </>
            ) : (
              <p className="text-sm text-teal-800 dark:text-teal-300">
                {request.cancelled || !request.answers
                  ? 'Not answered.'
                  : [
                      request.answers[qi]?.selected.join(', '),
                      request.answers[qi]?.text && `“${request.answers[qi]!.text}”`,
                    ]
                      .filter(Boolean)
                      .join(' — ') || '(no answer)'}
              </p>
            )}
          </fieldset>
        ))}
      </div>
      {answerable && (
        <Button className="mt-3" variant="primary" disabled={busy || !ready} onClick={() => void submit()}>
          Send answers
        </Button>
      )}
      {error && <p className="mt-2 text-sm text-red-700 dark:text-red-400">{error}</p>}
    </Shell>
  );
}

/** A request still waiting, as the inbox (and a parent chat, for its agents' requests) lists it. */
export function InteractionCard({ interaction }: { interaction: Interaction }) {
  if (interaction.kind === 'question')
    return (
      <QuestionCard
        request={{ id: interaction.id, questions: interaction.questions, answers: null, cancelled: false }}
      />
    );
  if (interaction.kind === 'plan') {
    return (
      <ApprovalCard
        request={{
          id: interaction.id,
          kind: 'plan',
          name: 'exit_plan_mode',
          level: 'read',
          input: {},
          reason: '',
          plan: interaction.plan,
          resolution: null,
        }}
      />
    );
  }
  return (
    <ApprovalCard
      request={{
        id: interaction.id,
        kind: 'tool',
        name: interaction.tool,
        level: interaction.level,
        input: interaction.input,
        subject: interaction.subject,
        reason: interaction.reason,
        preview: interaction.preview,
        grantPatterns: interaction.grantPatterns,
        ungrantable: interaction.ungrantable,
        hostCommands: interaction.hostCommands,
        resolution: null,
      }}
    />
  );
}
