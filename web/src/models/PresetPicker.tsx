import type { Preset } from '@contract/models';
import { Cloud, Laptop, type LucideIcon, Server } from 'lucide-react';
import { Button, Card } from '../components/ui';
import { hostOf } from './types';

const GROUPS: { title: string; icon: LucideIcon; test: (p: Preset) => boolean }[] = [
  { title: 'Cloud', icon: Cloud, test: (p) => !p.local && p.apiKeyEnv !== undefined },
  { title: 'On this machine', icon: Laptop, test: (p) => p.local === true },
  // Neither a known vendor nor a known local server: any address, any kind of key.
  { title: 'Any other server', icon: Server, test: (p) => !p.local && p.apiKeyEnv === undefined },
];

export function PresetPicker({
  presets,
  onPick,
  onCancel,
}: {
  presets: Preset[];
  onPick: (preset: Preset) => void;
  onCancel: () => void;
}) {
  return (
    <Card
      title="Add a provider"
      description="Pick where the models run. The form that follows is filled in from your choice, and every field stays editable."
    >
      <div className="space-y-5">
        {GROUPS.map((group) => {
          const items = presets.filter(group.test);
          if (items.length === 0) return null;
          return (
            <div key={group.title}>
              <h3 className="mb-2 flex items-center gap-1.5 text-xs font-medium tracking-wide text-zinc-500 uppercase">
                <group.icon aria-hidden size={14} /> {group.title}
              </h3>
              <div className="grid grid-cols-2 gap-2 lg:grid-cols-3">
                {items.map((preset) => (
                  <button
                    key={preset.id}
                    type="button"
                    onClick={() => onPick(preset)}
                    className="rounded-md border border-zinc-200 px-3 py-2 text-left hover:border-teal-600 hover:bg-teal-50/60 dark:border-zinc-800 dark:hover:border-teal-500 dark:hover:bg-teal-950/40"
                  >
                    <div className="text-sm font-medium">{preset.label}</div>
                    <div className="truncate font-mono text-xs text-zinc-500 dark:text-zinc-400">
                      {hostOf(preset.baseURL)}
                    </div>
                  </button>
                ))}
              </div>
            </div>
          );
        })}
        <div>
          <Button onClick={onCancel}>Cancel</Button>
        </div>
      </div>
    </Card>
  );
}
