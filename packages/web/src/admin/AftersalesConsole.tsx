import type { AftersalesFigures, AftersalesMetricsReport, AftersalesSettings } from '@xiaoer/protocol';
import {
  Button,
  Card,
  Checkbox,
  Col,
  Empty,
  Form,
  InputNumber,
  Row,
  Select,
  Space,
  Spin,
  Statistic,
  Table,
  Tag,
  Typography,
  message as toast,
} from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { api, failureText, yuan } from '../shared/api';
import { EChart, type ChartOption } from '../shared/EChart';
import { useT, type Dict } from '../shared/i18n';
import { fill } from '../shared/metrics';
import {
  SaveErrorAlert,
  useLoadedSettings,
  useSaveError,
  useSettingsSave,
  type FieldPath,
} from '../shared/settingsForm';

type Metrics = AftersalesMetricsReport;

/** A case of the open list, as GET /api/aftersales answers it. */
interface OpenCase {
  id: string;
  orderId: string;
  kind: string;
  status: string;
  holder: string | null;
  urgent: boolean;
  flagged: string | null;
  reason: string;
  openedAt: number;
  deadline: { kind: string; at: number } | null;
}

/** The shop's after-sales settings (GET/PUT /api/admin/aftersales/settings). */
type Settings = AftersalesSettings;

const pct = (r: number | null, t: Dict) =>
  r === null ? t.aftersalesConsole.none : `${(r * 100).toFixed(1)}%`;

/** A duration, in hours from an hour up, else in minutes. */
function hours(ms: number | null, t: Dict): string {
  const a = t.aftersalesConsole;
  if (ms === null) return a.none;
  if (ms < 3_600_000) return fill(a.minutes, { n: Math.round(ms / 60_000) });
  return fill(a.hours, { n: Number((ms / 3_600_000).toFixed(1)) });
}

/** A countdown "1天 3小时" / "3 h": days and hours, or minutes under an hour. */
function span(ms: number, t: Dict): string {
  const a = Math.abs(ms);
  const d = Math.floor(a / 86_400_000);
  const h = Math.floor((a % 86_400_000) / 3_600_000);
  if (d > 0) return `${d}${t.aftersalesConsole.dayUnit} ${h}${t.aftersalesConsole.hourUnit}`;
  if (h > 0) return `${h}${t.aftersalesConsole.hourUnit}`;
  return `${Math.ceil(a / 60_000)}${t.aftersalesConsole.minuteUnit}`;
}

/** The settings' fields in the console's words, for a refusal's alert. */
function fieldLabel(path: FieldPath, t: Dict): string {
  const a = t.aftersalesConsole as unknown as Record<string, string>;
  return path.map((p) => a[String(p)] ?? String(p)).join(' · ');
}

/** AS-3: the statistic cards of the window. */
function FigureCards({ f }: { f: AftersalesFigures }) {
  const { t } = useT();
  const a = t.aftersalesConsole;
  const cards: [string, string, string?][] = [
    [a.count, String(f.count), `${a.finished} ${f.finished}`],
    [a.handlingMedian, hours(f.handlingMedianMs, t), `${a.handlingP90} ${hours(f.handlingP90Ms, t)}`],
    [a.processingRate, pct(f.processingRate, t)],
    [
      a.satisfaction,
      f.satisfaction === null ? a.none : f.satisfaction.toFixed(2),
      `${a.satisfiedShare} ${pct(f.satisfiedShare, t)} · ${fill(a.rated, { n: f.rated })}`,
    ],
    [a.interventionRate, pct(f.interventionRate, t)],
    [a.refunded, yuan(f.refundedCents)],
  ];
  return (
    <Row gutter={[16, 16]} data-testid="aftersales-figures">
      {cards.map(([title, value, note]) => (
        <Col key={title} xs={12} md={8} xl={4}>
          <Card size="small">
            <Statistic title={title} value={value} />
            {note && <Typography.Text type="secondary">{note}</Typography.Text>}
          </Card>
        </Col>
      ))}
    </Row>
  );
}

/** AS-3: the 30-day view — figures, charts by day, reason and agent, and the agents' table. */
function FiguresView({ m }: { m: Metrics }) {
  const { t } = useT();
  const a = t.aftersalesConsole;
  const agentName = (x: { agent: string | null; name: string | null }) => x.name ?? a.unassigned;
  const reasonName = (r: { kind: string; reason: string }) => `${a.kinds[r.kind] ?? r.kind} · ${r.reason}`;
  const daily = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { data: [a.opened, a.finishedSeries] },
      grid: { left: 40, right: 16, top: 32, bottom: 28 },
      xAxis: { type: 'category', data: m.daily.map((d) => d.date.slice(5)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: a.opened, type: 'bar', data: m.daily.map((d) => d.opened) },
        { name: a.finishedSeries, type: 'line', data: m.daily.map((d) => d.finished) },
      ],
    }),
    [m, a],
  );
  const bars = (names: string[], values: number[]): ChartOption => ({
    tooltip: { trigger: 'axis' },
    grid: { left: 150, right: 16, top: 8, bottom: 24 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: names, inverse: true },
    series: [{ name: a.count, type: 'bar', data: values }],
  });
  const reasons = m.byReason.slice(0, 10);
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Text type="secondary" data-testid="aftersales-window">
        {fill(a.window, { days: m.days, from: m.from, to: m.to })}
      </Typography.Text>
      <FigureCards f={m.totals} />
      <Card size="small" title={a.daily}>
        <EChart option={daily} height={260} testId="aftersales-daily-chart" />
      </Card>
      {m.totals.count === 0 ? (
        <Empty description={a.noCases} />
      ) : (
        <Row gutter={16}>
          <Col xs={24} lg={12}>
            <Card size="small" title={a.byReason}>
              <EChart
                option={bars(
                  reasons.map(reasonName),
                  reasons.map((r) => r.count),
                )}
                height={Math.max(160, reasons.length * 32)}
                testId="aftersales-reason-chart"
              />
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card size="small" title={a.byAgent}>
              <EChart
                option={bars(
                  m.byAgent.map(agentName),
                  m.byAgent.map((x) => x.count),
                )}
                height={Math.max(160, m.byAgent.length * 32)}
                testId="aftersales-agent-chart"
              />
            </Card>
          </Col>
        </Row>
      )}
      <Table
        size="small"
        rowKey={(x) => x.agent ?? ''}
        pagination={false}
        dataSource={m.byAgent}
        data-testid="aftersales-agents"
        columns={[
          { title: a.agent, render: (_, x) => agentName(x) },
          { title: a.count, dataIndex: 'count' },
          { title: a.handlingMedian, render: (_, x) => hours(x.handlingMedianMs, t) },
          { title: a.processingRate, render: (_, x) => pct(x.processingRate, t) },
          {
            title: a.satisfaction,
            render: (_, x) => (x.satisfaction === null ? a.none : x.satisfaction.toFixed(2)),
          },
          { title: a.interventionRate, render: (_, x) => pct(x.interventionRate, t) },
          { title: a.refunded, render: (_, x) => yuan(x.refundedCents) },
        ]}
      />
    </Space>
  );
}

/** AS-2, AS-6: the open cases with their holder and a countdown to their deadline. */
function OpenCases() {
  const { t } = useT();
  const a = t.aftersalesConsole;
  const [cases, setCases] = useState<OpenCase[] | null>(null);
  const [names, setNames] = useState<Map<string, string>>(new Map());
  // The server's clock, carried forward by the browser's: the countdown ticks each minute.
  const [skew, setSkew] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    api('GET', '/api/aftersales?view=open&limit=200')
      .then((r) => {
        setSkew(r.now - Date.now());
        setCases(r.cases);
      })
      .catch((e: unknown) => toast.error(failureText(e)));
    api('GET', '/api/admin/agents')
      .then((r) => setNames(new Map(r.agents.map((x) => [x.id as string, x.name]))))
      .catch(() => undefined);
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  const at = now + skew;
  return (
    <Table
      size="small"
      rowKey="id"
      loading={cases === null}
      dataSource={cases ?? []}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      data-testid="aftersales-open"
      columns={[
        { title: a.order, dataIndex: 'orderId' },
        { title: a.kind, render: (_, c) => a.kinds[c.kind] ?? c.kind },
        { title: a.reason, dataIndex: 'reason', ellipsis: true },
        {
          title: a.status,
          render: (_, c) => (
            <Space size={4} wrap>
              <Tag>{a.statuses[c.status] ?? c.status}</Tag>
              {c.urgent && <Tag color="red">{a.urgent}</Tag>}
              {c.flagged && <Tag color="orange">{a.flagged}</Tag>}
            </Space>
          ),
        },
        {
          title: a.holder,
          render: (_, c) => (c.holder ? (names.get(c.holder) ?? c.holder) : a.unassigned),
        },
        {
          title: a.due,
          render: (_, c) => {
            if (!c.deadline) return <Typography.Text type="secondary">{a.noDeadline}</Typography.Text>;
            const left = c.deadline.at - at;
            return left < 0 ? (
              <Typography.Text type="danger">{fill(a.overdue, { t: span(left, t) })}</Typography.Text>
            ) : (
              <Typography.Text type={left < 6 * 3_600_000 ? 'warning' : undefined}>
                {fill(a.left, { t: span(left, t) })}
              </Typography.Text>
            );
          },
        },
        { title: a.openedAt, render: (_, c) => new Date(c.openedAt).toLocaleString() },
      ]}
    />
  );
}

/** AS-2, AS-5: the platform's deadlines and the shop's compensation floors. */
function AftersalesSettingsForm() {
  const { t } = useT();
  const a = t.aftersalesConsole;
  const [form] = Form.useForm<Settings>();
  const [saved, setSaved] = useLoadedSettings(
    form,
    async () => (await api('GET', '/api/admin/aftersales/settings')).settings,
    (s) => s,
  );
  const saveError = useSaveError(form, fieldLabel);
  const { busy, save } = useSettingsSave(
    form,
    (settings: Settings) => api('PUT', '/api/admin/aftersales/settings', settings),
    saveError,
    setSaved,
  );
  if (!saved) return <Spin />;
  // Only "required" here: the server says what is too little, on the field (AS-5's floors).
  const num = (name: keyof Settings, label: string, extra?: string) => (
    <Form.Item name={name} label={label} extra={extra} rules={[{ required: true, message: label }]}>
      <InputNumber precision={0} style={{ width: 160 }} data-testid={`aftersales-${name}`} />
    </Form.Item>
  );
  return (
    <Form
      form={form}
      name="aftersales-settings"
      layout="vertical"
      style={{ maxWidth: 860 }}
      initialValues={saved}
      data-testid="aftersales-settings"
    >
      <Typography.Paragraph type="secondary">{a.settingsHint}</Typography.Paragraph>
      <Space wrap align="start" size="middle">
        {num('merchantAnswerHours', a.merchantAnswerHours, a.merchantAnswerHint)}
        {num('buyerShipDays', a.buyerShipDays)}
        {num('merchantRefundDays', a.merchantRefundDays)}
        <Form.Item name="overdueRefund" label={a.overdueRefund}>
          <Select
            style={{ width: 200 }}
            data-testid="aftersales-overdueRefund"
            options={[
              { value: 'auto-refund', label: a.autoRefund },
              { value: 'flag', label: a.flag },
            ]}
          />
        </Form.Item>
      </Space>
      <Space wrap align="start" size="middle">
        {num('couponMinValidDays', a.couponMinValidDays)}
        <Form.Item name="couponScopes" label={a.couponScopes}>
          <Checkbox.Group
            data-testid="aftersales-couponScopes"
            options={[
              { value: 'store', label: a.scopeStore },
              { value: 'item', label: a.scopeItem },
            ]}
          />
        </Form.Item>
      </Space>
      <Space wrap align="start" size="middle">
        {num('stepTimeoutMinutes', a.stepTimeoutMinutes)}
        {num('alertHours', a.alertHours)}
      </Space>
      <SaveErrorAlert error={saveError.error} testId="aftersales-settings-error" />
      <Button
        type="primary"
        loading={busy}
        data-testid="aftersales-settings-save"
        onClick={() =>
          void save((v) => ({
            merchantAnswerHours: v.merchantAnswerHours,
            buyerShipDays: v.buyerShipDays,
            merchantRefundDays: v.merchantRefundDays,
            overdueRefund: v.overdueRefund,
            couponMinValidDays: v.couponMinValidDays,
            couponScopes: v.couponScopes,
            stepTimeoutMinutes: v.stepTimeoutMinutes,
            alertHours: v.alertHours,
          }))
        }
      >
        {t.save}
      </Button>
    </Form>
  );
}

/** Issue #19: the console's 售后 tab — the 30-day view (AS-3), open cases (AS-2, AS-6), rules (AS-5). */
export function AftersalesConsole() {
  const { t } = useT();
  const a = t.aftersalesConsole;
  const [metrics, setMetrics] = useState<Metrics | null>(null);
  useEffect(() => {
    api('GET', '/api/admin/aftersales/metrics?days=30')
      .then(setMetrics)
      .catch((e: unknown) => toast.error(failureText(e)));
  }, []);
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      {metrics ? <FiguresView m={metrics} /> : <Spin />}
      <Card size="small" title={a.openCases}>
        <OpenCases />
      </Card>
      <Card size="small" title={a.settings}>
        <AftersalesSettingsForm />
      </Card>
    </Space>
  );
}
