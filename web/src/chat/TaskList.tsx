import { CheckCircle2, ChevronDown, Circle, CircleDot } from 'lucide-react';
import { useState } from 'react';
import { cx } from '../components/ui';
import type { Todo } from '@contract/interactions';

const ICONS = { completed: CheckCircle2, in_progress: CircleDot, pending: Circle } as const;

/** The agent's task list (todo_write), pinned above the message box; collapsible. */
export function TaskList({ todos }: { todos: Todo[] }) {
  const [open, setOpen] = useState(true);
  if (todos.length === 0) return null;
  const done = todos.filter((t) => t.status === 'completed').length;
  return (
    <div
      className="border-t border-zinc-200 bg-zinc-50 px-3 sm:px-6 dark:border-zinc-800 dark:bg-zinc-900/60"
      data-testid="task-list"
    >
      <div className="mx-auto max-w-3xl">
        <button
          type="button"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
          className="flex w-full items-center gap-2 py-1.5 text-xs font-medium text-zinc-600 dark:text-zinc-300"
        >
          <ChevronDown size={14} className={cx('transition-transform', !open && '-rotate-90')} aria-hidden />
          Tasks {done}/{todos.length}
        </button>
        {open && (
          <ul className="max-h-40 space-y-1 overflow-y-auto pb-2 text-sm">
            {todos.map((todo, i) => {
              const Icon = ICONS[todo.status];
              return (
                <li key={i} className="flex items-start gap-2">
                  <Icon
                    size={15}
                    aria-label={todo.status.replace('_', ' ')}
                    className={cx(
                      'mt-0.5 shrink-0',
                      todo.status === 'completed'
                        ? 'text-teal-600'
                        : todo.status === 'in_progress'
                          ? 'text-amber-600'
                          : 'text-zinc-400',
                    )}
                  />
                  <span
                    className={cx(
                      todo.status === 'completed' && 'text-zinc-500 line-through',
                      todo.status === 'in_progress' && 'font-medium',
                    )}
                  >
                    {todo.content}
                  </span>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </div>
  );
}
