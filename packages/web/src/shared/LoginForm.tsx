import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { ApiError } from './api';
import { useT } from './i18n';
import type { SessionNotice } from './useSession';

/** The email + password form; shows the server's error, and why the user is back here (`notice`). */
export function LoginForm({
  title,
  notice,
  onLogin,
}: {
  title: string;
  notice?: SessionNotice | null;
  onLogin: (email: string, password: string) => Promise<void>;
}) {
  const { t } = useT();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <div
      style={{
        display: 'flex',
        height: '100%',
        alignItems: 'center',
        justifyContent: 'center',
        background: '#f5f5f5',
      }}
    >
      <Card style={{ width: 360 }}>
        <Typography.Title level={3} style={{ textAlign: 'center' }}>
          店小二 · {title}
        </Typography.Title>
        {notice && !error && (
          <Alert
            type="warning"
            message={notice === 'passwordChanged' ? t.passwordChangedNotice : t.sessionExpired}
            style={{ marginBottom: 16 }}
            showIcon
            data-testid="login-notice"
          />
        )}
        {error && (
          <Alert
            type="error"
            message={error}
            style={{ marginBottom: 16 }}
            showIcon
            data-testid="login-error"
          />
        )}
        <Form
          layout="vertical"
          onFinish={async (v: { email: string; password: string }) => {
            setBusy(true);
            setError(null);
            try {
              await onLogin(v.email, v.password);
            } catch (e) {
              if (!(e instanceof ApiError)) setError(t.loginFailed);
              // Issue #13: the demo's accounts while demo mode is off.
              else if (
                e.status === 403 &&
                (e.details as { reason?: string } | undefined)?.reason === 'demo_off'
              )
                setError(t.demoOff);
              // TEAM-1: a disabled account (or one no shop keeps) is refused with 403.
              else if (e.status === 403) setError(t.accountDisabled);
              else if (e.status === 401) setError(t.wrongPassword);
              else setError(e.message);
            } finally {
              setBusy(false);
            }
          }}
        >
          <Form.Item name="email" label={t.email} rules={[{ required: true }]}>
            <Input data-testid="login-email" autoComplete="username" />
          </Form.Item>
          <Form.Item name="password" label={t.password} rules={[{ required: true }]}>
            <Input.Password data-testid="login-password" autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">
            {t.login}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
