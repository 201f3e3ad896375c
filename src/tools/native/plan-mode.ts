import { z } from 'zod';
import { defineTool, errorResult } from '../tool';

export const enterPlanModeTool = defineTool({
  name: 'enter_plan_mode',
  description:
    'Switch to plan mode before a large, risky or unclear change: you may read and research, but tools that write files or run commands are refused until the user approves your plan (present it with exit_plan_mode).',
  permissionLevel: 'read',
  defer: true,
  input: z.strictObject({}),
  async execute(_input, ctx) {
    if (ctx.session.mode() === 'plan') return { content: 'Plan mode is already on.' };
    await ctx.session.enterPlanMode();
    // Offered by name only until now: the model needs its schema to present the plan.
    ctx.catalog.reveal(['exit_plan_mode']);
    return {
      content: 'Plan mode is on. Read and research as needed; when the plan is ready, present it with exit_plan_mode.',
    };
  },
});

export const exitPlanModeTool = defineTool({
  name: 'exit_plan_mode',
  description:
    'Present your plan to the user for approval, in Markdown: what you will change, in which files, and how you will check it. If they approve, the previous permission mode returns and you carry the plan out; if not, you get their feedback and stay in plan mode.',
  permissionLevel: 'read',
  defer: true,
  input: z.strictObject({ plan: z.string().min(1).max(50_000).describe('The plan, in Markdown.') }),
  async execute({ plan }, ctx) {
    if (ctx.session.mode() !== 'plan')
      return errorResult('Plan mode is not on, so there is nothing to exit. Carry on.');
    if (!ctx.user) return errorResult('Nobody can approve a plan in this run (it runs headless); plan mode stays on.');
    const verdict = await ctx.user.approvePlan(plan);
    if (!verdict.approved) {
      const feedback = verdict.feedback ? ` Their feedback: "${verdict.feedback}"` : '';
      return {
        content: `The user did not approve the plan.${feedback} Plan mode stays on: revise the plan and present it again.`,
        metadata: { approved: false },
      };
    }
    await ctx.session.leavePlanMode();
    return {
      content: `The user approved the plan. Plan mode is off (mode: ${ctx.session.mode()}); carry the plan out.`,
      metadata: { approved: true },
    };
  },
});
