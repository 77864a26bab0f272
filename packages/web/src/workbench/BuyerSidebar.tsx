import type { BuyerProfileResponse } from '@xiaoer/protocol';
import { Button, Card, Descriptions, Empty, Spin, Tag, Timeline, Typography, message as toast } from 'antd';
import { useEffect, useState } from 'react';
import { api, yuan } from '../shared/api';
import { useT } from '../shared/i18n';

/** CRM-1: the buyer and the last 90 days of orders, each sendable as a card. */
export function BuyerSidebar(props: {
  buyerId: string;
  canSend: boolean;
  onSendOrder: (orderId: string) => Promise<void>;
}) {
  const { t } = useT();
  const [profile, setProfile] = useState<BuyerProfileResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setProfile(null);
    setError(null);
    api<BuyerProfileResponse>('GET', `/api/buyers/${props.buyerId}/profile`)
      .then(setProfile)
      .catch((e: Error) => setError(e.message));
  }, [props.buyerId]);
  if (error) return <Typography.Text type="danger">{error}</Typography.Text>;
  if (!profile) return <Spin style={{ display: 'block', marginTop: 40 }} />;
  return (
    <div data-testid="buyer-sidebar">
      <Descriptions title={t.buyer} column={1} size="small">
        <Descriptions.Item label={t.name}>{profile.buyer.nick}</Descriptions.Item>
        {profile.buyer.phone && <Descriptions.Item label={t.phone}>{profile.buyer.phone}</Descriptions.Item>}
        {profile.buyer.externalId && (
          <Descriptions.Item label="ID">{profile.buyer.externalId}</Descriptions.Item>
        )}
      </Descriptions>
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
            onClick={() => props.onSendOrder(o.id).catch((e: Error) => toast.error(e.message))}
          >
            {t.sendOrder}
          </Button>
        </Card>
      ))}
    </div>
  );
}
