import { z } from 'zod';
import { QuestionSchema } from '../../contract/interactions';
import { defineTool, errorResult } from '../tool';

export const askUserQuestionTool = defineTool({
  name: 'ask_user_question',
  description:
    'Ask the user one or more questions when a decision is theirs to make or a requirement is unclear. Give each question a few short options; set allowFreeText to let them answer in their own words, multiSelect to let them pick several. The run waits for the answer. Do not ask what you can find out yourself.',
  permissionLevel: 'read',
  defer: true,
  input: z.strictObject({
    questions: z.array(QuestionSchema).min(1).max(4).describe('The questions, asked together.'),
  }),
  async execute({ questions }, ctx) {
    if (!ctx.user)
      return errorResult(
        'Nobody can answer questions in this run (it runs headless). Decide yourself, and say in your answer what you assumed.',
      );
    const answers = await ctx.user.ask(questions);
    const lines = questions.map((q, i) => {
      const a = answers[i];
      const picked = a?.selected.length ? a.selected.join(', ') : '(no option chosen)';
      return `Q: ${q.question}\nA: ${picked}${a?.text ? `\n   "${a.text}"` : ''}`;
    });
    return { content: `The user answered:\n\n${lines.join('\n\n')}`, metadata: { answers } };
  },
});
