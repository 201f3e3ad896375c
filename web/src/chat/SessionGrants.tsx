import { ShieldCheck, X } from 'lucide-react';
import { apiSend, errorMessage } from '../lib/api';

/** The "Allow for this session" grants in force, each revocable; shown above the message box. */
export function SessionGrants({
  sessionId,
  grants,
  onError,
}: {
  sessionId: string;
  grants: { id: string; rule: string }[];
  onError: (message: string) => void;
}) {
  if (grants.length === 0) return null;
  const revoke = (id: string) =>
    apiSend(`/api/sessions/${sessionId}/grants/${id}`, { method: 'DELETE' }).catch((e: unknown) =>
      onError(errorMessage(e)),
    );
  return (
    <div className="border-t border-zinc-200 px-3 py-1.5 sm:px-6 dark:border-zinc-800">
      <div
        className="mx-auto flex max-w-3xl flex-wrap items-center gap-1.5 text-xs text-zinc-600 dark:text-zinc-400"
        aria-label="Allowed for this session"
      >
        <ShieldCheck size={14} aria-hidden className="text-teal-600" />
        Allowed for this session:
        {grants.map((g) => (
          <span
            key={g.id}
            className="inline-flex items-center gap-1 rounded bg-zinc-100 px-1.5 py-0.5 font-mono dark:bg-zinc-800"
          >
            {g.rule.replace(/^allow /, '')}
            <button
              type="button"
              aria-label={`Revoke ${g.rule}`}
              onClick={() => void revoke(g.id)}
              className="rounded hover:text-red-600"
            >
              <X size={12} />
            </button>
          </span>
        ))}
      </div>
    </div>
  );
}
