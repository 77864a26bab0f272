import { ADMIN_ROLES } from '@xiaoer/protocol/labels';
import { lastSeq } from '@xiaoer/protocol/message-list';
import type {
  AgentStatusDto as AgentStatus,
  MeResponse,
  QuickReplyDto as QuickReply,
} from '@xiaoer/protocol';
import { Badge, Layout, Select, Spin, Tabs, message as toast } from 'antd';
import {
  CommentOutlined,
  CustomerServiceOutlined,
  MessageOutlined,
  StarOutlined,
  TeamOutlined,
  ThunderboltOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { useEffect, useMemo, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import { api, failureText } from '../shared/api';
import { findingText } from '../shared/compliance';
import { useT } from '../shared/i18n';
import { AppHeader, usePhone } from '../shared/AppHeader';
import { LoginForm } from '../shared/LoginForm';
import { useSession, type Session } from '../shared/useSession';
import { AftersalesPanel, BuyerCases, OpenCaseButton, useAftersalesAlerts } from './Aftersales';
import { BuyerSidebar } from './BuyerSidebar';
import { ChatPane } from './ChatPane';
import type { ComposerHandle } from './Composer';
import { ConversationList } from './ConversationList';
import { MetricsAlertBanner } from './MetricsAlertBanner';
import { askNotificationPermission, onOpenConversation } from './notify';
import { QueuePanel } from './QueuePanel';
import { QuickRepliesPanel } from './QuickRepliesPanel';
import { ShopScope } from './shopScope';
import { TransferModal } from './TransferModal';
import { useWorkbench } from './useWorkbench';
import { BuyerCrm } from './BuyerCrm';
import { ReviewsPanel } from './ReviewsPanel';

/** The agent workbench: login, then list · chat · buyer sidebar. */
export function WorkbenchApp() {
  const { t } = useT();
  const session = useSession();
  if (session.loading) return <Spin style={{ display: 'block', marginTop: 120 }} />;
  if (!session.me)
    return <LoginForm title={t.appWorkbench} notice={session.notice} onLogin={session.login} />;
  // TEAM-4: another shop is another workbench: its list, queue and socket start afresh.
  return <Workbench key={session.me.shop.id} me={session.me} session={session} />;
}

function Workbench({ me, session }: { me: MeResponse; session: Session }) {
  const { t, lang } = useT();
  const onMe = session.setMe;
  const isAdmin = ADMIN_ROLES.includes(me.agent.role);
  // TEAM-4: the shops whose every conversation I see (my role there administers it).
  const adminShopKey = me.shops
    .filter((s) => ADMIN_ROLES.includes(s.role))
    .map((s) => s.id)
    .join(',');
  const adminShops = useMemo(() => (adminShopKey ? adminShopKey.split(',') : []), [adminShopKey]);
  const wb = useWorkbench({ agentId: me.agent.id, isAdmin, adminShops }, session.refresh);
  /** TEAM-4: the list shows this shop's conversations only (null: every shop's). */
  const [shopFilter, setShopFilter] = useState<string | null>(null);
  const manyShops = me.shops.length > 1;
  const [transferOpen, setTransferOpen] = useState(false);
  const [queueCount, setQueueCount] = useState(0);
  const [reviewCount, setReviewCount] = useState(0);
  const [sideTab, setSideTab] = useState('buyer');
  const phone = usePhone();
  /** On a phone, the one pane shown. */
  const [pane, setPane] = useState<'list' | 'chat' | 'side'>('list');
  // Opened from anywhere (the alert, the queue, a reach-out): the chat comes to the front.
  useEffect(() => setPane(wb.selectedId ? 'chat' : 'list'), [wb.selectedId]);
  const unreadTotal = Object.values(wb.conversations).reduce(
    (n, c) => n + (c.status === 'ended' ? 0 : c.agentUnread),
    0,
  );
  useEffect(askNotificationPermission, []);
  // Issue #19 (AS-2): a case's deadline near — its holder and the supervisors are told.
  useAftersalesAlerts(wb.onAftersales);
  // A tapped notification opens its conversation (loaded first when it is not in the list).
  // Issue #18: a supervisor's list says who holds each conversation.
  const [agentNames, setAgentNames] = useState<Record<string, string>>({});
  useEffect(() => {
    if (!isAdmin) return;
    api('GET', '/api/agents')
      .then((r) => setAgentNames(Object.fromEntries(r.agents.map((a) => [a.id, a.name]))))
      .catch(() => undefined);
  }, [isAdmin]);
  // Issue #18: Alt+↓ / Alt+↑ move to the next / previous open conversation, in the list's order.
  const orderRef = useRef<string[]>([]);
  orderRef.current = Object.values(wb.conversations)
    .filter((c) => c.status !== 'ended' && c.status !== 'spam')
    .filter((c) => shopFilter === null || c.shopId === shopFilter)
    .sort((a, b) => b.lastMessageAt - a.lastMessageAt)
    .map((c) => c.id);
  const selectedRef = useRef(wb.selectedId);
  selectedRef.current = wb.selectedId;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || (e.key !== 'ArrowDown' && e.key !== 'ArrowUp')) return;
      const order = orderRef.current;
      if (order.length === 0) return;
      e.preventDefault();
      const at = selectedRef.current ? order.indexOf(selectedRef.current) : -1;
      const next =
        e.key === 'ArrowDown'
          ? order[at < 0 ? 0 : Math.min(order.length - 1, at + 1)]
          : order[at < 0 ? 0 : Math.max(0, at - 1)];
      if (next && next !== selectedRef.current) {
        wb.select(next);
        composerRef.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  // Once: reloadList and select are stable callbacks.
  useEffect(() => onOpenConversation((id) => void wb.reloadList().then(() => wb.select(id))), []);
  const conversation = wb.selectedId ? (wb.conversations[wb.selectedId] ?? null) : null;
  const typingAt = conversation ? (wb.typing[conversation.id] ?? 0) : 0;
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 2000);
    return () => clearInterval(timer);
  }, []);
  const composerRef = useRef<ComposerHandle>(null);
  // A quick reply sent in one click goes the composer's way: checked, confirmed on a warning,
  // refused on a block (CMP-1 … CMP-5).
  const useQuickReply = (q: QuickReply) => {
    if (!conversation || conversation.status === 'ended') return;
    composerRef.current?.sendQuickReply(q);
  };
  // CMP-6: the buyer may be reached out to only without an open conversation.
  const buyerHasOpen =
    !!conversation &&
    Object.values(wb.conversations).some((c) => c.buyerId === conversation.buyerId && c.status !== 'ended');
  const messages = conversation ? (wb.messages[conversation.id] ?? []) : [];
  // TEAM-4: calls about the open conversation act in its shop, with my role there.
  const scopeShop = conversation?.shopId ?? shopFilter ?? me.shop.id;
  const adminHere = adminShops.includes(scopeShop);
  const queueShop = shopFilter ?? me.shop.id;
  const shopName = (id: string) => me.shops.find((s) => s.id === id)?.name ?? null;
  const list = (
    <ConversationList
      conversations={wb.conversations}
      selectedId={wb.selectedId}
      loading={wb.loadingList}
      onSelect={(id) => {
        wb.select(id);
        setPane('chat');
      }}
      shops={manyShops ? me.shops : undefined}
      holders={isAdmin ? agentNames : undefined}
      myId={me.agent.id}
      keysHint={!phone}
      shopFilter={shopFilter}
      onShopFilter={(shopId) => {
        setShopFilter(shopId);
        if (shopId !== null && conversation && conversation.shopId !== shopId) wb.select(null);
      }}
    />
  );
  const chat = (
    <ShopScope shopId={scopeShop}>
      <ChatPane
        conversation={conversation}
        messages={messages}
        summary={conversation ? (wb.summaries[conversation.id] ?? null) : null}
        note={conversation ? (wb.notes[conversation.id] ?? null) : null}
        buyerTyping={Date.now() - typingAt < 5000}
        isAdmin={adminHere}
        myId={me.agent.id}
        onChanged={wb.upsertConversation}
        shopName={manyShops && conversation ? shopName(conversation.shopId) : null}
        composerRef={composerRef}
        onSendText={(text, options) =>
          conversation
            ? wb.send(conversation.id, { kind: 'text', body: { text } }, options)
            : Promise.resolve({ ok: false, code: 'no_conversation', message: '' })
        }
        onSendImage={(url) => {
          if (!conversation) return;
          // CMP-3: an image whose QR code or barcode is blocked is never sent; say why.
          void wb.send(conversation.id, { kind: 'image', body: { url } }).then((outcome) => {
            if (outcome.ok) return;
            if (outcome.code === 'validation_failed') toast.error(t.imageUnreadable);
            else if (outcome.details) {
              const reasons = outcome.details.findings.map((f) => findingText(f, t, lang)).join('；');
              toast.error(`${t.imageNotSent}：${reasons}`, 8);
            }
          });
        }}
        onTyping={() => conversation && wb.sendTyping(conversation.id)}
        onRead={(seq) => conversation && wb.markRead(conversation.id, seq)}
        onTransfer={() => setTransferOpen(true)}
        {...(phone ? { onBack: () => setPane('list') } : {})}
      />
    </ShopScope>
  );
  const side = (
    <Tabs
      activeKey={sideTab}
      onChange={setSideTab}
      // On a phone the bottom navigation chooses the tab.
      {...(phone ? { renderTabBar: () => <></> } : {})}
      items={[
        {
          key: 'buyer',
          label: t.buyer,
          children: conversation ? (
            <ShopScope shopId={conversation.shopId}>
              <BuyerSidebar
                buyerId={conversation.buyerId}
                canSend={conversation.status !== 'ended'}
                onSendOrder={(orderId) => wb.sendOrderCard(conversation.id, orderId)}
                canReachOut={!buyerHasOpen}
                promisesVersion={lastSeq(messages)}
                onReachedOut={(c) => {
                  wb.upsertConversation(c);
                  wb.select(c.id);
                }}
                orderExtra={(o) => <OpenCaseButton order={o} conversationId={conversation.id} />}
                crm={<BuyerCrm buyerId={conversation.buyerId} me={me.agent.id} />}
              >
                <BuyerCases
                  buyerId={conversation.buyerId}
                  myId={me.agent.id}
                  decides={adminShops.includes(conversation.shopId)}
                  subscribe={wb.onAftersales}
                />
              </BuyerSidebar>
            </ShopScope>
          ) : null,
        },
        {
          key: 'queue',
          label: (
            <span data-testid="queue-tab">
              {t.queue} <Badge count={queueCount} size="small" color="orange" showZero={false} />
            </span>
          ),
          children: (
            <ShopScope shopId={queueShop}>
              <QueuePanel
                version={wb.queueVersion}
                isAdmin={adminShops.includes(queueShop)}
                shopName={manyShops ? shopName(queueShop) : null}
                onCount={setQueueCount}
                onOpen={(id) => {
                  void wb.reloadList().then(() => wb.select(id));
                }}
              />
            </ShopScope>
          ),
          forceRender: true,
        },
        {
          key: 'cases',
          label: <span data-testid="cases-tab">{t.caseDesk.tab}</span>,
          children: (
            <ShopScope shopId={queueShop}>
              <AftersalesPanel
                myId={me.agent.id}
                decides={adminShops.includes(queueShop)}
                subscribe={wb.onAftersales}
                onOpenConversation={(id) => {
                  if (wb.conversations[id]) wb.select(id);
                  else void wb.reloadList().then(() => wb.select(id));
                }}
              />
            </ShopScope>
          ),
        },
        {
          // CRM-7: the shop's reviews waiting for a reply (counted on the tab).
          key: 'reviews',
          label: (
            <span data-testid="reviews-tab">
              {t.reviews.tab} <Badge count={reviewCount} size="small" showZero={false} />
            </span>
          ),
          children: (
            <ShopScope shopId={queueShop}>
              <ReviewsPanel onCount={setReviewCount} />
            </ShopScope>
          ),
          forceRender: true,
        },
        {
          key: 'quick',
          label: t.quickReplies,
          children: (
            <ShopScope shopId={scopeShop}>
              <QuickRepliesPanel myId={me.agent.id} isAdmin={adminHere} onUse={useQuickReply} />
            </ShopScope>
          ),
        },
      ]}
    />
  );
  return (
    <Layout style={{ height: '100%' }}>
      <AppHeader
        me={me}
        appName={t.appWorkbench}
        status={<Badge status={wb.connected ? 'success' : 'error'} />}
        link={isAdmin ? { href: '/admin/', label: t.appAdmin } : null}
        onLogout={session.logout}
        onSwitchShop={session.switchShop}
        onPasswordChanged={session.passwordChanged}
        controls={
          <Select
            data-testid="agent-status"
            value={(wb.ownStatus as AgentStatus | null) ?? me.agent.status}
            style={{ width: 100 }}
            onChange={async (status: AgentStatus) => {
              try {
                const r = await api('PUT', '/api/me/status', { status });
                onMe({ ...me, agent: r.agent });
              } catch (e) {
                toast.error(failureText(e));
              }
            }}
            options={(['online', 'hung_up', 'offline'] as const).map((s) => ({ value: s, label: t[s] }))}
          />
        }
      />
      {/* MET-5: supervisors see every buyer at risk, an agent the ones they hold (issue #18). */}
      <MetricsAlertBanner
        alert={wb.metricsAlert}
        replyMinutes={wb.replyMinutes}
        onOpen={(id) => {
          // The buyer may not be in the list yet (queued, another agent's): load it, then open.
          if (wb.conversations[id]) wb.select(id);
          else void wb.reloadList().then(() => wb.select(id));
        }}
      />
      {phone ? (
        <>
          {/* Issue #18: one pane at a time on a phone — list → chat → buyer — all kept mounted so a
              draft, a scroll position and the queue's count survive moving between them. */}
          <div style={{ flex: 1, minHeight: 0, position: 'relative', background: '#fff' }}>
            <div data-testid="pane-list" style={paneStyle(pane === 'list')}>
              {list}
            </div>
            <div data-testid="pane-chat" style={paneStyle(pane === 'chat')}>
              {chat}
            </div>
            <div
              data-testid="pane-side"
              style={{ ...paneStyle(pane === 'side'), padding: '0 12px', overflowY: 'auto' }}
            >
              {side}
            </div>
          </div>
          <BottomNav
            items={[
              { key: 'list', label: t.navChats, icon: <MessageOutlined />, badge: unreadTotal },
              { key: 'chat', label: t.navChat, icon: <CommentOutlined />, disabled: !conversation },
              { key: 'buyer', label: t.navBuyer, icon: <UserOutlined />, disabled: !conversation },
              { key: 'queue', label: t.navQueue, icon: <TeamOutlined />, badge: queueCount },
              { key: 'cases', label: t.caseDesk.navLabel, icon: <CustomerServiceOutlined /> },
              { key: 'reviews', label: t.reviews.navLabel, icon: <StarOutlined />, badge: reviewCount },
              { key: 'quick', label: t.navQuick, icon: <ThunderboltOutlined /> },
            ]}
            active={pane === 'side' ? sideTab : pane}
            onChoose={(key) => {
              if (key === 'list' || key === 'chat') setPane(key);
              else {
                setSideTab(key);
                setPane('side');
              }
            }}
          />
        </>
      ) : (
        <Layout>
          <Layout.Sider width={300} theme="light" style={{ borderRight: '1px solid #f0f0f0' }}>
            {list}
          </Layout.Sider>
          <Layout.Content style={{ background: '#fff' }}>{chat}</Layout.Content>
          <Layout.Sider
            width={340}
            theme="light"
            style={{ borderLeft: '1px solid #f0f0f0', padding: '0 12px', overflowY: 'auto' }}
          >
            {side}
          </Layout.Sider>
        </Layout>
      )}
      {conversation && (
        <ShopScope shopId={conversation.shopId}>
          <TransferModal
            conversationId={conversation.id}
            myId={me.agent.id}
            open={transferOpen}
            onClose={() => setTransferOpen(false)}
            onDone={() => {
              setTransferOpen(false);
              if (!adminHere) wb.select(null);
            }}
          />
        </ShopScope>
      )}
    </Layout>
  );
}

/** A phone pane: fills the area when shown, hidden (still mounted) otherwise. */
function paneStyle(shown: boolean): CSSProperties {
  return { position: 'absolute', inset: 0, display: shown ? 'flex' : 'none', flexDirection: 'column' };
}

/** Issue #18: the phone's bottom navigation — large targets (56 px), a badge on chats and queue. */
function BottomNav(props: {
  items: { key: string; label: string; icon: ReactNode; badge?: number; disabled?: boolean }[];
  active: string;
  onChoose: (key: string) => void;
}) {
  return (
    <nav
      data-testid="bottom-nav"
      style={{
        display: 'flex',
        borderTop: '1px solid #f0f0f0',
        background: '#fff',
        paddingBottom: 'env(safe-area-inset-bottom)',
      }}
    >
      {props.items.map((item) => {
        const active = item.key === props.active;
        return (
          <button
            key={item.key}
            type="button"
            data-testid={`nav-${item.key}`}
            aria-current={active ? 'page' : undefined}
            disabled={item.disabled}
            onClick={() => props.onChoose(item.key)}
            style={{
              flex: 1,
              minWidth: 0,
              minHeight: 56,
              padding: '0 1px',
              whiteSpace: 'nowrap',
              border: 'none',
              background: 'none',
              display: 'flex',
              flexDirection: 'column',
              alignItems: 'center',
              justifyContent: 'center',
              gap: 2,
              fontSize: 12,
              color: item.disabled ? '#bfbfbf' : active ? '#ff5000' : '#595959',
              cursor: item.disabled ? 'default' : 'pointer',
            }}
          >
            <Badge count={item.badge ?? 0} size="small" offset={[6, -2]}>
              <span style={{ fontSize: 20, color: 'inherit' }}>{item.icon}</span>
            </Badge>
            {item.label}
          </button>
        );
      })}
    </nav>
  );
}
