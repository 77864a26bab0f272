import { createRoot } from 'react-dom/client';
import { LangProvider } from '../shared/i18n';
import { AdminApp } from './AdminApp';

createRoot(document.getElementById('root')!).render(
  <LangProvider>
    <AdminApp />
  </LangProvider>,
);
