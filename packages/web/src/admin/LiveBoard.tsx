import type { LiveAgent } from '@xiaoer/protocol';
import { Alert, Badge, Card, Col, Empty, Progress, Row, Space, Spin, Statistic, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useT, type Dict } from '../shared/i18n';
import { fill, pct } from '../shared/metrics';
import { MetricsAlertBanner } from '../workbench/MetricsAlertBanner';
import { useLiveBoard } from './useLiveBoard';

const STATUS_DOT: Record<LiveAgent['status'], 'success' | 'warning' | 'default'> = {
  online: 'success',
  hung_up: 'warning',
  offline: 'default',
};

/** How long someone has waited, as people say it: "3 分钟", "不到 1 分钟". */
function waited(ms: number, t: Dict): string {
  const m = Math.floor(ms / 60_000);
  return m < 1 ? t.liveUnderMinute : fill(t.liveMinutes, { m });
}

/**
 * 实时看板 (issue #18): every agent's status, load against cap, the buyer of theirs who has waited
 * longest and their reply rate today; the queue; today's reply rate and the MET-5 alert. Updated
 * live from the console's socket; the waiting times count on between updates.
 */
export function LiveBoard(props: { shopId: string }) {
  const { t } = useT();
  const { board, error, connected } = useLiveBoard(props.shopId);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  if (!board) return error ? <Alert type="error" message={error} showIcon /> : <Spin />;
  // The server's clock, counted on from when the board arrived.
  const serverNow = board.at + Math.max(0, now - board.receivedAt);
  const online = board.agents.filter((a) => a.status === 'online').length;
  return (
    <Space
      direction="vertical"
      size="middle"
      style={{ width: '100%' }}
      data-testid="live-board"
      data-at={board.at}
    >
      <Space size={8} wrap>
        <Badge status={connected ? 'processing' : 'error'} />
        <Typography.Text type={connected ? 'secondary' : 'danger'} data-testid="live-connection">
          {connected ? t.liveConnected : t.liveReconnecting}
        </Typography.Text>
      </Space>
      {error && <Alert type="warning" message={error} showIcon />}
      {board.alert && (
        <MetricsAlertBanner
          alert={{ ...board.alert, receivedAt: board.receivedAt }}
          replyMinutes={board.replyMinutes}
          onOpen={() => window.open('/workbench/', '_blank', 'noopener')}
        />
      )}
      <Row gutter={[12, 12]}>
        <Col xs={12} md={6}>
          <Card size="small" data-testid="live-shop-rate">
            <Statistic
              title={fill(t.liveShopRate, { m: board.replyMinutes })}
              value={pct(board.today.replyRate)}
              valueStyle={
                board.today.replyRate !== null && board.today.replyRate < board.threshold
                  ? { color: '#cf1322' }
                  : undefined
              }
            />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {fill(t.liveThreshold, { p: pct(board.threshold) })}
            </Typography.Text>
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small" data-testid="live-queue" data-count={board.queue.count}>
            <Statistic title={t.liveQueue} value={board.queue.count} />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {board.queue.oldestSince === null
                ? t.liveQueueEmpty
                : fill(t.liveWaitingFor, { d: waited(serverNow - board.queue.oldestSince, t) })}
              {board.queue.priority > 0 && ` · ${fill(t.livePriority, { n: board.queue.priority })}`}
            </Typography.Text>
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t.liveOnline} value={online} suffix={`/ ${board.agents.length}`} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small" data-testid="live-counts" data-bot={board.bot} data-spam={board.spam}>
            <Space size="large">
              <Statistic title={t.liveBot} value={board.bot} />
              <Statistic title={t.spamTab} value={board.spam} />
            </Space>
          </Card>
        </Col>
      </Row>
      <Typography.Title level={5} style={{ margin: 0 }}>
        {t.liveAgents}
      </Typography.Title>
      {board.agents.length === 0 ? (
        <Empty description={t.liveNoAgents} />
      ) : (
        <Row gutter={[12, 12]}>
          {board.agents.map((a) => (
            <Col key={a.agentId} xs={24} sm={12} lg={8} xl={6}>
              <AgentCard agent={a} serverNow={serverNow} threshold={board.threshold} />
            </Col>
          ))}
        </Row>
      )}
    </Space>
  );
}

/** One agent on the board. */
function AgentCard(props: { agent: LiveAgent; serverNow: number; threshold: number }) {
  const { t } = useT();
  const a = props.agent;
  const full = a.load >= a.cap;
  return (
    <Card
      size="small"
      data-testid="live-agent"
      data-agent-id={a.agentId}
      data-status={a.status}
      title={
        <Space size={6}>
          <Badge status={STATUS_DOT[a.status]} />
          <span>{a.name}</span>
        </Space>
      }
      extra={
        <Tag
          color={a.status === 'online' ? 'green' : a.status === 'hung_up' ? 'gold' : 'default'}
          data-testid="live-agent-status"
        >
          {t[a.status]}
        </Tag>
      }
    >
      <Space direction="vertical" size={4} style={{ width: '100%' }}>
        <div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t.liveLoad}
          </Typography.Text>
          <Progress
            data-testid="live-agent-load"
            percent={Math.min(100, Math.round((a.load / Math.max(1, a.cap)) * 100))}
            status={full ? 'exception' : 'normal'}
            format={() => `${a.load}/${a.cap}`}
            size="small"
          />
        </div>
        <Typography.Text data-testid="live-agent-waiting" type={a.oldestWaiting ? undefined : 'secondary'}>
          {a.oldestWaiting
            ? `${fill(t.liveWaitingFor, { d: waited(props.serverNow - a.oldestWaiting.since, t) })} · ${a.oldestWaiting.nick}`
            : t.liveNobodyWaiting}
          {a.waiting > 1 && (
            <Typography.Text type="secondary">{` (${fill(t.liveWaitingCount, { n: a.waiting })})`}</Typography.Text>
          )}
        </Typography.Text>
        <Typography.Text type="secondary" data-testid="live-agent-rate">
          {t.liveAgentRate}{' '}
          <Typography.Text
            type={a.today.replyRate !== null && a.today.replyRate < props.threshold ? 'danger' : undefined}
          >
            {pct(a.today.replyRate)}
          </Typography.Text>
        </Typography.Text>
      </Space>
    </Card>
  );
}
