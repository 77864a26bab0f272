import { ReloadOutlined } from '@ant-design/icons';
import type {
  AgentListing as Agent,
  AgentPromiseCounts,
  PromiseReport,
  PromiseStatus,
} from '@xiaoer/protocol';
import { Button, Card, Empty, Select, Space, Table, Tag, Typography, message as toast } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState, type HTMLAttributes } from 'react';
import { connectAgentSocket } from '../shared/agentSocket';
import { api, failureText } from '../shared/api';
import { EChart, type ChartOption } from '../shared/EChart';
import { useT } from '../shared/i18n';

/** A promise as GET /api/admin/compliance/promises lists it. */
type Row = PromiseReport['promises'][number];

type Report = PromiseReport;

const STATUS_COLORS: Record<PromiseStatus, string> = {
  'at-risk': 'orange',
  broken: 'red',
  pending: 'blue',
  kept: 'green',
  void: 'default',
};
const STATUSES: PromiseStatus[] = ['at-risk', 'broken', 'pending', 'kept', 'void'];

/**
 * 承诺兑现 (issue #19, CMP-4): the promises agents made in chat, checked against the order and its
 * after-sales outcome — at risk and broken first — and counted per agent. A promise going at risk
 * or broken comes live on the console's socket (`compliance:promise`): a notice, and the list again.
 */
export function PromiseChecks({ shopId }: { shopId: string }) {
  const { t } = useT();
  const p = t.promiseChecks;
  const [agents, setAgents] = useState<Agent[]>([]);
  const [agentId, setAgentId] = useState<string | undefined>();
  const [status, setStatus] = useState<PromiseStatus | undefined>();
  const [days, setDays] = useState(30);
  const [report, setReport] = useState<Report | null>(null);
  const [loading, setLoading] = useState(true);

  const load = useCallback(async () => {
    setLoading(true);
    const q = new URLSearchParams({ days: String(days) });
    if (agentId) q.set('agentId', agentId);
    if (status) q.set('status', status);
    try {
      setReport(await api('GET', `/api/admin/compliance/promises?${q}`));
    } catch (e) {
      toast.error(failureText(e));
    } finally {
      setLoading(false);
    }
  }, [agentId, status, days]);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    api('GET', '/api/agents')
      .then((r) => setAgents(r.agents))
      .catch(() => undefined);
  }, []);
  const names = useMemo(() => Object.fromEntries(agents.map((a) => [a.id, a.name])), [agents]);

  // The live notices: the latest load and names, without opening a new socket on every change.
  const live = useRef({ load, names, p });
  live.current = { load, names, p };
  useEffect(() => {
    const socket = connectAgentSocket('console');
    socket.on('compliance:promise', (e) => {
      if (e.shopId !== shopId) return;
      const { load: reload, names: who, p: words } = live.current;
      const agent = who[e.promise.agentId] ?? e.promise.agentId;
      if (e.promise.status === 'broken') toast.error(words.alertBroken(agent, e.promise.detail));
      else toast.warning(words.alertAtRisk(agent, e.promise.detail));
      void reload();
    });
    return () => {
      socket.close();
    };
  }, [shopId]);

  const counts = report?.counts ?? [];
  const chart: ChartOption = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: counts.map((c) => names[c.agentId] ?? c.agentId), inverse: true },
    series: (
      [
        ['kept', p.kept, '#52c41a'],
        ['broken', p.broken, '#ff4d4f'],
        ['atRisk', p.atRisk, '#fa8c16'],
        ['pending', p.pending, '#1677ff'],
      ] as const
    ).map(([key, name, color]) => ({
      type: 'bar' as const,
      name,
      stack: 'promises',
      itemStyle: { color },
      data: counts.map((c) => c[key]),
    })),
  };

  return (
    <div data-testid="promise-checks">
      <Typography.Paragraph type="secondary">
        {p.hint}
        {report && p.leadNote(report.leadHours)}
      </Typography.Paragraph>
      <Space style={{ marginBottom: 12 }} wrap>
        <Select
          allowClear
          data-testid="promise-agent"
          placeholder={t.allAgents}
          style={{ width: 180 }}
          value={agentId}
          onChange={setAgentId}
          optionFilterProp="label"
          showSearch
          options={agents.map((a) => ({ value: a.id, label: a.name }))}
        />
        <Select
          allowClear
          data-testid="promise-status"
          placeholder={p.allStatuses}
          style={{ width: 160 }}
          value={status}
          onChange={setStatus}
          options={STATUSES.map((s) => ({ value: s, label: p.statuses[s] }))}
        />
        <Select
          style={{ width: 140 }}
          value={days}
          onChange={setDays}
          options={[7, 30, 90].map((n) => ({ value: n, label: p.days(n) }))}
        />
        <Button icon={<ReloadOutlined />} onClick={() => void load()} data-testid="promise-refresh">
          {t.refresh}
        </Button>
      </Space>

      <Card size="small" title={p.byAgent} style={{ marginBottom: 16 }}>
        {counts.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={p.none} />
        ) : (
          <>
            <EChart option={chart} height={Math.max(120, 40 + counts.length * 36)} testId="promise-chart" />
            <Table<AgentPromiseCounts>
              rowKey="agentId"
              size="small"
              pagination={false}
              dataSource={counts}
              onRow={(c) =>
                ({
                  'data-testid': 'promise-agent-row',
                  'data-agent': c.agentId,
                }) as HTMLAttributes<HTMLElement>
              }
              columns={[
                { title: p.agent, dataIndex: 'agentId', render: (id: string) => names[id] ?? id },
                { title: p.made, dataIndex: 'made', width: 80 },
                { title: p.kept, dataIndex: 'kept', width: 80 },
                {
                  title: p.broken,
                  dataIndex: 'broken',
                  width: 80,
                  render: (n: number) => (
                    <span data-testid="promise-agent-broken" style={n > 0 ? { color: '#cf1322' } : undefined}>
                      {n}
                    </span>
                  ),
                },
                { title: p.atRisk, dataIndex: 'atRisk', width: 90 },
                { title: p.pending, dataIndex: 'pending', width: 80 },
                {
                  title: p.keptRate,
                  dataIndex: 'keptRate',
                  width: 90,
                  render: (r: number | null) => (r === null ? '—' : `${Math.round(r * 100)}%`),
                },
              ]}
            />
          </>
        )}
      </Card>

      <Table<Row>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={report?.promises ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 960 }}
        onRow={(r) =>
          ({
            'data-testid': 'promise-row',
            'data-status': r.status,
            'data-kind': r.kind,
            'data-id': r.id,
          }) as HTMLAttributes<HTMLElement>
        }
        columns={[
          {
            title: p.status,
            dataIndex: 'status',
            width: 150,
            render: (s: PromiseStatus, r) => (
              <Space direction="vertical" size={0}>
                <Tag color={STATUS_COLORS[s]} data-testid="promise-status-tag">
                  {p.statuses[s] ?? s}
                </Tag>
                {r.reason && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="promise-reason">
                    {p.reasons[r.reason] ?? r.reason}
                  </Typography.Text>
                )}
              </Space>
            ),
          },
          { title: p.agent, dataIndex: 'agentId', width: 110, render: (id: string) => names[id] ?? id },
          {
            title: p.buyer,
            dataIndex: 'buyerNick',
            width: 120,
            render: (nick: string | null, r) => nick ?? r.buyerId,
          },
          { title: p.order, dataIndex: 'orderId', width: 140, render: (id: string | null) => id ?? '—' },
          {
            title: p.what,
            dataIndex: 'detail',
            render: (detail: string, r) => (
              <Space size={4} wrap>
                <Tag>{p.kinds[r.kind] ?? r.kind}</Tag>
                <span data-testid="promise-detail">{detail}</span>
              </Space>
            ),
          },
          {
            title: p.due,
            dataIndex: 'effectiveDueAt',
            width: 200,
            render: (due: number | null, r) =>
              due === null ? (
                <Typography.Text type="secondary">{p.dueOnShip}</Typography.Text>
              ) : (
                <span>
                  {new Date(due).toLocaleString()}
                  {r.dueAt === undefined && (
                    <Typography.Text type="secondary"> {p.dueDefault}</Typography.Text>
                  )}
                </span>
              ),
          },
          {
            title: p.madeAt,
            dataIndex: 'createdAt',
            width: 170,
            render: (at: number) => new Date(at).toLocaleString(),
          },
        ]}
      />
    </div>
  );
}
