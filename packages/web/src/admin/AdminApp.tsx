import { ADMIN_ROLES } from '@xiaoer/protocol/labels';
import { Alert, Layout, Spin, Tabs } from 'antd';
import { useT } from '../shared/i18n';
import { AppHeader } from '../shared/AppHeader';
import { LoginForm } from '../shared/LoginForm';
import { useSession } from '../shared/useSession';
import { QuickRepliesPanel } from '../workbench/QuickRepliesPanel';
import { AgentsTable } from './AgentsTable';
import { BotAdmin } from './BotAdmin';
import { ComplianceLog } from './ComplianceLog';
import { ComplianceSettings } from './ComplianceSettings';
import { RoutingSettings } from './RoutingSettings';
import { ShopSettings } from './ShopSettings';

/** The admin console: shop settings, agents, routing, the bot, shared quick replies, compliance. */
export function AdminApp() {
  const { t } = useT();
  const session = useSession();
  if (session.loading) return <Spin style={{ display: 'block', marginTop: 120 }} />;
  if (!session.me) return <LoginForm title={t.appAdmin} onLogin={session.login} />;
  const { me } = session;
  const allowed = ADMIN_ROLES.includes(me.agent.role);
  return (
    <Layout style={{ minHeight: '100%' }}>
      <AppHeader
        me={me}
        appName={t.appAdmin}
        link={{ href: '/workbench/', label: t.appWorkbench }}
        onLogout={session.logout}
      />
      <Layout.Content style={{ padding: 24 }}>
        {!allowed ? (
          <Alert type="warning" message={t.noPermission} showIcon />
        ) : (
          <Tabs
            items={[
              { key: 'shop', label: t.shop, children: <ShopSettings /> },
              { key: 'agents', label: t.agents, children: <AgentsTable /> },
              { key: 'routing', label: t.routing, children: <RoutingSettings /> },
              { key: 'bot', label: `${t.bot} / FAQ`, children: <BotAdmin /> },
              {
                key: 'quick',
                label: t.quickReplies,
                children: <QuickRepliesPanel myId={me.agent.id} isAdmin sharedOnly />,
              },
              { key: 'compliance', label: t.compliance, children: <ComplianceSettings /> },
              // Read afresh each time it is opened: blocks happen while the console is open.
              {
                key: 'compliance-log',
                label: t.complianceLog,
                children: <ComplianceLog />,
                destroyOnHidden: true,
              },
            ]}
          />
        )}
      </Layout.Content>
    </Layout>
  );
}
