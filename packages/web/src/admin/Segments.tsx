import type { SegmentPreviewResponse } from '@xiaoer/protocol';
import { Button, Form, InputNumber, Select, Space, Table, Tag, Typography, message as toast } from 'antd';
import { useEffect, useState } from 'react';
import { api, failureText, yuan } from '../shared/api';
import { useT } from '../shared/i18n';
import { fill } from '../shared/metrics';

interface Filters {
  tags?: string[];
  minSpendYuan?: number | null;
  orderedWithinDays?: number | null;
  notOrderedForDays?: number | null;
  minTierRank?: number;
}

/**
 * CRM-1 segments: the shop's buyers by tags, spend, last order and loyalty tier — the same test a
 * journey's audience makes — counted, with the first of them listed.
 */
export function Segments() {
  const { t, lang } = useT();
  const c = t.buyerSegments;
  const [form] = Form.useForm<Filters>();
  const [tiers, setTiers] = useState<string[]>([]);
  const [result, setResult] = useState<SegmentPreviewResponse | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api('GET', '/api/admin/crm/settings')
      .then((r) => setTiers(r.settings.loyalty.tiers.map((x) => x.name)))
      .catch(() => undefined);
  }, []);

  const query = async () => {
    const v = form.getFieldsValue();
    const audience: Record<string, unknown> = {};
    if (v.tags && v.tags.length > 0) audience.tags = v.tags;
    if (typeof v.minSpendYuan === 'number') audience.minSpendCents = Math.round(v.minSpendYuan * 100);
    if (typeof v.orderedWithinDays === 'number') audience.orderedWithinDays = v.orderedWithinDays;
    if (typeof v.notOrderedForDays === 'number') audience.notOrderedForDays = v.notOrderedForDays;
    if (v.minTierRank) audience.minTierRank = v.minTierRank;
    setBusy(true);
    try {
      setResult(await api('POST', '/api/admin/segments/preview', { audience }));
    } catch (e) {
      toast.error(failureText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div data-testid="segments">
      <Typography.Paragraph type="secondary">{c.hint}</Typography.Paragraph>
      <Form form={form} layout="vertical" name="segment">
        <Space wrap align="end">
          <Form.Item name="tags" label={c.tags}>
            <Select
              mode="tags"
              style={{ width: 220 }}
              placeholder={c.tagsPlaceholder}
              data-testid="segment-tags"
            />
          </Form.Item>
          <Form.Item name="minSpendYuan" label={c.minSpend}>
            <InputNumber min={0} prefix="¥" style={{ width: 130 }} />
          </Form.Item>
          <Form.Item name="orderedWithinDays" label={c.orderedWithin}>
            <InputNumber min={1} max={3650} suffix={c.days} style={{ width: 130 }} />
          </Form.Item>
          <Form.Item name="notOrderedForDays" label={c.notOrderedFor}>
            <InputNumber min={1} max={3650} suffix={c.daysOver} style={{ width: 150 }} />
          </Form.Item>
          <Form.Item name="minTierRank" label={c.tier} initialValue={0}>
            <Select
              style={{ width: 150 }}
              options={[
                { value: 0, label: c.anyTier },
                ...tiers.map((name, i) => ({
                  value: i + 1,
                  label: t.priorityTierFrom.replace('{name}', name),
                })),
              ]}
            />
          </Form.Item>
          <Form.Item>
            <Button type="primary" loading={busy} onClick={() => void query()} data-testid="segment-query">
              {c.query}
            </Button>
          </Form.Item>
        </Space>
      </Form>
      {result && (
        <>
          <Typography.Paragraph strong data-testid="segment-count">
            {fill(c.count, { n: result.count })}
            {result.count > result.buyers.length && <> · {fill(c.shown, { n: result.buyers.length })}</>}
          </Typography.Paragraph>
          <Table
            size="small"
            rowKey="buyerId"
            dataSource={result.buyers}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            scroll={{ x: 640 }}
            onRow={() => ({ 'data-testid': 'segment-row' }) as React.HTMLAttributes<HTMLElement>}
            columns={[
              { title: c.buyer, render: (_, b) => b.nick || b.externalId || b.buyerId.slice(0, 8) },
              { title: c.tier, render: (_, b) => b.tierName || c.noTier },
              { title: c.spent, render: (_, b) => yuan(b.spentCents) },
              { title: c.orders, dataIndex: 'orders' },
              {
                title: c.lastOrder,
                render: (_, b) =>
                  b.lastOrderAt
                    ? new Date(b.lastOrderAt).toLocaleDateString(lang === 'en' ? 'en' : 'zh-CN')
                    : '—',
              },
              { title: c.tagsColumn, render: (_, b) => b.tags.map((x) => <Tag key={x}>{x}</Tag>) },
            ]}
          />
        </>
      )}
    </div>
  );
}
