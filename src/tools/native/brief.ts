import { z } from 'zod';
import { defineTool } from '../tool';

export const briefTool = defineTool({
  name: 'brief',
  description:
    'Show the user a short message while you keep working: progress on a long task, or a summary when you finish a stage. The user sees it at once; it does not end your turn and needs no reply.',
  permissionLevel: 'read',
  defer: true,
  input: z.strictObject({
    message: z.string().min(1).max(4000).describe('What to tell the user, in Markdown.'),
    kind: z
      .enum(['progress', 'summary'])
      .default('progress')
      .describe('"progress" while working, "summary" at the end of a stage.'),
  }),
  async execute({ message, kind }) {
    return { content: 'The user has been shown the message.', metadata: { brief: { message, kind } } };
  },
});
