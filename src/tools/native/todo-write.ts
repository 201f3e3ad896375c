import { z } from 'zod';
import { TodoSchema } from '../../contract/interactions';
import { defineTool } from '../tool';

export const todoWriteTool = defineTool({
  name: 'todo_write',
  description:
    'Keep the task list of work with several steps. Send the whole list each time (it replaces the last one), each task pending, in_progress or completed; one in_progress at a time, marked completed as soon as done. The user sees it beside the chat.',
  permissionLevel: 'read',
  input: z.strictObject({ todos: z.array(TodoSchema).max(100).describe('The complete task list.') }),
  async execute({ todos }, ctx) {
    await ctx.session.setTodos(todos);
    const done = todos.filter((t) => t.status === 'completed').length;
    return { content: `Task list saved: ${done} of ${todos.length} done.` };
  },
});
