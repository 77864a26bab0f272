import { ADMIN_ROLES } from '@xiaoer/protocol/labels';
import { Alert, Layout, Space, Spin, Tabs } from 'antd';
import { lazy, Suspense, useState, type ReactNode } from 'react';
import { useT } from '../shared/i18n';
import { AppHeader } from '../shared/AppHeader';
import { LoginForm } from '../shared/LoginForm';
import { useSession } from '../shared/useSession';

// Issue #18: each tab is its own chunk, loaded when first opened — the console's first load is the
// frame and the open tab, not every page of it (charts, editors, the history's drawer).
const AftersalesConsole = lazy(() =>
  import('./AftersalesConsole').then((m) => ({ default: m.AftersalesConsole })),
);
const Journeys = lazy(() => import('./Journeys').then((m) => ({ default: m.Journeys })));
const ApiKeys = lazy(() => import('./ApiKeys').then((m) => ({ default: m.ApiKeys })));
const Webhooks = lazy(() => import('./Webhooks').then((m) => ({ default: m.Webhooks })));
const Imports = lazy(() => import('./Imports').then((m) => ({ default: m.Imports })));
const QuickRepliesPanel = lazy(() =>
  import('../workbench/QuickRepliesPanel').then((m) => ({ default: m.QuickRepliesPanel })),
);
const AgentsTable = lazy(() => import('./AgentsTable').then((m) => ({ default: m.AgentsTable })));
const BotAdmin = lazy(() => import('./BotAdmin').then((m) => ({ default: m.BotAdmin })));
const ChatHistory = lazy(() => import('./ChatHistory').then((m) => ({ default: m.ChatHistory })));
const ComplianceLog = lazy(() => import('./ComplianceLog').then((m) => ({ default: m.ComplianceLog })));
const PromiseChecks = lazy(() => import('./PromiseChecks').then((m) => ({ default: m.PromiseChecks })));
const ComplianceSettings = lazy(() =>
  import('./ComplianceSettings').then((m) => ({ default: m.ComplianceSettings })),
);
const LiveBoard = lazy(() => import('./LiveBoard').then((m) => ({ default: m.LiveBoard })));
const MetricsDashboard = lazy(() =>
  import('./MetricsDashboard').then((m) => ({ default: m.MetricsDashboard })),
);
const MetricsSettings = lazy(() => import('./MetricsSettings').then((m) => ({ default: m.MetricsSettings })));
const QualityReview = lazy(() => import('./QualityReview').then((m) => ({ default: m.QualityReview })));
const RoutingSettings = lazy(() => import('./RoutingSettings').then((m) => ({ default: m.RoutingSettings })));
const ShopSettings = lazy(() => import('./ShopSettings').then((m) => ({ default: m.ShopSettings })));
const StaffingPlanner = lazy(() => import('./StaffingPlanner').then((m) => ({ default: m.StaffingPlanner })));

/** A tab's content, with a spinner while its chunk loads. */
function Tab({ children }: { children: ReactNode }) {
  return (
    <Suspense fallback={<Spin style={{ display: 'block', margin: '48px auto' }} />}>{children}</Suspense>
  );
}

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
                children: (
                  <Tab>
                    <LiveBoard shopId={me.shop.id} />
                  </Tab>
                ),
                destroyOnHidden: true,
              },
              // Shown only while open (destroyOnHidden): the live dashboard stops refreshing when left.
              {
                key: 'metrics',
                label: t.metrics,
                children: (
                  <Tab>
                    <MetricsTab />
                  </Tab>
                ),
                destroyOnHidden: true,
              },
              // Issue #18: 会话记录 — search every conversation, read a transcript, export.
              {
                key: 'history',
                label: t.history.tab,
                children: (
                  <Tab>
                    <ChatHistory />
                  </Tab>
                ),
                destroyOnHidden: true,
              },
              // Issue #18: planned afresh each time it is opened (the history moves on).
              {
                key: 'staffing',
                label: t.staffing,
                children: (
                  <Tab>
                    <StaffingPlanner />
                  </Tab>
                ),
                destroyOnHidden: true,
              },
              // Issue #19: 售后 — the 30-day view, open cases and the after-sales rules, read afresh.
              {
                key: 'aftersales',
                label: t.aftersalesConsole.tab,
                children: (
                  <Tab>
                    <AftersalesConsole />
                  </Tab>
                ),
                destroyOnHidden: true,
              },
              // Issue #21: old customers — journeys, their dry runs and what they did.
              {
                key: 'journeys',
                label: t.crm.journeys,
                children: (
                  <Tab>
                    <Journeys />
                  </Tab>
                ),
                destroyOnHidden: true,
              },
              {
                key: 'shop',
                label: t.shop,
                children: (
                  <Tab>
                    <ShopSettings />
                  </Tab>
                ),
              },
              {
                key: 'agents',
                label: t.agents,
                children: (
                  <Tab>
                    <AgentsTable
                      viewer={{ id: me.agent.id, role: me.agent.role, isOrgOwner: me.isOrgOwner }}
                    />
                  </Tab>
                ),
              },
              {
                key: 'routing',
                label: t.routing,
                children: (
                  <Tab>
                    <RoutingSettings />
                  </Tab>
                ),
              },
              {
                key: 'bot',
                label: `${t.bot} / FAQ`,
                children: (
                  <Tab>
                    <BotAdmin />
                  </Tab>
                ),
              },
              {
                key: 'quick',
                label: t.quickReplies,
                children: (
                  <Tab>
                    <QuickRepliesPanel myId={me.agent.id} isAdmin sharedOnly />
                  </Tab>
                ),
              },
              {
                key: 'compliance',
                label: t.compliance,
                children: (
                  <Tab>
                    <ComplianceSettings />
                  </Tab>
                ),
              },
              {
                key: 'integration',
                label: t.integration,
                children: (
                  <Tab>
                    <Space direction="vertical" style={{ width: '100%' }} size="middle">
                      <Imports />
                      <ApiKeys />
                      <Webhooks />
                    </Space>
                  </Tab>
                ),
              },
              // Read afresh each time it is opened: blocks happen while the console is open.
              {
                key: 'compliance-log',
                label: t.complianceLog,
                children: (
                  <Tab>
                    <ComplianceLog />
                  </Tab>
                ),
                destroyOnHidden: true,
              },
              // Issue #19 (CMP-4): promises checked, counted per agent; live while open.
              {
                key: 'promises',
                label: t.promiseChecks.tab,
                children: (
                  <Tab>
                    <PromiseChecks shopId={me.shop.id} />
                  </Tab>
                ),
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
          children: (
            <Tab>
              <MetricsDashboard />
            </Tab>
          ),
          destroyOnHidden: true,
        },
        {
          key: 'quality',
          label: t.metricsQuality,
          children: (
            <Tab>
              <QualityReview />
            </Tab>
          ),
          destroyOnHidden: true,
        },
        {
          key: 'settings',
          label: t.metricsSettings,
          children: (
            <Tab>
              <MetricsSettings />
            </Tab>
          ),
          destroyOnHidden: true,
        },
      ]}
    />
  );
}
