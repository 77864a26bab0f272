import type { HistoryTranscript as Transcript, TranscriptMessage } from '@xiaoer/protocol';
import {
  Alert,
  Descriptions,
  Drawer,
  Grid,
  Space,
  Spin,
  Table,
  Tag,
  Tooltip,
  Typography,
  message as toast,
} from 'antd';
import { useEffect, useState } from 'react';
import { api, yuan } from '../shared/api';
import { RuleTag } from '../shared/compliance';
import { useT } from '../shared/i18n';
import { duration, fill } from '../shared/metrics';

type Turn = Transcript['responseTimes']['turns'][number];

/** A message's content as a supervisor reads it: text, an image as a link, cards in a line. */
function Content(props: { m: TranscriptMessage }) {
  const { t } = useT();
  const { m } = props;
  switch (m.kind) {
    case 'text':
    case 'system':
      return <span style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{m.body.text}</span>;
    case 'image':
      return (
        <a href={m.body.url} target="_blank" rel="noreferrer" data-testid="history-image">
          {t.history.image}
        </a>
      );
    case 'order_card':
      return (
        <span>
          [{t.history.orderCard}] {m.body.orderId} · {yuan(m.body.totalCents)}
        </span>
      );
    case 'product_card':
      return (
        <span>
          [{t.history.productCard}] {m.body.title}
        </span>
      );
  }
}

/**
 * Issue #18: one conversation's transcript in a drawer (full width on a phone) — its facts, the
 * response times (MET-4) turn by turn, every message with who sent it and when, warnings sent
 * anyway and what the guard blocked.
 */
export function HistoryTranscript(props: { conversationId: string | null; onClose: () => void }) {
  const { t } = useT();
  const h = t.history;
  const screens = Grid.useBreakpoint();
  const [data, setData] = useState<Transcript | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    const id = props.conversationId;
    setData(null);
    if (!id) return;
    let live = true;
    setLoading(true);
    api('GET', `/api/admin/history/${encodeURIComponent(id)}`)
      .then((r) => live && setData(r))
      .catch((e: Error) => toast.error(e.message))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [props.conversationId]);

  const c = data?.conversation;
  const senderOf = (m: TranscriptMessage) =>
    m.sender === 'agent' ? (m.agentName ?? h.senders.agent) : (h.senders[m.sender] ?? m.sender);

  return (
    <Drawer
      open={props.conversationId !== null}
      onClose={props.onClose}
      width={screens.md ? 760 : '100%'}
      title={c ? `${h.transcript} · ${c.buyer.nick}` : h.transcript}
      destroyOnHidden
      data-testid="history-transcript"
    >
      {loading || !data || !c ? (
        <Spin />
      ) : (
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          <Descriptions size="small" column={screens.md ? 2 : 1} bordered>
            <Descriptions.Item label={h.buyer}>
              {c.buyer.nick}
              {c.buyer.externalId ? ` (${c.buyer.externalId})` : ''}
            </Descriptions.Item>
            <Descriptions.Item label={h.agents}>
              {c.agents.map((a) => a.name).join('、') || '—'}
            </Descriptions.Item>
            <Descriptions.Item label={h.started}>{new Date(c.startedAt).toLocaleString()}</Descriptions.Item>
            <Descriptions.Item label={h.ended}>
              {c.endedAt ? new Date(c.endedAt).toLocaleString() : (h.statuses[c.status] ?? c.status)}
            </Descriptions.Item>
            <Descriptions.Item label={h.rating}>
              {c.rating ? fill(h.stars, { n: c.rating.score }) : h.unrated}
              {c.rating?.comment ? ` · ${c.rating.comment}` : ''}
            </Descriptions.Item>
            <Descriptions.Item label={h.tag}>
              {c.tags.length === 0 ? '—' : c.tags.map((tag) => <Tag key={tag}>{h.tags[tag] ?? tag}</Tag>)}
            </Descriptions.Item>
          </Descriptions>

          <div data-testid="history-response-times">
            <Typography.Title level={5} style={{ marginTop: 0 }}>
              {h.responseTimes}
            </Typography.Title>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
              {h.responseTimesHint}
            </Typography.Paragraph>
            <Space size="large" wrap>
              <span>
                {h.firstResponse}:{' '}
                <b data-testid="history-first-response" data-ms={data.responseTimes.firstResponseMs ?? ''}>
                  {duration(data.responseTimes.firstResponseMs, t)}
                </b>
              </span>
              <span>
                {h.avgResponse}:{' '}
                <b data-testid="history-avg-response" data-ms={data.responseTimes.avgResponseMs ?? ''}>
                  {duration(data.responseTimes.avgResponseMs, t)}
                </b>
              </span>
              <span>
                {h.turns}: <b>{data.responseTimes.turns.length}</b>
              </span>
            </Space>
            {data.responseTimes.waitingSince !== null && (
              <Alert
                style={{ marginTop: 8 }}
                type="warning"
                showIcon
                message={fill(h.stillWaiting, {
                  time: new Date(data.responseTimes.waitingSince).toLocaleString(),
                })}
              />
            )}
            {data.responseTimes.turns.length > 0 && (
              <Table<Turn>
                style={{ marginTop: 8 }}
                size="small"
                rowKey="answeredAt"
                pagination={false}
                dataSource={data.responseTimes.turns}
                scroll={{ x: 480 }}
                columns={[
                  {
                    title: h.askedAt,
                    dataIndex: 'askedAt',
                    render: (at: number) => new Date(at).toLocaleTimeString(),
                  },
                  {
                    title: h.answeredAt,
                    dataIndex: 'answeredAt',
                    render: (at: number) => new Date(at).toLocaleTimeString(),
                  },
                  { title: h.took, dataIndex: 'ms', render: (ms: number) => duration(ms, t) },
                  {
                    title: h.responder,
                    dataIndex: 'responderName',
                    render: (name: string | null, turn) =>
                      turn.responder === 'bot' ? h.senders.bot : (name ?? '—'),
                  },
                ]}
              />
            )}
          </div>

          {data.blocked.length > 0 && (
            <div data-testid="history-blocked">
              <Typography.Title level={5}>{h.blocked}</Typography.Title>
              {data.blocked.map((b) => (
                <div key={b.id} style={{ marginBottom: 6 }}>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {new Date(b.createdAt).toLocaleString()} · {b.agentName ?? h.senders.agent}
                  </Typography.Text>{' '}
                  <Space size={4} wrap>
                    {b.rules.map((r) => (
                      <RuleTag key={r} rule={r} verdict={b.verdict} />
                    ))}
                  </Space>
                  <div>
                    <Typography.Text delete>{b.text}</Typography.Text>
                  </div>
                </div>
              ))}
            </div>
          )}

          <div>
            <Typography.Title level={5}>{h.transcript}</Typography.Title>
            {data.truncated && (
              <Alert type="info" showIcon message={h.truncated} style={{ marginBottom: 8 }} />
            )}
            {data.messages.map((m) => (
              <div
                key={m.seq}
                data-testid="history-message"
                data-sender={m.sender}
                style={{
                  padding: '6px 8px',
                  marginBottom: 4,
                  borderRadius: 6,
                  background:
                    m.sender === 'buyer' ? '#f5f5f5' : m.sender === 'system' ? 'transparent' : '#fff7e6',
                  color: m.sender === 'system' ? '#999' : undefined,
                  fontSize: m.sender === 'system' ? 12 : undefined,
                }}
              >
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {senderOf(m)} · {new Date(m.createdAt).toLocaleString()}
                </Typography.Text>
                {m.compliance && (
                  <Tooltip title={h.warnedSent}>
                    <Space size={4} style={{ marginInlineStart: 8 }} data-testid="history-warned">
                      {m.compliance.rules.map((r) => (
                        <RuleTag key={r} rule={r} verdict={m.compliance!.verdict} />
                      ))}
                    </Space>
                  </Tooltip>
                )}
                <div>
                  <Content m={m} />
                </div>
              </div>
            ))}
          </div>
        </Space>
      )}
    </Drawer>
  );
}
