import { type ConnectionTest, ConnectionTestSchema, DiscoveredModelsSchema, type ProviderView } from '@contract/models';
import { PlugZap, ScanSearch } from 'lucide-react';
import { useId, useState } from 'react';
import { Button, cx, inputClass } from '../components/ui';
import { api } from '../lib/api';
import { type Discovery, DiscoveryResults } from './DiscoveryResults';
import { BusyIcon, Notice } from './bits';
import { errorText, exact } from './types';

function TestResultNotice({
  model,
  result,
  onClose,
}: {
  model: string;
  result: ConnectionTest | { error: string };
  onClose: () => void;
}) {
  if ('error' in result)
    return (
      <Notice tone="error" title={`Could not test ${model}`} onClose={onClose}>
        {result.error}
      </Notice>
    );
  if (result.ok)
    return (
      <Notice tone="ok" title={`${model} answered in ${exact.format(result.latencyMs)} ms`} onClose={onClose}>
        {result.reply.trim() ? `Reply: ${result.reply.trim()}` : 'The reply was empty, but the request succeeded.'}
      </Notice>
    );
  return (
    <Notice tone="error" title={`${model} failed after ${exact.format(result.latencyMs)} ms`} onClose={onClose}>
      {result.message}
    </Notice>
  );
}

export function ConnectionTools({
  provider,
  defaultModelHere,
  locked,
  onAddModels,
}: {
  provider: ProviderView;
  defaultModelHere: string | null;
  locked: boolean;
  onAddModels: (modelIds: string[]) => Promise<void>;
}) {
  const modelIds = Object.keys(provider.models);
  const [discovery, setDiscovery] = useState<Discovery>({ state: 'idle' });
  const [picked, setPicked] = useState<string | null>(null);
  const [testing, setTesting] = useState(false);
  const [test, setTest] = useState<{ model: string; result: ConnectionTest | { error: string } } | null>(null);
  const uid = useId();
  // The picked model may have been removed since; fall back to the one the server would test by default.
  const testModel = picked !== null && modelIds.includes(picked) ? picked : (defaultModelHere ?? modelIds[0] ?? null);

  const discover = async () => {
    setDiscovery({ state: 'loading' });
    try {
      const { models } = await api(
        `/api/providers/${encodeURIComponent(provider.id)}/discover`,
        DiscoveredModelsSchema,
        { method: 'POST' },
      );
      setDiscovery({ state: 'done', models });
    } catch (error) {
      setDiscovery({ state: 'failed', message: errorText(error) });
    }
  };

  const runTest = async () => {
    if (!testModel) return;
    setTesting(true);
    setTest(null);
    try {
      const result = await api(`/api/providers/${encodeURIComponent(provider.id)}/test`, ConnectionTestSchema, {
        method: 'POST',
        body: { model: testModel },
      });
      setTest({ model: testModel, result });
    } catch (error) {
      setTest({ model: testModel, result: { error: errorText(error) } });
    } finally {
      setTesting(false);
    }
  };

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        <Button
          variant={modelIds.length === 0 ? 'primary' : 'secondary'}
          disabled={discovery.state === 'loading'}
          onClick={() => void discover()}
        >
          <BusyIcon busy={discovery.state === 'loading'} icon={ScanSearch} /> Discover models
        </Button>
        <span className="hidden h-5 w-px bg-zinc-200 sm:block dark:bg-zinc-800" aria-hidden />
        {modelIds.length > 1 && (
          <div className="w-full min-w-0 sm:w-auto sm:max-w-xs">
            <label className="sr-only" htmlFor={`${uid}-test-model`}>
              Model to test
            </label>
            <select
              id={`${uid}-test-model`}
              className={cx(inputClass, 'truncate')}
              value={testModel ?? ''}
              onChange={(e) => setPicked(e.target.value)}
            >
              {modelIds.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </div>
        )}
        <Button
          disabled={testing || !testModel}
          title={testModel ? `Sends one short request to ${testModel}` : 'Add a model first'}
          onClick={() => void runTest()}
        >
          <BusyIcon busy={testing} icon={PlugZap} /> Test connection
        </Button>
        {!testModel && (
          <span className="text-xs text-zinc-500 dark:text-zinc-400">Add a model to test the connection.</span>
        )}
      </div>
      {test && <TestResultNotice model={test.model} result={test.result} onClose={() => setTest(null)} />}
      {discovery.state === 'failed' && (
        <Notice tone="error" title="Discovery failed" onClose={() => setDiscovery({ state: 'idle' })}>
          {discovery.message}
        </Notice>
      )}
      {discovery.state === 'done' && (
        <DiscoveryResults
          found={discovery.models}
          existing={modelIds}
          locked={locked}
          onAdd={onAddModels}
          onClose={() => setDiscovery({ state: 'idle' })}
        />
      )}
    </div>
  );
}

// ---- A provider ----
