import { text as streamText } from 'node:stream/consumers';
import type { StampedEvent } from '../contract/events';
import type { RunOutcome } from '../agent/loop';
import { ModelConfigError } from '../models/providers';
import { PERMISSION_MODES, type PermissionMode } from '../permissions/policy';
import { SESSION_ID } from '../workspace/sessions';
import { openHeadlessRuntime } from './headless-runtime';
import { RunConflictError } from '../agent/runner';
import { UnknownAgentTypeError } from '../runtime/run-specs';
import { CommandError, UsageError, parseFlags, parseLogFormat, parsePositiveInt, parsePositiveNumber } from './usage';

const FORMATS = ['text', 'json', 'stream-json'] as const;
type Format = (typeof FORMATS)[number];

/** Exit status by how the run ended, so scripts can tell a finished run from a stopped one. */
const EXIT: Record<RunOutcome['status'], number> = { finished: 0, error: 1, max_turns: 3, budget: 4, cancelled: 130 };
/** A run that finished, but without some calls it made: nobody could approve them (see the gate's refusal). */
const EXIT_NEEDED_APPROVAL = 5;

/** What a budget's name means, for the message that says which one ended the run. */
const BUDGET_WORDS = {
  maxInputTokens: 'input tokens',
  maxOutputTokens: 'output tokens',
  maxCostUsd: 'cost in USD',
  maxWallMs: 'wall-clock time in ms',
} as const;

function readStdin(): Promise<string> {
  return streamText(process.stdin);
}

export async function runCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseFlags(args, {
    model: { type: 'string' },
    session: { type: 'string' },
    'max-turns': { type: 'string' },
    'max-cost-usd': { type: 'string' },
    'max-wall-ms': { type: 'string' },
    'max-input-tokens': { type: 'string' },
    'max-output-tokens': { type: 'string' },
    'output-format': { type: 'string' },
    'workspace-dir': { type: 'string' },
    'permission-mode': { type: 'string' },
    agent: { type: 'string' },
    managed: { type: 'boolean' },
    'log-format': { type: 'string' },
  });
  if (positionals.length > 1) throw new UsageError('give the prompt as one argument (quote it)');
  const logFormat = parseLogFormat(values['log-format']);
  const format = (values['output-format'] ?? 'text') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--output-format must be one of ${FORMATS.join(', ')}`);
  const budgets = {
    maxTurns: parsePositiveInt('--max-turns', values['max-turns']),
    maxCostUsd: parsePositiveNumber('--max-cost-usd', values['max-cost-usd']),
    maxWallMs: parsePositiveInt('--max-wall-ms', values['max-wall-ms']),
    maxInputTokens: parsePositiveInt('--max-input-tokens', values['max-input-tokens']),
    maxOutputTokens: parsePositiveInt('--max-output-tokens', values['max-output-tokens']),
  };
  const limits = Object.fromEntries(Object.entries(budgets).filter(([, v]) => v !== undefined));
  const permissionMode = values['permission-mode'] as PermissionMode | undefined;
  if (permissionMode !== undefined && !PERMISSION_MODES.includes(permissionMode))
    throw new UsageError(`--permission-mode must be one of ${PERMISSION_MODES.join(', ')}`);
  if (values.managed && values.agent !== undefined && values.agent !== 'manager')
    throw new UsageError('--managed runs the manager agent type; it cannot be combined with --agent');
  // Managed mode is the built-in manager agent type: it plans and dispatches executors.
  const agentType = values.managed ? 'manager' : values.agent;
  if (values.session !== undefined && !SESSION_ID.test(values.session))
    throw new UsageError(`--session must be a session id such as ses_…, not "${values.session}"`);
  let prompt = positionals[0];
  if ((prompt === undefined || prompt === '-') && !process.stdin.isTTY) prompt = await readStdin();
  if (!prompt?.trim()) throw new UsageError('give a prompt: boxagnts run "what to do"');

  const { runtime } = await openHeadlessRuntime(values['workspace-dir'], logFormat);
  try {
    const session = values.session ? runtime.sessions.get(values.session) : await runtime.sessions.create();
    if (!session) throw new CommandError(`there is no session ${values.session} in this workspace`);
    const write = (event: unknown) => process.stdout.write(`${JSON.stringify(event)}\n`);
    let refusals = 0;
    const detach = await runtime.hub.subscribe(session.id, session.lastEventId, (e: StampedEvent) => {
      if (format === 'stream-json') write({ sessionId: session.id, ...e });
      const refusal = approvalRefusal(e);
      if (refusal === undefined) return;
      refusals += 1;
      // Events come redacted from the runner; the refusal's text names the rule that would allow the call.
      process.stderr.write(`boxagnts: ${refusal}\n`);
    });

    // The model should see the MCP servers' tools: give the servers their connect time (each is bounded by its timeout).
    await runtime.mcp.settled();
    let started;
    try {
      // Nobody watches a headless run: a call that needs approval is refused at once.
      const spec = await runtime.workspaceSpec(
        { text: prompt, model: values.model, limits, permissionMode, agentType },
        { watched: false, unattended: 'deny' },
      );
      started = await runtime.runner.start(session.id, spec);
    } catch (error) {
      if (
        error instanceof ModelConfigError ||
        error instanceof RunConflictError ||
        error instanceof UnknownAgentTypeError
      )
        throw new CommandError(error.message);
      throw error;
    }
    let interrupts = 0;
    const onSignal = () => {
      interrupts += 1;
      if (interrupts > 1) process.exit(130);
      process.stderr.write('boxagnts: cancelling the run (press Ctrl-C again to quit at once)\n');
      runtime.runner.cancel(session.id);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const outcome = await started.done;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    detach();

    const usage = await runtime.usageLog
      .query({ groupBy: 'session' })
      .then((u) => u.groups.find((g) => g.key === session.id));
    // Events reach stdout through the runner, already redacted; the outcome comes straight from the loop.
    const result = runtime.redactor.redactValue({
      sessionId: session.id,
      runId: started.runId,
      status: outcome.status,
      turns: outcome.turns,
      text: outcome.text,
      usage: {
        inputTokens: usage?.inputTokens ?? 0,
        outputTokens: usage?.outputTokens ?? 0,
        costUsd: usage?.costUsd ?? 0,
      },
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(outcome.budget ? { budget: outcome.budget } : {}),
    });
    if (format === 'json') write(result);
    else if (format === 'stream-json') write({ type: 'result', ...result });
    else if (result.text) process.stdout.write(`${result.text.trimEnd()}\n`);
    if (result.error) process.stderr.write(`boxagnts: ${result.error.message}\n`);
    else if (outcome.budget) {
      const { limit, max, used } = outcome.budget;
      process.stderr.write(
        `boxagnts: the run reached its budget --${limit.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${max} (${BUDGET_WORDS[limit]}: ${used} used) (session ${session.id})\n`,
      );
    } else if (outcome.status !== 'finished')
      process.stderr.write(`boxagnts: the run ended: ${outcome.status} (session ${session.id})\n`);
    else if (refusals > 0)
      process.stderr.write(
        `boxagnts: the run finished, but ${refusals === 1 ? 'a call that needed approval was' : `${refusals} calls that needed approval were`} not run (session ${session.id})\n`,
      );
    process.exitCode = outcome.status === 'finished' && refusals > 0 ? EXIT_NEEDED_APPROVAL : EXIT[outcome.status];
  } finally {
    await runtime.close();
  }
}

/** A tool call refused because it needed an approval nobody could give, as one line: the tool and the gate's words. */
function approvalRefusal(event: StampedEvent): string | undefined {
  if (event.type !== 'tool.completed' || event.result.metadata?.permission !== 'needs_approval') return undefined;
  const { content } = event.result;
  const text =
    typeof content === 'string' ? content : content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join(' ');
  return `${event.name} call refused: ${text}`;
}
