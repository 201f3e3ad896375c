import { useEffect } from 'react';
import { Layout } from './components/Layout';
import { PageHeader } from './components/ui';
import { navigate, usePath } from './lib/router';
import { DEFAULT_PATH, navItemFor } from './nav';

export function App() {
  const path = usePath();
  const item = navItemFor(path);

  useEffect(() => {
    if (path === '/' || path === '/settings')
      navigate(path === '/' ? DEFAULT_PATH : '/settings/general', { replace: true });
  }, [path]);

  useEffect(() => {
    document.title = item ? `${item.label} · boxagnts` : 'boxagnts';
  }, [item]);

  return (
    <Layout path={path} fullBleed={item?.fullBleed ?? false} ownsPhoneBar={item?.ownsPhoneBar ?? false}>
      {item
        ? item.render(path)
        : path !== '/' &&
          path !== '/settings' && <PageHeader title="Page not found" description={`There is no page at ${path}.`} />}
    </Layout>
  );
}
