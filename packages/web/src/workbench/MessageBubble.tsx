import { BookOutlined, BulbOutlined } from '@ant-design/icons';
import type { MessageDto as Message } from '@xiaoer/protocol';
import type { WidgetMessage } from '@xiaoer/protocol/message-list';
import { Button, Card, Image, Tag, Tooltip, Typography } from 'antd';
import { yuan } from '../shared/api';
import { useT } from '../shared/i18n';

/** One message: buyer on the left, agent and bot on the right, system in the middle. */
export function MessageBubble(props: {
  message: WidgetMessage;
  buyerReadSeq: number;
  onSaveQuickReply: (text: string) => void;
  onAddToFaq?: (text: string) => void;
}) {
  const { t } = useT();
  const m = props.message;
  if (m.sender === 'system') {
    return (
      <div
        data-testid="message-bubble"
        data-sender="system"
        data-seq={m.pending ? undefined : m.seq}
        style={{ textAlign: 'center', margin: '8px 0' }}
      >
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {(m.body as { text: string }).text}
        </Typography.Text>
      </div>
    );
  }
  const mine = m.sender !== 'buyer';
  let content: React.ReactNode;
  if (m.kind === 'text')
    content = (
      <span style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
        {(m.body as { text: string }).text}
      </span>
    );
  else if (m.kind === 'image')
    content = (
      // Issue #18: a click opens the picture full size, to zoom and rotate (a buyer's photo of a
      // damaged parcel, a screenshot of an order).
      <Image
        src={(m.body as { url: string }).url}
        alt=""
        data-testid="message-image"
        style={{ maxWidth: 240, maxHeight: 240, borderRadius: 6, cursor: 'zoom-in' }}
        preview={{ mask: t.zoomImage }}
      />
    );
  else if (m.kind === 'order_card' && !m.pending) {
    const b = (m as Extract<Message, { kind: 'order_card' }>).body;
    content = (
      <Card
        size="small"
        title={`订单 ${b.orderId}`}
        extra={<Tag color="orange">{t.orderStatus[b.status] ?? b.status}</Tag>}
        style={{ minWidth: 260 }}
      >
        {b.items.map((i, k) => (
          <div key={k}>
            {i.title} ×{i.quantity}
          </div>
        ))}
        <div>
          {t.total} {yuan(b.totalCents)}
        </div>
        {b.carrier && (
          <Typography.Text type="secondary">
            {b.carrier} {b.trackingNo}
          </Typography.Text>
        )}
      </Card>
    );
  } else if (m.kind === 'product_card' && !m.pending) {
    const b = (m as Extract<Message, { kind: 'product_card' }>).body;
    content = (
      <Card size="small" style={{ minWidth: 200 }}>
        {b.title} {yuan(b.priceCents)}
      </Card>
    );
  } else content = <span>…</span>;
  const text = m.kind === 'text' ? (m.body as { text: string }).text : null;
  return (
    <div
      data-testid="message-bubble"
      data-sender={m.sender}
      data-seq={m.pending ? undefined : m.seq}
      className="bubble-row"
      style={{
        display: 'flex',
        flexDirection: 'column',
        alignItems: mine ? 'flex-end' : 'flex-start',
        margin: '8px 0',
      }}
    >
      {m.sender === 'bot' && <Tag color="blue">{t.bot}</Tag>}
      <div
        style={{ display: 'flex', alignItems: 'center', gap: 4, flexDirection: mine ? 'row-reverse' : 'row' }}
      >
        <div
          style={{
            maxWidth: 480,
            padding: m.kind === 'text' ? '8px 12px' : 4,
            borderRadius: 10,
            background: mine ? '#ffe7d9' : '#fff',
            border: '1px solid #f0f0f0',
          }}
        >
          {content}
        </div>
        {text && m.sender === 'buyer' && props.onAddToFaq && (
          <Tooltip title={t.addToFaq}>
            <Button
              size="small"
              type="text"
              icon={<BulbOutlined />}
              data-testid="add-to-faq"
              onClick={() => props.onAddToFaq?.(text)}
              aria-label={t.addToFaq}
            />
          </Tooltip>
        )}
        {text && (
          <Tooltip title={t.saveQuickReply}>
            <Button
              size="small"
              type="text"
              icon={<BookOutlined />}
              onClick={() => props.onSaveQuickReply(text)}
              aria-label={t.saveQuickReply}
            />
          </Tooltip>
        )}
      </div>
      <Typography.Text type={m.pending && m.error ? 'danger' : 'secondary'} style={{ fontSize: 11 }}>
        {m.pending
          ? m.error
            ? `${t.failed}: ${m.error}`
            : t.sending
          : `${new Date(m.createdAt).toLocaleTimeString()}${mine && m.seq <= props.buyerReadSeq ? ` · ${t.read}` : mine ? ` · ${t.unread}` : ''}`}
      </Typography.Text>
    </div>
  );
}
