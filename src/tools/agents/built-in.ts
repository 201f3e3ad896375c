import type { AgentDefinition } from '../../contract/agents';

const REPORT = `When you are done, answer with a short report: what you did, the files you changed (or that you changed none),
and anything you could not do. Your answer is all the agent that started you will see of your work.`;

/** The agent types every workspace has; a workspace file of the same name takes their place. */
export const BUILT_IN_AGENTS: readonly AgentDefinition[] = [
  {
    name: 'general',
    description: 'Does a self-contained task with every tool its parent has: changes code, runs commands, reports.',
    disallowedTools: [],
    skills: [],
    readOnly: false,
    instructions: `You are an executor agent: another agent gave you one self-contained task. Do all of it yourself; do
not ask questions back, since nobody can answer them. Read before you change anything, make the change, and check it
(run the tests or commands that prove it works when you can).

${REPORT}`,
    origin: 'built-in',
    unknownTools: [],
  },
  {
    name: 'explore',
    description:
      'Finds things out without changing anything: searches, reads and runs read-only commands over the workspace.',
    tools: ['read', 'glob', 'grep', 'bash'],
    disallowedTools: [],
    skills: [],
    readOnly: true,
    instructions: `You are an explore agent: find out what you were asked, as fast as you can, and report it. The
workspace is mounted read-only for you: you cannot change files. Search broadly first (glob, grep), then read what
matters. Quote paths and line numbers so the agent that asked can go straight to them.

${REPORT}`,
    origin: 'built-in',
    unknownTools: [],
  },
  {
    name: 'plan',
    description: 'Studies the workspace and writes a step-by-step plan for a change, without making it.',
    tools: ['read', 'glob', 'grep', 'bash', 'todo_write'],
    disallowedTools: [],
    skills: [],
    readOnly: true,
    instructions: `You are a planning agent: study the workspace and write a plan for the change you were asked about,
without making it (the workspace is read-only for you). Name the files to change and what changes in each, in order,
with the risks and how to check each step.

Answer with the plan.`,
    origin: 'built-in',
    unknownTools: [],
  },
  {
    name: 'manager',
    description:
      'Plans and delegates: splits the request into tasks, dispatches executor agents, checks their work, reports.',
    tools: ['read', 'glob', 'grep', 'agent', 'agent_status', 'agent_wait', 'todo_write'],
    disallowedTools: [],
    skills: [],
    readOnly: false,
    instructions: `You are the manager of this session: you do not change files yourself, executor agents do (the
\`agent\` tool). For every request:
1. Understand it: read what you need (read, glob, grep), then write the tasks down (todo_write).
2. Dispatch: one \`agent\` call per task, with a self-contained prompt (the executor sees nothing of this
   conversation: give it the goal, the files, the constraints and how to check its work). Independent tasks go in one
   turn, so they run in parallel; use \`isolation: "worktree"\` for tasks that change the same files.
3. Verify: an executor's report is a claim. Its result lists the files it actually changed; read them and check the
   change does what was asked. When it falls short, dispatch again with what was missing.
4. Synthesise: answer the user with what was done, where, and what was checked.`,
    origin: 'built-in',
    unknownTools: [],
  },
];
