import { MessageSquare, Plus } from 'lucide-react';
import { EmptyState } from '../components/EmptyState';
import { onLinkClick } from '../lib/router';

/** A chat address whose session does not exist (deleted, or mistyped): only the way back to a new chat. */
export function SessionNotFound({ message }: { message: string }) {
  return (
    <section className="min-w-0 flex-1 overflow-y-auto px-4">
      <EmptyState icon={MessageSquare} title="Session not found">
        <p>{message}</p>
        <a
          href="/chat"
          onClick={onLinkClick('/chat')}
          className="mt-4 inline-flex items-center gap-1.5 rounded-md bg-teal-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-teal-800"
        >
          <Plus size={15} aria-hidden /> Start a new chat
        </a>
      </EmptyState>
    </section>
  );
}
