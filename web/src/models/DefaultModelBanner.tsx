import type { Preset, ProviderView } from '@contract/models';
import { Star } from 'lucide-react';
import { Switch } from '../components/ui';
import { Notice } from './bits';
import { compact, providerTitle } from './types';

export function DefaultModelBanner({
  defaultModel,
  providers,
  presets,
}: {
  defaultModel: string | null;
  providers: ProviderView[];
  presets: Preset[];
}) {
  if (!defaultModel) {
    return (
      <div className="flex items-start gap-3 rounded-lg border border-dashed border-zinc-300 px-4 py-3 dark:border-zinc-700">
        <Star aria-hidden size={18} className="mt-0.5 shrink-0 text-zinc-400" />
        <div className="text-sm">
          <div className="font-medium">No default model yet</div>
          <p className="mt-0.5 text-zinc-600 dark:text-zinc-400">
            {providers.length === 0
              ? 'Add a provider and a model, then choose “Make default” on the model agents should use.'
              : 'Choose “Make default” on one of the models below; agents use it unless told otherwise.'}
          </p>
        </div>
      </div>
    );
  }
  // A model id is provider/model; the model part may itself contain slashes (OpenRouter).
  const slash = defaultModel.indexOf('/');
  const providerId = defaultModel.slice(0, slash);
  const modelId = defaultModel.slice(slash + 1);
  const provider = providers.find((p) => p.id === providerId);
  const info = provider?.models[modelId]?.info;
  const title =
    provider &&
    providerTitle(
      provider,
      presets.find((p) => p.id === provider.preset),
    );
  const warning = !provider
    ? `No provider “${providerId}” is configured, so agents cannot use this model. Choose another default.`
    : !info
      ? `${title} no longer lists this model. Add it back or choose another default.`
      : !provider.enabled
        ? `${title} is switched off, so agents cannot use this model. Switch it on or choose another default.`
        : null;
  return (
    <div className="rounded-lg border border-teal-200 bg-teal-50/60 px-4 py-3 dark:border-teal-900 dark:bg-teal-950/40">
      <div className="flex items-start gap-3">
        <Star
          aria-hidden
          size={18}
          className="mt-1 shrink-0 fill-teal-600 text-teal-600 dark:fill-teal-400 dark:text-teal-400"
        />
        <div className="min-w-0">
          <div className="text-xs font-medium tracking-wide text-teal-800 uppercase dark:text-teal-300">
            Default model
          </div>
          <div className="mt-0.5 font-mono text-base font-semibold break-all">{defaultModel}</div>
          {info && (
            <div className="mt-0.5 text-sm text-zinc-600 dark:text-zinc-400">
              {[info.label, title && `via ${title}`, `${compact.format(info.contextWindow)} context`]
                .filter(Boolean)
                .join(' · ')}
            </div>
          )}
        </div>
      </div>
      {warning && (
        <div className="mt-3">
          <Notice tone="warn">{warning}</Notice>
        </div>
      )}
    </div>
  );
}

// ---- Adding and editing a provider ----
