import type { BuyerCrmResponse } from '@xiaoer/protocol';
import { Button, Input, List, Space, Spin, Switch, Tag, Tooltip, Typography, message as toast } from 'antd';
import { useEffect, useState } from 'react';
import { failureText, yuan } from '../shared/api';
import { useT } from '../shared/i18n';
import { fill } from '../shared/metrics';
import { useShopApi } from './shopScope';

/**
 * CRM-1: what the shop knows of a buyer beyond orders — their tier (CRM-6), tags and notes left
 * by agents for the next one, and whether they asked not to be contacted (CMP-6).
 */
export function BuyerCrm(props: { buyerId: string; me: string }) {
  const { t, lang } = useT();
  const c = t.crm;
  const api = useShopApi();
  const [crm, setCrm] = useState<BuyerCrmResponse | null>(null);
  const [tag, setTag] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const base = `/api/buyers/${encodeURIComponent(props.buyerId)}` as const;

  useEffect(() => {
    let live = true;
    setCrm(null);
    api('GET', `${base}/crm`)
      .then((r) => live && setCrm(r))
      .catch(() => live && setCrm(null));
    return () => {
      live = false;
    };
  }, [api, base]);

  const run = async (p: Promise<BuyerCrmResponse>, after?: () => void) => {
    setBusy(true);
    try {
      setCrm(await p);
      after?.();
    } catch (e) {
      toast.error(failureText(e));
    } finally {
      setBusy(false);
    }
  };

  if (!crm) return <Spin size="small" />;
  return (
    <div data-testid="buyer-crm" style={{ marginBottom: 16 }}>
      <Typography.Title level={5}>{c.section}</Typography.Title>
      {crm.parcelFlags.map((f) => (
        <div
          key={`${f.orderId}:${f.since}`}
          data-testid="parcel-flag"
          style={{ fontSize: 12, marginBottom: 6 }}
        >
          <Tag color="red">{c.parcelFlag}</Tag>
          {f.orderId}：{f.issue}
        </div>
      ))}
      <div style={{ fontSize: 12, marginBottom: 8 }}>
        <Tag color={crm.tier.rank > 0 ? 'gold' : 'default'} data-testid="buyer-tier">
          {crm.tier.rank > 0 ? crm.tier.name : c.noTier}
        </Tag>
        <span style={{ color: '#888' }}>
          {fill(c.spent, { yuan: yuan(crm.spentCents), orders: crm.paidOrders })}
        </span>
        {crm.tier.next && (
          <div style={{ color: '#888', marginTop: 2 }}>
            {fill(c.tierNext, {
              yuan: yuan(crm.tier.next.spendCentsToGo),
              orders: crm.tier.next.ordersToGo,
              name: crm.tier.next.name,
            })}
          </div>
        )}
      </div>
      <div style={{ marginBottom: 8 }}>
        {crm.tags.map((x) => (
          <Tag
            key={x.tag}
            closable
            data-testid="buyer-tag"
            onClose={(e) => {
              e.preventDefault();
              void run(api('DELETE', `${base}/tags/${encodeURIComponent(x.tag)}`));
            }}
          >
            {x.tag}
          </Tag>
        ))}
        {crm.interests.length > 0 && (
          <div style={{ margin: '4px 0', fontSize: 12 }} data-testid="buyer-interests">
            <span style={{ color: '#888' }}>{c.interests}</span>
            {crm.interests.map((x) => (
              <Tooltip
                key={x.productId}
                title={fill(c.interestFrom, {
                  words: x.evidence,
                  count: x.mentions,
                  when: new Date(x.lastAt).toLocaleDateString(lang === 'en' ? 'en' : 'zh-CN'),
                })}
              >
                <Tag data-testid="buyer-interest" color="blue" style={{ maxWidth: 200 }}>
                  <span style={{ overflow: 'hidden', textOverflow: 'ellipsis', verticalAlign: 'bottom' }}>
                    {x.title}
                  </span>
                  {x.mentions > 1 && ` ×${x.mentions}`}
                </Tag>
              </Tooltip>
            ))}
          </div>
        )}
        {crm.suggestedTags.length > 0 && (
          <div style={{ margin: '4px 0', fontSize: 12 }} data-testid="buyer-tag-suggestions">
            <span style={{ color: '#888' }}>{c.suggested}</span>
            {crm.suggestedTags.map((s) => (
              <Tooltip key={s.tag} title={fill(c.suggestedFrom, { words: s.evidence })}>
                <Tag
                  data-testid="buyer-tag-suggestion"
                  style={{ borderStyle: 'dashed', cursor: 'pointer', background: '#fff' }}
                  onClick={() =>
                    !busy && void run(api('POST', `${base}/tags`, { tag: s.tag, suggested: true }))
                  }
                  closable
                  closeIcon={
                    <span aria-label={c.dismissSuggestion} data-testid="buyer-tag-suggestion-dismiss">
                      ×
                    </span>
                  }
                  onClose={(e) => {
                    // Not added: turned down, for every agent of this buyer (the answer redraws).
                    e.preventDefault();
                    e.stopPropagation();
                    if (!busy)
                      void run(
                        api(
                          'POST',
                          `${base}/tag-suggestions/${encodeURIComponent(s.tag)}/dismiss`,
                          undefined,
                        ),
                      );
                  }}
                >
                  + {s.tag}
                </Tag>
              </Tooltip>
            ))}
          </div>
        )}
        <Space.Compact size="small" style={{ marginTop: 4 }}>
          <Input
            size="small"
            style={{ width: 150 }}
            value={tag}
            maxLength={20}
            placeholder={c.tagPlaceholder}
            data-testid="buyer-tag-input"
            onChange={(e) => setTag(e.target.value)}
            onPressEnter={() =>
              tag.trim() && void run(api('POST', `${base}/tags`, { tag: tag.trim() }), () => setTag(''))
            }
          />
          <Button
            size="small"
            disabled={busy || !tag.trim()}
            data-testid="buyer-tag-add"
            onClick={() => void run(api('POST', `${base}/tags`, { tag: tag.trim() }), () => setTag(''))}
          >
            {c.addTag}
          </Button>
        </Space.Compact>
      </div>
      <Input.TextArea
        rows={2}
        value={note}
        maxLength={500}
        placeholder={c.notePlaceholder}
        data-testid="buyer-note-input"
        onChange={(e) => setNote(e.target.value)}
      />
      <Button
        size="small"
        style={{ marginTop: 4 }}
        disabled={busy || !note.trim()}
        data-testid="buyer-note-add"
        onClick={() => void run(api('POST', `${base}/notes`, { text: note.trim() }), () => setNote(''))}
      >
        {c.addNote}
      </Button>
      <List
        size="small"
        dataSource={crm.notes}
        locale={{ emptyText: c.noNotes }}
        renderItem={(n) => (
          <List.Item
            data-testid="buyer-note"
            style={{ padding: '6px 0' }}
            actions={
              n.authorId === props.me
                ? [
                    <a
                      key="d"
                      onClick={() => void run(api('DELETE', `${base}/notes/${encodeURIComponent(n.id)}`))}
                    >
                      {c.deleteNote}
                    </a>,
                  ]
                : []
            }
          >
            <div style={{ fontSize: 12 }}>
              <div style={{ whiteSpace: 'pre-wrap' }}>{n.text}</div>
              <div style={{ color: '#888' }}>
                {n.authorName} · {new Date(n.createdAt).toLocaleString()}
              </div>
            </div>
          </List.Item>
        )}
      />
      <div style={{ fontSize: 12, marginTop: 4 }}>
        <Switch
          size="small"
          checked={crm.optedOut}
          data-testid="buyer-opt-out"
          onChange={(v) => void run(api('PUT', `${base}/opt-out`, { optedOut: v }))}
        />{' '}
        {crm.optedOut ? c.optedOut : c.optOutSwitch}
      </div>
    </div>
  );
}
