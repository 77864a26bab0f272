import type { AgentListing as AgentRow, QueueEntry, RoutingGroupListing as GroupRow } from '@xiaoer/protocol';
import { Button, Empty, List, Select, Space, Tag, Typography, message as toast } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { failureText } from '../shared/api';
import { useT } from '../shared/i18n';
import { useShopApi } from './shopScope';

/**
 * RT-4 / RT-6 / RT-10: the live queue. Every agent sees who waits, where and for how long, and
 * may pull the next buyer (new customers first, then the longest waiting); admins also assign
 * a waiting buyer to any agent not offline, beyond caps. Reloaded on every `queue:updated`.
 */
export function QueuePanel(props: {
  /** Bumped by the workbench on each queue:updated event. */
  version: number;
  isAdmin: boolean;
  /** TEAM-4: the queue's shop, named when I serve more than one. */
  shopName?: string | null;
  onCount: (n: number) => void;
  onOpen: (conversationId: string) => void;
}) {
  const { t } = useT();
  const api = useShopApi();
  const [waiting, setWaiting] = useState<QueueEntry[]>([]);
  const [agents, setAgents] = useState<AgentRow[]>([]);
  const [groups, setGroups] = useState<GroupRow[]>([]);
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(Date.now());
  const { onCount } = props;

  const load = useCallback(async () => {
    const [q, a] = await Promise.all([api('GET', '/api/queue'), api('GET', '/api/agents')]);
    setWaiting(q.waiting);
    setAgents(a.agents);
    setGroups(a.groups ?? []);
    onCount(q.waiting.length);
  }, [onCount, api]);
  useEffect(() => {
    load().catch(() => undefined);
  }, [load, props.version]);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);

  const queueName = (id: string | null) =>
    id === null ? t.queueGeneral : (groups.find((g) => g.id === id)?.name ?? id);
  const waited = (since: number | null) => {
    if (since === null) return '';
    const m = Math.max(0, Math.floor((now - since) / 60_000));
    return `${t.waitingFor} ${m} ${t.minutes}`;
  };
  const failed = (e: unknown) => toast.error(failureText(e));

  const pull = async () => {
    setBusy(true);
    try {
      const r = await api('POST', '/api/queue/pull');
      if (r.conversation) props.onOpen(r.conversation.id);
      else toast.info(t.pulledNone);
      await load();
    } catch (e) {
      failed(e);
    } finally {
      setBusy(false);
    }
  };

  const assign = async (conversationId: string, toAgentId: string) => {
    try {
      await api('POST', `/api/conversations/${conversationId}/assign`, { toAgentId });
      await load();
    } catch (e) {
      failed(e);
    }
  };

  // Queues in the order routing drains them: the general queue, then each group's.
  const sorted = [...waiting].sort(
    (a, b) => (a.queue ?? '').localeCompare(b.queue ?? '') || a.position - b.position,
  );
  return (
    <div data-testid="queue-panel">
      <Space style={{ margin: '8px 0 12px', width: '100%', justifyContent: 'space-between' }}>
        <Typography.Text strong>
          {t.queue} {waiting.length}
          {props.shopName && (
            <Tag color="purple" data-testid="queue-shop" style={{ marginLeft: 8 }}>
              {props.shopName}
            </Tag>
          )}
        </Typography.Text>
        <Button
          type="primary"
          size="small"
          loading={busy}
          disabled={waiting.length === 0}
          onClick={pull}
          data-testid="queue-pull"
        >
          {t.pullNext}
        </Button>
      </Space>
      {sorted.length === 0 ? (
        <Empty description={t.queueEmpty} image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <List
          size="small"
          dataSource={sorted}
          renderItem={(w) => (
            <List.Item
              key={w.conversationId}
              data-testid="queue-entry"
              data-conversation-id={w.conversationId}
              style={{ flexDirection: 'column', alignItems: 'stretch', gap: 4 }}
            >
              <Space wrap size={4}>
                <Typography.Text strong>
                  {w.conversation.buyer?.nick || w.buyerId.slice(0, 8)}
                </Typography.Text>
                <Tag>{queueName(w.queue)}</Tag>
                <Tag color="orange" data-testid="queue-position">
                  {t.position}
                  {w.position}
                  {t.positionSuffix}
                </Tag>
                {w.conversation.queuePriority && <Tag color="magenta">{t.queuePriority}</Tag>}
              </Space>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {waited(w.conversation.queuedAt ?? w.conversation.waitingSince)}
                {' · '}
                {w.etaMinutes === null ? t.etaUnknown : `${t.eta} ${w.etaMinutes} ${t.minutes}`}
              </Typography.Text>
              {props.isAdmin && (
                <Select
                  size="small"
                  placeholder={t.assign}
                  data-testid="queue-assign"
                  style={{ width: '100%' }}
                  value={null}
                  onChange={(agentId: string) => void assign(w.conversationId, agentId)}
                  options={agents
                    .filter((a) => a.status !== 'offline')
                    .map((a) => ({
                      value: a.id,
                      label: `${a.name} · ${t.load} ${a.load}/${a.maxConcurrent}`,
                    }))}
                />
              )}
            </List.Item>
          )}
        />
      )}
    </div>
  );
}
