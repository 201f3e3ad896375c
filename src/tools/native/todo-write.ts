import { z } from 'zod';
import { TodoSchema } from '../../contract/interactions';
import { defineTool } from '../tool';

export const todoWriteTool = defineTool({
  name: 'todo_write',
  description:
    'Keep the task list for work with several steps. Send the whole list every time (it replaces the previous one), with each task pending, in_progress or completed; keep one task in_progress at a time and mark tasks completed as soon as they are done. The user sees the list beside the chat.',
  permissionLevel: 'read',
  input: z.strictObject({ todos: z.array(TodoSchema).max(100).describe('The complete task list.') }),
  async execute({ todos }, ctx) {
    await ctx.session.setTodos(todos);
    const done = todos.filter((t) => t.status === 'completed').length;
    return { content: `Task list saved: ${done} of ${todos.length} done.` };
  },
});
