// First: it configures zod before any module builds a schema.
import './lib/zod-config';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { watchInteractions } from './approvals/store';
import { loadApp } from './state';
import './styles.css';

void loadApp();
watchInteractions();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
