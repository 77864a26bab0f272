import type { StaffingHour, StaffingReport } from '@xiaoer/protocol';
import {
  Alert,
  Button,
  Card,
  Col,
  Collapse,
  Form,
  InputNumber,
  Row,
  Segmented,
  Space,
  Spin,
  Table,
  Tag,
  Tooltip,
  Typography,
  message as toast,
} from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, ApiError } from '../shared/api';
import { EChart, type ChartOption } from '../shared/EChart';
import { useT, type Dict } from '../shared/i18n';

const HOURS = Array.from({ length: 24 }, (_, h) => h);
const hourLabel = (h: number) => `${String(h).padStart(2, '0')}:00`;
const RED = '#cf1322';
const GREEN = '#389e0d';
const ORANGE = '#ff5000';

/** What the form holds: blank figures come from the shop; the target share as a percentage. */
interface FormValues {
  source: 'history' | 'forecast';
  days: number;
  targetMinutes?: number | null;
  levelPct?: number | null;
  ahtMinutes?: number | null;
  concurrency?: number | null;
  arrivals: (number | null)[];
}

const pct = (share: number | null) => (share === null ? '—' : `${Math.round(share * 1000) / 10}%`);
const minutes = (seconds: number) => String(Math.round((seconds / 60) * 10) / 10);

/** The form's figures as the API takes them: only what the owner typed. */
function typedParams(v: FormValues): Record<string, number> {
  const out: Record<string, number> = {};
  if (v.targetMinutes != null) out.targetMinutes = v.targetMinutes;
  if (v.levelPct != null) out.serviceLevel = Math.round(v.levelPct * 10) / 1000;
  if (v.ahtMinutes != null) out.ahtMinutes = v.ahtMinutes;
  if (v.concurrency != null) out.concurrency = v.concurrency;
  return out;
}

/** The server names `arrivals.3` or `serviceLevel`: the form item it is. */
function formPath(field: string): keyof FormValues | ['arrivals', number] {
  if (field === 'serviceLevel') return 'levelPct';
  const m = /^arrivals\.(\d+)$/.exec(field);
  return m ? ['arrivals', Number(m[1])] : (field as keyof FormValues);
}

/**
 * Issue #18, 排班规划: agents needed per hour to take the target share of buyers within the
 * target time (MET-1's 5 minutes by default), by Erlang C and checked by the routing simulator,
 * from the shop's own conversations or a typed forecast; the rota beside it, editable, and the gap.
 */
export function StaffingPlanner() {
  const { t } = useT();
  const [form] = Form.useForm<FormValues>();
  const [report, setReport] = useState<StaffingReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [rota, setRota] = useState<number[]>(() => HOURS.map(() => 0));
  const [savingRota, setSavingRota] = useState(false);
  const source = Form.useWatch('source', form) ?? 'history';

  const run = useCallback(async () => {
    const v = form.getFieldsValue(true) as FormValues;
    setBusy(true);
    try {
      const next =
        v.source === 'forecast'
          ? await api('POST', '/api/admin/staffing/plan', {
              arrivals: v.arrivals.map((n) => n ?? 0),
              ...typedParams(v),
            })
          : await api(
              'GET',
              `/api/admin/staffing?${new URLSearchParams(
                Object.entries({ days: v.days, ...typedParams(v) }).map(([k, n]) => [k, String(n)]),
              )}`,
            );
      setReport(next);
      setRota(next.rota.hours);
    } catch (e) {
      const error = e as Error;
      if (error instanceof ApiError && error.field)
        form.setFields([{ name: formPath(error.field), errors: [error.message] }]);
      toast.error(error.message);
    } finally {
      setBusy(false);
    }
  }, [form]);

  useEffect(() => {
    void run();
  }, [run]);

  const saveRota = async () => {
    setSavingRota(true);
    try {
      await api('PUT', '/api/admin/staffing/rota', { hours: rota });
      toast.success(t.staffingRotaSaved);
      await run();
    } catch (e) {
      const error = e as Error;
      const hour = error instanceof ApiError ? /^hours\.(\d+)$/.exec(error.field ?? '') : null;
      toast.error(hour ? `${t.staffingBadHour(hourLabel(Number(hour[1])))}${error.message}` : error.message);
    } finally {
      setSavingRota(false);
    }
  };

  const dirty = report !== null && report.rota.hours.some((n, h) => n !== rota[h]);

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card size="small">
        <Form
          form={form}
          layout="vertical"
          initialValues={{ source: 'history', days: 14, arrivals: HOURS.map(() => 0) }}
          onFinish={() => void run()}
          onValuesChange={(changed: Partial<FormValues>) => {
            // A typed value clears the server's complaint about it.
            for (const key of Object.keys(changed) as (keyof FormValues)[])
              form.setFields([{ name: key, errors: [] }]);
          }}
        >
          <Row gutter={16}>
            <Col xs={24} md={8} xl={6}>
              <Form.Item name="source" label={t.staffingSource}>
                <Segmented
                  block
                  options={[
                    { value: 'history', label: t.staffingHistory },
                    { value: 'forecast', label: t.staffingForecast },
                  ]}
                />
              </Form.Item>
            </Col>
            {source === 'history' && (
              <Col xs={12} md={4} xl={3}>
                <Form.Item name="days" label={t.staffingDays}>
                  <InputNumber min={1} max={90} precision={0} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
            )}
            <Col xs={12} md={6} xl={4}>
              <Form.Item name="targetMinutes" label={t.staffingTarget}>
                <InputNumber
                  min={0.5}
                  max={60}
                  style={{ width: '100%' }}
                  placeholder={report ? minutes(report.params.targetSeconds) : ''}
                />
              </Form.Item>
            </Col>
            <Col xs={12} md={6} xl={3}>
              <Form.Item name="levelPct" label={t.staffingLevel}>
                <InputNumber
                  min={50}
                  max={99}
                  style={{ width: '100%' }}
                  placeholder={report ? String(Math.round(report.params.serviceLevel * 100)) : ''}
                />
              </Form.Item>
            </Col>
            <Col xs={12} md={6} xl={4}>
              <Form.Item name="ahtMinutes" label={t.staffingAht} tooltip={t.staffingFromShop}>
                <InputNumber
                  min={0.5}
                  max={240}
                  style={{ width: '100%' }}
                  placeholder={report ? minutes(report.params.ahtSeconds) : ''}
                />
              </Form.Item>
            </Col>
            <Col xs={12} md={6} xl={4}>
              <Form.Item name="concurrency" label={t.staffingConcurrency} tooltip={t.staffingFromShop}>
                <InputNumber
                  min={1}
                  max={500}
                  precision={0}
                  style={{ width: '100%' }}
                  placeholder={report ? String(report.params.concurrency) : ''}
                />
              </Form.Item>
            </Col>
          </Row>
          {source === 'forecast' && (
            <Form.Item label={t.staffingForecastHint} style={{ marginBottom: 8 }}>
              <Row gutter={[8, 8]}>
                {HOURS.map((h) => (
                  <Col key={h} xs={6} sm={4} md={3} xl={2}>
                    <Form.Item name={['arrivals', h]} noStyle>
                      <InputNumber
                        min={0}
                        max={10000}
                        addonBefore={String(h).padStart(2, '0')}
                        style={{ width: '100%' }}
                        aria-label={hourLabel(h)}
                        data-testid={`forecast-${h}`}
                      />
                    </Form.Item>
                  </Col>
                ))}
              </Row>
            </Form.Item>
          )}
          <Button type="primary" htmlType="submit" loading={busy} data-testid="staffing-run">
            {t.staffingRun}
          </Button>
        </Form>
      </Card>

      {!report ? (
        <Spin />
      ) : (
        <>
          <Basis report={report} t={t} />
          <Card size="small">
            <NeedChart report={report} rota={rota} t={t} />
          </Card>
          <Card
            size="small"
            title={t.staffingRota}
            extra={
              <Space wrap>
                <Button onClick={() => setRota(report.hours.map((h) => h.agentsNeeded))}>
                  {t.staffingFillNeeded}
                </Button>
                <Button
                  type="primary"
                  onClick={() => void saveRota()}
                  loading={savingRota}
                  disabled={!dirty}
                  data-testid="staffing-save-rota"
                >
                  {t.staffingSaveRota}
                </Button>
              </Space>
            }
          >
            {dirty && (
              <Alert type="info" showIcon message={t.staffingRotaUnsaved} style={{ marginBottom: 12 }} />
            )}
            <HourTable
              hours={report.hours}
              rota={rota}
              onRota={(h, n) => setRota((r) => r.map((x, i) => (i === h ? n : x)))}
              level={report.params.serviceLevel}
              t={t}
            />
          </Card>
          <Collapse
            size="small"
            items={[
              {
                key: 'how',
                label: t.staffingHow,
                children: (
                  <Typography.Paragraph style={{ marginBottom: 0 }} data-testid="staffing-explain">
                    {t.staffingExplain}
                  </Typography.Paragraph>
                ),
              },
            ]}
          />
        </>
      )}
    </Space>
  );
}

/** Where the figures came from, the goal and the day's sums, in a line or three. */
function Basis({ report, t }: { report: StaffingReport; t: Dict }) {
  const { params, totals } = report;
  return (
    <Alert
      type={totals.shortHours > 0 ? 'warning' : 'success'}
      showIcon
      data-testid="staffing-basis"
      message={t.staffingTotals(totals.agentHoursNeeded, totals.agentHoursRota, totals.shortHours)}
      description={
        <Space direction="vertical" size={0}>
          <span>
            {report.window
              ? t.staffingWindow(
                  report.window.from,
                  report.window.to,
                  report.window.days,
                  report.window.conversations,
                )
              : t.staffingForecastUsed}
          </span>
          <span>
            {t.staffingGoal(minutes(params.targetSeconds), Math.round(params.serviceLevel * 1000) / 10)}
          </span>
          <span>
            {t.staffingAhtFrom(minutes(params.ahtSeconds), report.ahtSource, report.ahtSamples)};{' '}
            {t.staffingConcurrencyFrom(params.concurrency, report.concurrencySource)}
          </span>
        </Space>
      }
    />
  );
}

/** Agents needed per hour (bars) against the rota being edited (a step line), and the load (a light line). */
function NeedChart({ report, rota, t }: { report: StaffingReport; rota: number[]; t: Dict }) {
  const option = useMemo<ChartOption>(
    () => ({
      grid: { left: 36, right: 40, top: 36, bottom: 28 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0 },
      xAxis: { type: 'category', data: HOURS.map(hourLabel) },
      yAxis: [
        { type: 'value', minInterval: 1 },
        { type: 'value', splitLine: { show: false } },
      ],
      series: [
        {
          name: t.staffingNeeded,
          type: 'bar',
          itemStyle: { color: ORANGE },
          data: report.hours.map((h) => h.agentsNeeded),
        },
        {
          name: t.staffingRota,
          type: 'line',
          step: 'middle',
          symbol: 'none',
          lineStyle: { width: 2, color: '#1677ff' },
          itemStyle: { color: '#1677ff' },
          data: rota,
        },
        {
          name: t.staffingArrivals,
          type: 'line',
          yAxisIndex: 1,
          symbol: 'none',
          lineStyle: { width: 1, type: 'dashed', color: '#bbb' },
          itemStyle: { color: '#bbb' },
          data: report.hours.map((h) => Math.round(h.arrivals * 10) / 10),
        },
      ],
    }),
    [report, rota, t],
  );
  return <EChart option={option} height={280} testId="staffing-chart" />;
}

/** One row an hour: the load, what it needs, both checks, the rota (editable) and the gap, coloured. */
function HourTable(props: {
  hours: StaffingHour[];
  rota: number[];
  onRota: (hour: number, n: number) => void;
  /** The target share: the rota's level is green at or above it. */
  level: number;
  t: Dict;
}) {
  const { hours, rota, onRota, level, t } = props;
  return (
    <div data-testid="staffing-table">
      <Table<StaffingHour>
        size="small"
        rowKey="hour"
        pagination={false}
        scroll={{ x: 'max-content' }}
        dataSource={hours}
        columns={[
          { title: t.staffingHour, dataIndex: 'hour', render: (h: number) => hourLabel(h) },
          {
            title: t.staffingArrivals,
            dataIndex: 'arrivals',
            align: 'right',
            render: (n: number) => Math.round(n * 10) / 10,
          },
          {
            title: t.staffingTraffic,
            dataIndex: 'traffic',
            align: 'right',
            render: (n: number) => Math.round(n * 100) / 100,
          },
          {
            title: t.staffingNeeded,
            dataIndex: 'agentsNeeded',
            align: 'right',
            render: (n: number) => <b>{n}</b>,
          },
          {
            title: t.staffingErlang,
            dataIndex: 'serviceLevel',
            align: 'right',
            render: (_: number, h) => (h.arrivals === 0 ? '—' : pct(h.serviceLevel)),
          },
          {
            title: t.staffingSimulated,
            dataIndex: 'simulatedShare',
            align: 'right',
            render: (share: number | null, h) =>
              share === null ? (
                '—'
              ) : (
                <Tooltip title={t.staffingSimulatedTip(h.simulatedArrivals)}>
                  {pct(share)}
                  {h.simulatedMargin !== null && (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {' '}
                      ±{Math.round(h.simulatedMargin * 1000) / 10}
                    </Typography.Text>
                  )}
                </Tooltip>
              ),
          },
          {
            title: t.staffingRota,
            key: 'rota',
            render: (_, h) => (
              <InputNumber
                size="small"
                min={0}
                max={500}
                precision={0}
                value={rota[h.hour]}
                onChange={(n) => onRota(h.hour, typeof n === 'number' ? n : 0)}
                aria-label={`${t.staffingRota} ${hourLabel(h.hour)}`}
                data-testid={`rota-${h.hour}`}
                style={{ width: 72 }}
              />
            ),
          },
          {
            title: t.staffingGap,
            key: 'gap',
            render: (_, h) => {
              const gap = (rota[h.hour] ?? 0) - h.agentsNeeded;
              if (gap < 0)
                return (
                  <Tag color="red" data-testid={`gap-${h.hour}`}>
                    {t.staffingShort} {-gap}
                  </Tag>
                );
              if (gap > 0)
                return (
                  <Tag color="green" data-testid={`gap-${h.hour}`}>
                    {t.staffingSpare} {gap}
                  </Tag>
                );
              return <Tag data-testid={`gap-${h.hour}`}>{t.staffingEven}</Tag>;
            },
          },
          {
            title: t.staffingRotaLevel,
            dataIndex: 'rotaServiceLevel',
            align: 'right',
            render: (share: number, h) =>
              h.arrivals === 0 ? (
                '—'
              ) : (
                <span style={{ color: share >= level ? GREEN : RED }}>{pct(share)}</span>
              ),
          },
        ]}
      />
    </div>
  );
}
