import { ApiKeys } from './ApiKeys';
import { Webhooks } from './Webhooks';
import { Imports } from './Imports';
import { ADMIN_ROLES } from '@xiaoer/protocol/labels';
import { Alert, Layout, Space, Spin, Tabs } from 'antd';
import { useState } from 'react';
import { useT } from '../shared/i18n';
import { AppHeader } from '../shared/AppHeader';
import { LoginForm } from '../shared/LoginForm';
import { useSession } from '../shared/useSession';
import { QuickRepliesPanel } from '../workbench/QuickRepliesPanel';
import { AgentsTable } from './AgentsTable';
import { BotAdmin } from './BotAdmin';
import { ChatHistory } from './ChatHistory';
import { ComplianceLog } from './ComplianceLog';
import { ComplianceSettings } from './ComplianceSettings';
import { LiveBoard } from './LiveBoard';
import { MetricsDashboard } from './MetricsDashboard';
import { MetricsSettings } from './MetricsSettings';
import { QualityReview } from './QualityReview';
import { RoutingSettings } from './RoutingSettings';
import { ShopSettings } from './ShopSettings';
import { StaffingPlanner } from './StaffingPlanner';

/** The admin console: metrics, shop settings, agents, routing, the bot, shared quick replies, compliance. */
export function AdminApp() {
  const { t } = useT();
  const session = useSession();
  const [tab, setTab] = useState(() => location.hash.slice(1) || 'live');
  if (session.loading) return <Spin style={{ display: 'block', marginTop: 120 }} />;
  if (!session.me) return <LoginForm title={t.appAdmin} notice={session.notice} onLogin={session.login} />;
  const { me } = session;
  const allowed = ADMIN_ROLES.includes(me.agent.role);
  return (
    <Layout style={{ minHeight: '100%' }}>
      <AppHeader
        me={me}
        appName={t.appAdmin}
        link={{ href: '/workbench/', label: t.appWorkbench }}
        onLogout={session.logout}
        onSwitchShop={session.switchShop}
        onPasswordChanged={session.passwordChanged}
      />
      {/* TEAM-4: another shop is another console: every tab loads afresh. */}
      <Layout.Content key={me.shop.id} style={{ padding: 24 }}>
        {!allowed ? (
          <Alert type="warning" message={t.noPermission} showIcon />
        ) : (
          <Tabs
            activeKey={tab}
            onChange={(key) => {
              setTab(key);
              // The open tab is in the address: a reload or a shared link opens it again.
              history.replaceState(null, '', `#${key}`);
            }}
            items={[
              // Issue #18: where a supervisor's day starts; its socket closes when the tab is left.
              {
                key: 'live',
                label: t.liveBoard,
                children: <LiveBoard shopId={me.shop.id} />,
                destroyOnHidden: true,
              },
              // Shown only while open (destroyOnHidden): the live dashboard stops refreshing when left.
              { key: 'metrics', label: t.metrics, children: <MetricsTab />, destroyOnHidden: true },
              // Issue #18: 会话记录 — search every conversation, read a transcript, export.
              { key: 'history', label: t.history.tab, children: <ChatHistory />, destroyOnHidden: true },
              // Issue #18: planned afresh each time it is opened (the history moves on).
              { key: 'staffing', label: t.staffing, children: <StaffingPlanner />, destroyOnHidden: true },
              { key: 'shop', label: t.shop, children: <ShopSettings /> },
              {
                key: 'agents',
                label: t.agents,
                children: (
                  <AgentsTable viewer={{ id: me.agent.id, role: me.agent.role, isOrgOwner: me.isOrgOwner }} />
                ),
              },
              { key: 'routing', label: t.routing, children: <RoutingSettings /> },
              { key: 'bot', label: `${t.bot} / FAQ`, children: <BotAdmin /> },
              {
                key: 'quick',
                label: t.quickReplies,
                children: <QuickRepliesPanel myId={me.agent.id} isAdmin sharedOnly />,
              },
              { key: 'compliance', label: t.compliance, children: <ComplianceSettings /> },
              {
                key: 'integration',
                label: t.integration,
                children: (
                  <Space direction="vertical" style={{ width: '100%' }} size="middle">
                    <Imports />
                    <ApiKeys />
                    <Webhooks />
                  </Space>
                ),
              },
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

/** 数据: the live dashboard (MET-1 … MET-6), quality spot checks (MET-7) and the metrics settings. */
function MetricsTab() {
  const { t } = useT();
  return (
    <Tabs
      size="small"
      type="card"
      items={[
        {
          key: 'dashboard',
          label: t.metricsDashboard,
          children: <MetricsDashboard />,
          destroyOnHidden: true,
        },
        { key: 'quality', label: t.metricsQuality, children: <QualityReview />, destroyOnHidden: true },
        { key: 'settings', label: t.metricsSettings, children: <MetricsSettings />, destroyOnHidden: true },
      ]}
    />
  );
}
