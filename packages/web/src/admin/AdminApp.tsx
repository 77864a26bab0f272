import { ADMIN_ROLES } from '@xiaoer/protocol/labels';
import { Alert, Button, Layout, Space, Spin, Tabs, Typography } from 'antd';
import { useT } from '../shared/i18n';
import { LangSwitch } from '../shared/LangSwitch';
import { LoginForm } from '../shared/LoginForm';
import { useSession } from '../shared/useSession';
import { QuickRepliesPanel } from '../workbench/QuickRepliesPanel';
import { AgentsTable } from './AgentsTable';
import { ShopSettings } from './ShopSettings';

/** The admin console: shop settings, agents, shared quick replies. */
export function AdminApp() {
  const { t } = useT();
  const session = useSession();
  if (session.loading) return <Spin style={{ display: 'block', marginTop: 120 }} />;
  if (!session.me) return <LoginForm title={t.appAdmin} onLogin={session.login} />;
  const { me } = session;
  const allowed = ADMIN_ROLES.includes(me.agent.role);
  return (
    <Layout style={{ minHeight: '100%' }}>
      <Layout.Header
        style={{
          background: '#fff',
          display: 'flex',
          justifyContent: 'space-between',
          alignItems: 'center',
          borderBottom: '1px solid #f0f0f0',
        }}
      >
        <Space>
          <Typography.Title level={4} style={{ margin: 0, color: '#ff5000' }}>
            店小二
          </Typography.Title>
          <Typography.Text>
            {me.shop.name} · {t.appAdmin}
          </Typography.Text>
        </Space>
        <Space>
          <Typography.Text>{me.agent.name}</Typography.Text>
          <LangSwitch />
          <a href="/workbench/">{t.appWorkbench}</a>
          <Button onClick={session.logout}>{t.logout}</Button>
        </Space>
      </Layout.Header>
      <Layout.Content style={{ padding: 24 }}>
        {!allowed ? (
          <Alert type="warning" message={t.noPermission} showIcon />
        ) : (
          <Tabs
            items={[
              { key: 'shop', label: t.shop, children: <ShopSettings /> },
              { key: 'agents', label: t.agents, children: <AgentsTable /> },
              {
                key: 'quick',
                label: t.quickReplies,
                children: <QuickRepliesPanel myId={me.agent.id} isAdmin sharedOnly />,
              },
            ]}
          />
        )}
      </Layout.Content>
    </Layout>
  );
}
