import { Button, Result } from 'antd';
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { useT } from './i18n';

/**
 * Issue #14: a render error below shows `fallback` in place of the failing part instead of
 * unmounting the whole app (one bad message once left the workbench blank).
 */
export class ErrorBoundary extends Component<
  { fallback: ReactNode; children: ReactNode },
  { failed: boolean }
> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('render failed', error, info.componentStack);
  }

  override render(): ReactNode {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}

/** What a whole page shows when it failed to render: the error, and a reload. */
export function PageCrashed() {
  const { t } = useT();
  return (
    <Result
      status="error"
      title={t.pageCrashed}
      data-testid="page-crashed"
      extra={
        <Button type="primary" onClick={() => window.location.reload()}>
          {t.reload}
        </Button>
      }
    />
  );
}

/** A whole page, kept from going blank (issue #14). */
export function PageBoundary({ children }: { children: ReactNode }) {
  return <ErrorBoundary fallback={<PageCrashed />}>{children}</ErrorBoundary>;
}
