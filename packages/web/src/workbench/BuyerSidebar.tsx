import { SendOutlined } from '@ant-design/icons';
import type {
  BuyerProfileResponse,
  BuyerPromise,
  ConversationStateDto as Conversation,
  PromiseKind,
} from '@xiaoer/protocol';
import {
  Button,
  Card,
  Descriptions,
  Empty,
  List,
  Spin,
  Tag,
  Timeline,
  Tooltip,
  Typography,
  message as toast,
} from 'antd';
import { useEffect, useState, type ReactNode } from 'react';
import { yuan, failureText } from '../shared/api';
import { useT } from '../shared/i18n';
import { ProactiveModal } from './ProactiveModal';
import { useShopApi } from './shopScope';

/** A promise an agent made to this buyer (CMP-4), as GET /api/buyers/:id/promises lists it. */

const SHORT: Intl.DateTimeFormatOptions = { dateStyle: 'short', timeStyle: 'short' };

const KIND_COLORS: Record<PromiseKind, string> = {
  carrier: 'blue',
  exchange: 'purple',
  'ship-by': 'orange',
  refund: 'green',
};

/**
 * CRM-1: the buyer and the last 90 days of orders, each sendable as a card; CMP-4: what agents
 * promised this buyer; CMP-6: reaching out when the buyer has no open conversation.
 */
export function BuyerSidebar(props: {
  buyerId: string;
  canSend: boolean;
  onSendOrder: (orderId: string) => Promise<void>;
  /** The buyer has no open conversation: an agent may reach out (CMP-6). */
  canReachOut: boolean;
  /** Changes when messages are sent: the promises are read again. */
  promisesVersion: number;
  onReachedOut: (conversation: Conversation) => void;
  /** Issue #19: more for each order (开售后单), and more below the orders (the buyer's cases). */
  orderExtra?: (order: BuyerProfileResponse['orders'][number]) => ReactNode;
  /** Issue #21 (CRM-1): tier, tags, notes, opt-out — under the buyer. */
  crm?: ReactNode;
  children?: ReactNode;
}) {
  const { t } = useT();
  const api = useShopApi();
  const [profile, setProfile] = useState<BuyerProfileResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [promises, setPromises] = useState<BuyerPromise[] | null>(null);
  const [agents, setAgents] = useState<Record<string, string>>({});
  const [reachOut, setReachOut] = useState(false);
  useEffect(() => {
    setProfile(null);
    setError(null);
    setPromises(null);
    setReachOut(false);
    api('GET', `/api/buyers/${props.buyerId}/profile`)
      .then(setProfile)
      .catch((e: unknown) => setError(failureText(e)));
  }, [props.buyerId, api]);
  useEffect(() => {
    let live = true;
    api('GET', `/api/buyers/${encodeURIComponent(props.buyerId)}/promises`)
      .then((r) => live && setPromises(r.promises))
      .catch(() => live && setPromises([]));
    return () => {
      live = false;
    };
  }, [props.buyerId, props.promisesVersion, api]);
  useEffect(() => {
    api('GET', '/api/agents')
      .then((r) => setAgents(Object.fromEntries(r.agents.map((a) => [a.id, a.name]))))
      .catch(() => undefined);
  }, [api]);
  if (error) return <Typography.Text type="danger">{error}</Typography.Text>;
  if (!profile) return <Spin style={{ display: 'block', marginTop: 40 }} />;
  return (
    <div data-testid="buyer-sidebar">
      <Descriptions
        title={t.buyer}
        column={1}
        size="small"
        extra={
          <Tooltip title={props.canReachOut ? t.reachOutHint : t.reachOutOpenConversation}>
            <Button
              size="small"
              icon={<SendOutlined />}
              data-testid="proactive-open"
              disabled={!props.canReachOut}
              onClick={() => setReachOut(true)}
            >
              {t.reachOut}
            </Button>
          </Tooltip>
        }
      >
        <Descriptions.Item label={t.name}>{profile.buyer.nick}</Descriptions.Item>
        {profile.buyer.phone && <Descriptions.Item label={t.phone}>{profile.buyer.phone}</Descriptions.Item>}
        {profile.buyer.externalId && (
          <Descriptions.Item label="ID">{profile.buyer.externalId}</Descriptions.Item>
        )}
      </Descriptions>
      {props.crm}
      <Typography.Title level={5}>{t.promises}</Typography.Title>
      {promises === null ? (
        <Spin size="small" />
      ) : promises.length === 0 ? (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t.noPromises}
        </Typography.Paragraph>
      ) : (
        <List
          size="small"
          style={{ marginBottom: 16 }}
          dataSource={promises}
          renderItem={(p) => (
            <List.Item data-testid="promise-item" data-kind={p.kind} style={{ padding: '6px 0' }}>
              <div style={{ fontSize: 12, width: '100%' }}>
                <div>
                  <Tag color={KIND_COLORS[p.kind]}>{t.promiseKinds[p.kind] ?? p.kind}</Tag>
                  <b>{p.detail}</b>
                </div>
                <div style={{ color: '#888', marginTop: 2 }}>
                  {p.dueAt !== undefined && p.dueAt !== null && (
                    <span>
                      {t.promiseDue} {new Date(p.dueAt).toLocaleString(undefined, SHORT)} ·{' '}
                    </span>
                  )}
                  {t.promiseBy} {agents[p.agentId] ?? p.agentId} ·{' '}
                  {new Date(p.createdAt).toLocaleDateString()}
                  {p.orderId && (
                    <span>
                      {' '}
                      · {t.promiseOrder} {p.orderId}
                    </span>
                  )}
                </div>
              </div>
            </List.Item>
          )}
        />
      )}
      <Typography.Title level={5}>{t.orders90}</Typography.Title>
      {profile.orders.length === 0 && <Empty description={t.noOrders} />}
      {profile.orders.map((o) => (
        <Card
          key={o.id}
          size="small"
          style={{ marginBottom: 8 }}
          title={<span style={{ fontSize: 12 }}>{o.id}</span>}
          extra={<Tag color="orange">{t.orderStatus[o.status] ?? o.status}</Tag>}
          data-testid="order-card"
        >
          {o.items.map((i, k) => (
            <div key={k} style={{ fontSize: 12 }}>
              {i.title} ×{i.quantity}
            </div>
          ))}
          <div style={{ fontSize: 12, marginTop: 4 }}>
            {t.total} <b>{yuan(o.totalCents)}</b> · {new Date(o.createdAt).toLocaleDateString()}
          </div>
          {o.carrier && (
            <div style={{ fontSize: 12, color: '#888' }}>
              {o.carrier} {o.trackingNo}
            </div>
          )}
          {o.logistics[0] && (
            <Timeline
              style={{ marginTop: 8, marginBottom: -16, fontSize: 12 }}
              items={[{ children: <span style={{ fontSize: 12 }}>{o.logistics[0].description}</span> }]}
            />
          )}
          <Button
            size="small"
            style={{ marginTop: 8 }}
            disabled={!props.canSend}
            onClick={() => props.onSendOrder(o.id).catch((e: unknown) => toast.error(failureText(e)))}
          >
            {t.sendOrder}
          </Button>
          {props.orderExtra?.(o)}
        </Card>
      ))}
      {props.children}
      <ProactiveModal
        open={reachOut}
        buyerId={props.buyerId}
        buyerNick={profile.buyer.nick}
        onClose={() => setReachOut(false)}
        onSent={(c) => {
          setReachOut(false);
          props.onReachedOut(c);
        }}
      />
    </div>
  );
}
