import { z } from 'zod';

/** What tools can ask of the user and of their session; the schemas are shared with the run events. */

export const QuestionSchema = z.object({
  question: z.string().min(1).max(2000),
  header: z.string().max(60).optional(),
  options: z.array(z.object({ label: z.string().min(1).max(200), description: z.string().max(1000).optional() })).max(12),
  multiSelect: z.boolean().optional(),
  allowFreeText: z.boolean().optional(),
});
export type Question = z.output<typeof QuestionSchema>;

export const AnswerSchema = z.object({ selected: z.array(z.string().max(200)).max(12), text: z.string().max(10_000).optional() });
export type QuestionAnswer = z.output<typeof AnswerSchema>;

export const TodoSchema = z.object({ content: z.string().min(1).max(500), status: z.enum(['pending', 'in_progress', 'completed']) });
export type Todo = z.output<typeof TodoSchema>;

export const PreviewSchema = z.object({ kind: z.literal('diff'), path: z.string(), before: z.string(), after: z.string() });
export type ApprovalPreview = z.output<typeof PreviewSchema>;
