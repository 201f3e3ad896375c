import type { TeamUsage as Usage } from '@contract/team';
import { costOf } from '../cron/format';
import { exact } from '../usage/format';

/** `provider/model`, free to wrap after its slash on a narrow screen rather than inside a word. */
function ModelName({ model }: { model: string }) {
  const slash = model.indexOf('/');
  if (slash < 0) return model;
  return (
    <>
      {model.slice(0, slash + 1)}
      <wbr />
      {model.slice(slash + 1)}
    </>
  );
}

/** What the team's runs cost, per model. */
export function TeamUsage({ usage }: { usage: Usage[] }) {
  if (usage.length === 0)
    return <p className="text-sm text-zinc-600 dark:text-zinc-400">No run has used a model yet.</p>;
  return (
    // Focusable so the keyboard can scroll it sideways on a narrow screen.
    <div tabIndex={0} role="region" aria-label="Usage per model" className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <thead className="text-xs text-zinc-600 dark:text-zinc-400">
          <tr>
            <th scope="col" className="py-1.5 pr-3 font-medium">
              Model
            </th>
            <th scope="col" className="py-1.5 pr-3 text-right font-medium">
              Runs
            </th>
            <th scope="col" className="py-1.5 pr-3 text-right font-medium">
              Input tokens
            </th>
            <th scope="col" className="py-1.5 pr-3 text-right font-medium">
              Output tokens
            </th>
            <th scope="col" className="py-1.5 text-right font-medium">
              Cost
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {usage.map((row) => (
            <tr key={row.model}>
              <th scope="row" className="py-1.5 pr-3 font-mono font-normal break-words">
                <ModelName model={row.model} />
              </th>
              <td className="py-1.5 pr-3 text-right tabular-nums">{exact.format(row.runs)}</td>
              <td className="py-1.5 pr-3 text-right tabular-nums">{exact.format(row.inputTokens)}</td>
              <td className="py-1.5 pr-3 text-right tabular-nums">{exact.format(row.outputTokens)}</td>
              <td className="py-1.5 text-right tabular-nums">{costOf(row.costUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
