import { Badge, Empty, List, Segmented, Select, Spin, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useT } from '../shared/i18n';
import type { ListConversation } from './useWorkbench';

/** "等待 3 分钟" from waitingSince, refreshed by the caller's clock tick. */
function waitingText(since: number | null, now: number, t: ReturnType<typeof useT>['t']): string | null {
  if (since === null) return null;
  const s = Math.max(0, Math.floor((now - since) / 1000));
  return s < 60 ? `${t.waiting} ${s} ${t.seconds}` : `${t.waiting} ${Math.floor(s / 60)} ${t.minutes}`;
}

/**
 * The agent's conversations, newest activity first, with unread counts and waiting time. TEAM-4:
 * with more than one shop, each shows its shop's name and the list filters by shop.
 */
export function ConversationList(props: {
  conversations: Record<string, ListConversation>;
  selectedId: string | null;
  loading: boolean;
  onSelect: (id: string) => void;
  /** The shops I serve, when more than one (else no badges and no filter). */
  shops?: { id: string; name: string }[];
  /** The shop shown (null: all of them). */
  shopFilter?: string | null;
  onShopFilter?: (shopId: string | null) => void;
  /** Issue #18, for supervisors: agent names by id, to show who holds each conversation. */
  holders?: Record<string, string>;
  myId?: string;
  /** Show the keyboard shortcuts under the list (not on a phone). */
  keysHint?: boolean;
}) {
  const { t } = useT();
  const [tab, setTab] = useState<'open' | 'spam' | 'ended'>('open');
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  const shops = props.shops && props.shops.length > 1 ? props.shops : null;
  const shopFilter = shops ? (props.shopFilter ?? null) : null;
  const shopName = (id: string) => shops?.find((s) => s.id === id)?.name ?? '';
  const all = Object.values(props.conversations)
    .filter((c) => shopFilter === null || c.shopId === shopFilter)
    .sort((a, b) => b.lastMessageAt - a.lastMessageAt);
  // SPAM-1: suspected spam has its own group, not today's reception.
  const groupOf = (c: ListConversation) =>
    c.status === 'ended' ? 'ended' : c.status === 'spam' ? 'spam' : 'open';
  const shown = all.filter((c) => groupOf(c) === tab);
  const statusTag = (c: ListConversation) =>
    c.status === 'queued' ? (
      <Tag color="orange">{t.statusQueued}</Tag>
    ) : c.status === 'bot' ? (
      <Tag color="blue">{t.statusBot}</Tag>
    ) : c.status === 'spam' ? (
      <Tag color="red">{t.spamTab}</Tag>
    ) : c.status === 'ended' ? (
      <Tag>{t.statusEnded}</Tag>
    ) : null;
  return (
    <div style={{ display: 'flex', flexDirection: 'column', height: '100%' }}>
      <div style={{ padding: 12 }}>
        {shops && (
          <Select
            data-testid="shop-filter"
            aria-label={t.shopFilter}
            value={shopFilter ?? ''}
            style={{ width: '100%', marginBottom: 8 }}
            onChange={(v: string) => props.onShopFilter?.(v === '' ? null : v)}
            options={[
              { value: '', label: t.allShops },
              ...shops.map((s) => ({ value: s.id, label: s.name })),
            ]}
          />
        )}
        {/* Issue #18: the counts are small numbers beside the names, so 疑似骚扰 is never cut off. */}
        <Segmented
          block
          value={tab}
          onChange={(v) => setTab(v as 'open' | 'spam' | 'ended')}
          options={[
            { label: tabLabel(t.openTab, all.filter((c) => groupOf(c) === 'open').length), value: 'open' },
            { label: tabLabel(t.spamTab, all.filter((c) => groupOf(c) === 'spam').length), value: 'spam' },
            { label: t.endedTab, value: 'ended' },
          ]}
          style={{ fontSize: 13 }}
        />
      </div>
      <div style={{ flex: 1, overflowY: 'auto' }}>
        {props.loading ? (
          <Spin style={{ display: 'block', marginTop: 40 }} />
        ) : shown.length === 0 ? (
          <Empty description={t.noConversations} style={{ marginTop: 40 }} />
        ) : (
          <List
            dataSource={shown}
            renderItem={(c) => (
              <List.Item
                key={c.id}
                data-testid="conversation-item"
                data-conversation-id={c.id}
                data-selected={c.id === props.selectedId ? 'true' : undefined}
                onClick={() => props.onSelect(c.id)}
                style={{
                  cursor: 'pointer',
                  padding: '10px 16px',
                  background: c.id === props.selectedId ? '#fff1e8' : undefined,
                  opacity: c.status === 'ended' ? 0.6 : 1,
                }}
              >
                <List.Item.Meta
                  title={
                    <span>
                      {c.buyer?.nick || c.buyerId.slice(0, 8)}
                      {/* Issue #18: inline after the name, never over the tags that follow. */}
                      <Badge
                        count={c.agentUnread}
                        size="small"
                        data-testid="unread-badge"
                        style={{ marginInline: 6 }}
                      />{' '}
                      {statusTag(c)}
                      {/* Issue #16: a buyer writing from a platform (its connector relays the replies). */}
                      {c.channel && (
                        <Tag color="geekblue" data-testid="channel-badge" data-channel={c.channel}>
                          {t.channelNames[c.channel] ?? c.channel}
                        </Tag>
                      )}
                      {props.holders && c.agentId && c.status === 'assigned' && (
                        <Tag data-testid="holder-tag" data-agent-id={c.agentId}>
                          {c.agentId === props.myId ? t.holderMe : (props.holders[c.agentId] ?? '…')}
                        </Tag>
                      )}
                      {shops && (
                        <Tag color="purple" data-testid="shop-badge" data-shop-id={c.shopId}>
                          {shopName(c.shopId)}
                        </Tag>
                      )}
                    </span>
                  }
                  description={
                    <div>
                      <Typography.Text type="secondary" ellipsis style={{ width: 220, display: 'block' }}>
                        {c.lastMessagePreview}
                      </Typography.Text>
                      {c.status !== 'ended' && waitingText(c.waitingSince, now, t) && (
                        <Typography.Text type="warning" style={{ fontSize: 12 }}>
                          {waitingText(c.waitingSince, now, t)}
                        </Typography.Text>
                      )}
                    </div>
                  }
                />
              </List.Item>
            )}
          />
        )}
      </div>
      {props.keysHint && (
        <Typography.Text
          type="secondary"
          style={{ fontSize: 11, padding: '4px 16px', borderTop: '1px solid #f5f5f5' }}
        >
          {t.switchKeysHint}
        </Typography.Text>
      )}
    </div>
  );
}

function tabLabel(name: string, count: number) {
  return (
    <span data-testid="list-tab" title={`${name} ${count}`}>
      {name}
      <span style={{ marginInlineStart: 3, fontSize: 11, opacity: 0.65 }}>{count}</span>
    </span>
  );
}
