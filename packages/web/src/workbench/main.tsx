// antd 5's static message/modal/notification render through React's legacy API; this official patch makes them work on React 19.
import '@ant-design/v5-patch-for-react-19';
import { createRoot } from 'react-dom/client';
import { PageBoundary } from '../shared/ErrorBoundary';
import { LangProvider } from '../shared/i18n';
import { registerWorkbenchWorker } from './notify';
import { WorkbenchApp } from './WorkbenchApp';

// Issue #18: installable from the first page shown, the login form included.
registerWorkbenchWorker();

createRoot(document.getElementById('root')!).render(
  <LangProvider>
    <PageBoundary>
      <WorkbenchApp />
    </PageBoundary>
  </LangProvider>,
);
