import { Construction } from 'lucide-react';
import { EmptyState } from '../components/EmptyState';
import { PageHeader } from '../components/ui';

/** The honest page for a part of the product this version does not have yet. */
export function NotBuiltPage({ title, summary, plan }: { title: string; summary: string; plan: string }) {
  return (
    <>
      <PageHeader title={title} description={summary} />
      <EmptyState icon={Construction} title="Not built yet">
        <p>{plan}</p>
        <p className="mt-2">Nothing on this page is simulated: it stays empty until the feature exists.</p>
      </EmptyState>
    </>
  );
}
