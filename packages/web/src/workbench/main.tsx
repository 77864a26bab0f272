import { createRoot } from 'react-dom/client';
import { LangProvider } from '../shared/i18n';
import { WorkbenchApp } from './WorkbenchApp';

createRoot(document.getElementById('root')!).render(
  <LangProvider>
    <WorkbenchApp />
  </LangProvider>,
);
