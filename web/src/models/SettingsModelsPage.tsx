import { type Preset, type ProviderView, type ProvidersResponse, ProvidersResponseSchema } from '@contract/models';
import { SettingsSchema } from '@contract/settings';
import { Cpu, Plus } from 'lucide-react';
import { useCallback, useEffect, useState } from 'react';
import { EmptyState } from '../components/EmptyState';
import { Button, Card, PageHeader } from '../components/ui';
import { api } from '../lib/api';
import { applySettings } from '../state';
import { DefaultModelBanner } from './DefaultModelBanner';
import { PresetPicker } from './PresetPicker';
import { ProviderCard } from './ProviderCard';
import { ProviderForm } from './ProviderForm';
import { Notice } from './bits';
import { errorText, syncSettings } from './types';

export function SettingsModelsPage() {
  const [data, setData] = useState<ProvidersResponse | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [adding, setAdding] = useState<Preset | 'choose' | null>(null);
  const [justAdded, setJustAdded] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setData(await api('/api/providers', ProvidersResponseSchema));
      setLoadError(null);
    } catch (error) {
      setLoadError(errorText(error));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const upsert = (provider: ProviderView) =>
    setData((d) => {
      if (!d) return d;
      const known = d.providers.some((p) => p.id === provider.id);
      return {
        ...d,
        providers: known ? d.providers.map((p) => (p.id === provider.id ? provider : p)) : [...d.providers, provider],
      };
    });

  const setDefault = async (modelRef: string | null) => {
    const settings = await api('/api/settings', SettingsSchema, { method: 'PATCH', body: { defaultModel: modelRef } });
    applySettings(settings);
    setData((d) => d && { ...d, defaultModel: settings.defaultModel ?? null });
  };

  const header = (
    <PageHeader
      title="Models"
      description={
        <>
          Where agents get their models. Saved to <code>.boxagnts/settings.json</code>; keys go to{' '}
          <code>.boxagnts/secrets.json</code>.
        </>
      }
      actions={
        data &&
        data.providers.length > 0 &&
        adding === null && (
          <Button variant="primary" onClick={() => setAdding('choose')}>
            <Plus aria-hidden size={15} /> Add provider
          </Button>
        )
      }
    />
  );

  if (!data) {
    return (
      <>
        {header}
        {loadError ? (
          <div className="space-y-3">
            <Notice tone="error" title="Could not load the providers">
              {loadError}
            </Notice>
            <Button onClick={() => void load()}>Try again</Button>
          </div>
        ) : (
          <p className="text-sm text-zinc-500">Loading providers…</p>
        )}
      </>
    );
  }

  const presetOf = (provider: ProviderView) => data.presets.find((p) => p.id === provider.preset);

  return (
    <>
      {header}
      <div className="space-y-5">
        {loadError && (
          <Notice tone="error" title="Could not refresh the providers" onClose={() => setLoadError(null)}>
            {loadError}
          </Notice>
        )}
        <DefaultModelBanner defaultModel={data.defaultModel} providers={data.providers} presets={data.presets} />

        {adding === 'choose' && (
          <PresetPicker presets={data.presets} onPick={setAdding} onCancel={() => setAdding(null)} />
        )}
        {adding !== null && adding !== 'choose' && (
          <Card title={`Add ${adding.label}`}>
            <ProviderForm
              target={{ mode: 'add', preset: adding, takenIds: data.providers.map((p) => p.id) }}
              onCancel={() => setAdding(null)}
              onSaved={(provider) => {
                upsert(provider);
                setJustAdded(provider.id);
                setAdding(null);
              }}
            />
          </Card>
        )}

        {data.providers.length === 0 && adding === null && (
          <EmptyState icon={Cpu} title="No provider yet">
            <p>
              Add a cloud provider such as OpenAI or Anthropic, or a server on this machine such as Ollama or LM Studio.
              Then add its models and choose the default.
            </p>
            <Button variant="primary" className="mt-4" onClick={() => setAdding('choose')}>
              <Plus aria-hidden size={15} /> Add provider
            </Button>
          </EmptyState>
        )}

        {data.providers.map((provider) => (
          <ProviderCard
            key={provider.id}
            provider={provider}
            preset={presetOf(provider)}
            defaultModel={data.defaultModel}
            scrollOnMount={provider.id === justAdded}
            onSaved={upsert}
            onSetDefault={setDefault}
            onDeleted={async () => {
              await load();
              await syncSettings();
            }}
          />
        ))}
      </div>
    </>
  );
}
