import { DownloadOutlined, SearchOutlined } from '@ant-design/icons';
import type { AgentDto as Agent, HistoryRow } from '@xiaoer/protocol';
import {
  Button,
  DatePicker,
  Form,
  Input,
  Select,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
  message as toast,
} from 'antd';
import { useCallback, useEffect, useState, type HTMLAttributes } from 'react';
import { api, shopLink } from '../shared/api';
import { useT } from '../shared/i18n';
import { duration, fill } from '../shared/metrics';
import { HistoryTranscript } from './HistoryTranscript';

/** What the filter form holds. */
interface Filters {
  buyer?: string;
  agent?: string;
  text?: string;
  range?: [{ format(f: string): string } | null, { format(f: string): string } | null] | null;
  order?: string;
  tag?: string;
  rating?: string[];
  status?: string;
}

const TAG_COLORS: Record<string, string> = {
  spam: 'volcano',
  bot: 'blue',
  transferred: 'purple',
  compliance: 'red',
};

/** The form's filters as the API's query (empty ones left out). */
function queryOf(f: Filters): URLSearchParams {
  const q = new URLSearchParams();
  for (const key of ['buyer', 'agent', 'text', 'order', 'tag', 'status'] as const) {
    const v = f[key]?.trim();
    if (v) q.set(key, v);
  }
  const [from, to] = f.range ?? [];
  if (from) q.set('from', from.format('YYYY-MM-DD'));
  if (to) q.set('to', to.format('YYYY-MM-DD'));
  if (f.rating && f.rating.length > 0) q.set('rating', f.rating.join(','));
  return q;
}

/**
 * Issue #18: 会话记录 — every conversation of the shop, searched by buyer, agent, text, day range,
 * order number, tag, rating and status; a page at a time (load more); a row opens its transcript
 * with its response times (MET-4); the CSV export takes the same filters.
 */
export function ChatHistory() {
  const { t } = useT();
  const h = t.history;
  const [form] = Form.useForm<Filters>();
  const [agents, setAgents] = useState<Agent[]>([]);
  const [query, setQuery] = useState(() => new URLSearchParams());
  const [rows, setRows] = useState<HistoryRow[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [open, setOpen] = useState<string | null>(null);

  useEffect(() => {
    api('GET', '/api/admin/agents')
      .then((r) => setAgents(r.agents))
      .catch(() => undefined);
  }, []);

  const load = useCallback(async (q: URLSearchParams, after: string | null) => {
    setLoading(true);
    const page = new URLSearchParams(q);
    page.set('limit', '50');
    if (after) page.set('cursor', after);
    try {
      const r = await api('GET', `/api/admin/history?${page}`);
      setRows((list) => (after ? [...list, ...r.rows] : r.rows));
      setCursor(r.nextCursor);
    } catch (e) {
      toast.error((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void load(query, null);
  }, [load, query]);

  const search = () => setQuery(queryOf(form.getFieldsValue()));
  const names = (list: HistoryRow['agents']) => list.map((a) => a.name).join('、') || '—';

  return (
    <div data-testid="history">
      <Form<Filters> form={form} layout="inline" onFinish={search} style={{ rowGap: 8, marginBottom: 12 }}>
        <Form.Item name="order" label={h.order}>
          <Input allowClear data-testid="history-order" style={{ width: 180 }} />
        </Form.Item>
        <Form.Item name="buyer" label={h.buyer}>
          <Input
            allowClear
            placeholder={h.buyerPlaceholder}
            data-testid="history-buyer"
            style={{ width: 160 }}
          />
        </Form.Item>
        <Form.Item name="text" label={h.text}>
          <Input
            allowClear
            placeholder={h.textPlaceholder}
            data-testid="history-text"
            style={{ width: 180 }}
          />
        </Form.Item>
        <Form.Item name="agent" label={h.agent}>
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            placeholder={t.allAgents}
            data-testid="history-agent"
            style={{ width: 150 }}
            options={agents.map((a) => ({ value: a.id, label: a.name }))}
          />
        </Form.Item>
        <Form.Item name="range" label={h.dates}>
          <DatePicker.RangePicker
            allowEmpty={[true, true]}
            data-testid="history-dates"
            style={{ width: 250 }}
          />
        </Form.Item>
        <Form.Item name="tag" label={h.tag}>
          <Select
            allowClear
            data-testid="history-tag"
            style={{ width: 130 }}
            options={Object.entries(h.tags).map(([value, label]) => ({ value, label }))}
          />
        </Form.Item>
        <Form.Item name="rating" label={h.rating}>
          <Select
            mode="multiple"
            allowClear
            data-testid="history-rating"
            style={{ minWidth: 140 }}
            options={[
              ...[1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: fill(h.stars, { n }) })),
              { value: 'none', label: h.unrated },
            ]}
          />
        </Form.Item>
        <Form.Item name="status" label={h.status}>
          <Select
            allowClear
            data-testid="history-status"
            style={{ width: 130 }}
            options={Object.entries(h.statuses).map(([value, label]) => ({ value, label }))}
          />
        </Form.Item>
        <Form.Item>
          <Space wrap>
            <Button type="primary" htmlType="submit" icon={<SearchOutlined />} data-testid="history-search">
              {h.search}
            </Button>
            <Button
              onClick={() => {
                form.resetFields();
                search();
              }}
            >
              {h.reset}
            </Button>
            <Tooltip title={h.exportHint}>
              <Button
                icon={<DownloadOutlined />}
                href={shopLink(`/api/admin/history.csv?${query}`)}
                download
                data-testid="history-csv"
              >
                {h.export}
              </Button>
            </Tooltip>
          </Space>
        </Form.Item>
      </Form>
      <Table<HistoryRow>
        rowKey="conversationId"
        size="small"
        loading={loading}
        dataSource={rows}
        pagination={false}
        locale={{ emptyText: h.empty }}
        // A phone scrolls the table sideways rather than crushing its columns.
        scroll={{ x: 1180 }}
        onRow={(r) =>
          ({
            'data-testid': 'history-row',
            'data-id': r.conversationId,
            style: { cursor: 'pointer' },
            onClick: () => setOpen(r.conversationId),
          }) as HTMLAttributes<HTMLElement>
        }
        columns={[
          {
            title: h.started,
            dataIndex: 'startedAt',
            width: 160,
            render: (at: number) => new Date(at).toLocaleString(),
          },
          {
            title: h.buyer,
            key: 'buyer',
            width: 150,
            render: (_: unknown, r) => (
              <span data-testid="history-buyer-name">
                {r.buyer.nick}
                {r.buyer.externalId && (
                  <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                    {r.buyer.externalId}
                  </Typography.Text>
                )}
              </span>
            ),
          },
          { title: h.agents, key: 'agents', width: 120, render: (_: unknown, r) => names(r.agents) },
          {
            title: h.status,
            dataIndex: 'status',
            width: 100,
            render: (s: string) => h.statuses[s] ?? s,
          },
          {
            title: h.tag,
            dataIndex: 'tags',
            width: 150,
            render: (tags: string[]) => (
              <Space size={4} wrap>
                {tags.map((tag) => (
                  <Tag key={tag} color={TAG_COLORS[tag]} style={{ marginInlineEnd: 0 }}>
                    {h.tags[tag] ?? tag}
                  </Tag>
                ))}
              </Space>
            ),
          },
          {
            title: h.rating,
            dataIndex: 'rating',
            width: 80,
            render: (r: HistoryRow['rating']) => (r ? fill(h.stars, { n: r.score }) : '—'),
          },
          {
            title: h.firstResponse,
            dataIndex: 'firstResponseMs',
            width: 100,
            render: (ms: number | null) => duration(ms, t),
          },
          {
            title: h.avgResponse,
            dataIndex: 'avgResponseMs',
            width: 100,
            render: (ms: number | null) => duration(ms, t),
          },
          { title: h.messages, dataIndex: 'messageCount', width: 80 },
          {
            title: h.content,
            key: 'content',
            render: (_: unknown, r) => (
              <span data-testid="history-snippet">
                {r.match ? <mark>{r.match.snippet}</mark> : r.preview}
              </span>
            ),
          },
        ]}
      />
      <Space style={{ marginTop: 12 }}>
        <Typography.Text type="secondary">{fill(h.shown, { n: rows.length })}</Typography.Text>
        {cursor && (
          <Button onClick={() => void load(query, cursor)} loading={loading} data-testid="history-more">
            {h.loadMore}
          </Button>
        )}
      </Space>
      <HistoryTranscript conversationId={open} onClose={() => setOpen(null)} />
    </div>
  );
}
