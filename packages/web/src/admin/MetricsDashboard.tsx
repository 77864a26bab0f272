import {
  DownloadOutlined,
  InfoCircleOutlined,
  LeftOutlined,
  ReloadOutlined,
  RightOutlined,
} from '@ant-design/icons';
import {
  Button,
  Card,
  Col,
  Empty,
  Input,
  Progress,
  Row,
  Segmented,
  Space,
  Spin,
  Statistic,
  Table,
  Tag,
  Tooltip,
  Typography,
  message as toast,
} from 'antd';
import {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type HTMLAttributes,
  type ReactNode,
} from 'react';
import { api, shopLink, failureText } from '../shared/api';
import { EChart, type ChartOption } from '../shared/EChart';
import { useT, type Dict } from '../shared/i18n';
import {
  addDays,
  duration,
  fill,
  pct,
  shortDuration,
  useDefinitions,
  type AgentMetrics,
  type DayMetrics,
  type GroupRow,
  type MetricKey,
  type RangeDay,
  type Segment,
} from '../shared/metrics';

const REFRESH_MS = 30_000;
const RED = '#cf1322';
const GREEN = '#389e0d';
const ORANGE = '#ff5000';

/** A figure's name with its definition on hover. */
function Defined(props: { def: { name: string; text: string }; children: ReactNode; testId?: string }) {
  return (
    <Tooltip
      title={
        <div>
          <b>{props.def.name}</b>
          <div>{props.def.text}</div>
        </div>
      }
      styles={{ root: { maxWidth: 380 } }}
    >
      <span data-testid={props.testId} style={{ cursor: 'help' }}>
        {props.children} <InfoCircleOutlined style={{ color: '#999', fontSize: 12 }} />
      </span>
    </Tooltip>
  );
}

/**
 * The live dashboard (MET-1 … MET-6): a day's reply rate against the threshold, consultations
 * and inquiries, response times, conversion, satisfaction, charts by hour and over 30 days, and
 * the agent table ranked per segment. Refreshes every 30 s while it is shown.
 */
export function MetricsDashboard() {
  const { t, lang } = useT();
  const def = useDefinitions(t, lang);
  /** The day shown; null until the server names today (in the shop's time zone). */
  const [date, setDate] = useState<string | null>(null);
  const [today, setToday] = useState<string | null>(null);
  const [day, setDay] = useState<DayMetrics | null>(null);
  const [range, setRange] = useState<RangeDay[]>([]);
  const [loading, setLoading] = useState(true);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const [segment, setSegment] = useState<Segment | 'all'>('all');
  /** Answers to an older request (another date picked meanwhile) are dropped. */
  const latest = useRef(0);

  const load = useCallback(async (wanted: string | null, quiet = false) => {
    const ticket = ++latest.current;
    if (!quiet) setLoading(true);
    try {
      const d = await api(
        'GET',
        `/api/admin/metrics/day?${wanted ? `date=${encodeURIComponent(wanted)}` : ''}`,
      );
      const r = await api('GET', `/api/admin/metrics/range?from=${addDays(d.date, -29)}&to=${d.date}`).catch(
        () => ({ days: [] as RangeDay[] }),
      );
      if (ticket !== latest.current) return;
      if (wanted === null) setToday(d.date);
      setDate(d.date);
      setDay(d);
      setRange(r.days);
      setUpdatedAt(Date.now());
    } catch (e) {
      if (ticket === latest.current && !quiet) toast.error(failureText(e));
    } finally {
      if (ticket === latest.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load(null);
  }, [load]);
  // Live: again every 30 s while the dashboard is open and the page is visible.
  const dateRef = useRef(date);
  dateRef.current = date;
  useEffect(() => {
    const timer = setInterval(() => {
      if (!document.hidden) void load(dateRef.current, true);
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const pick = (next: string) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(next)) return;
    setDate(next);
    void load(next);
  };

  if (!day || !date) return loading ? <Spin /> : <Empty />;
  const s = day.shop;
  const below = s.replyRate !== null && s.replyRate < day.threshold;
  const win = { start: day.window.start, end: day.window.end };

  return (
    <div data-testid="metrics-dashboard" data-date={date}>
      <Space wrap style={{ marginBottom: 12, width: '100%', justifyContent: 'space-between' }}>
        <Space wrap>
          <Button icon={<LeftOutlined />} aria-label={t.prevDay} onClick={() => pick(addDays(date, -1))} />
          <Input
            type="date"
            aria-label={t.metricsDate}
            data-testid="metrics-date"
            value={date}
            max={today ?? undefined}
            onChange={(e) => pick(e.target.value)}
            style={{ width: 160 }}
          />
          <Button
            icon={<RightOutlined />}
            aria-label={t.nextDay}
            disabled={today !== null && date >= today}
            onClick={() => pick(addDays(date, 1))}
          />
          <Button disabled={date === today} onClick={() => today && pick(today)}>
            {t.today}
          </Button>
          <Button
            icon={<ReloadOutlined />}
            loading={loading}
            aria-label={t.refresh}
            onClick={() => void load(date)}
          />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {updatedAt && `${t.updatedAt} ${new Date(updatedAt).toLocaleTimeString()} · ${t.autoRefresh}`}
          </Typography.Text>
        </Space>
        <Button
          icon={<DownloadOutlined />}
          href={shopLink(`/api/admin/metrics/day.csv?date=${date}`)}
          download={`metrics-${date}.csv`}
          data-testid="metrics-csv"
        >
          {t.exportCsv}
        </Button>
      </Space>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {fill(t.windowLine, {
          ...win,
          tz: day.timeZone,
          m: day.replyMinutes,
          threshold: pct(day.threshold),
        })}
      </Typography.Paragraph>

      <Row gutter={[16, 16]}>
        <Col xs={24} md={12} xl={5}>
          <Card
            size="small"
            data-testid="metrics-reply-rate"
            data-value={s.replyRate ?? ''}
            data-below={below ? 'true' : 'false'}
            style={{ height: '100%', ...(below ? { borderColor: RED } : {}) }}
          >
            <Statistic
              title={
                <Defined def={def('replyRate')}>{fill(t.replyRateTitle, { m: day.replyMinutes })}</Defined>
              }
              value={pct(s.replyRate)}
              valueStyle={{ color: s.replyRate === null ? undefined : below ? RED : GREEN, fontSize: 32 }}
              suffix={
                s.replyRate !== null && (
                  <Tag color={below ? 'red' : 'green'} style={{ marginLeft: 8, verticalAlign: 'middle' }}>
                    {below ? t.belowThreshold : t.atThreshold}
                  </Tag>
                )
              }
            />
            {/* The rate against a tick at the threshold. */}
            <div style={{ position: 'relative' }}>
              <Progress
                percent={Math.round((s.replyRate ?? 0) * 1000) / 10}
                showInfo={false}
                strokeColor={below ? RED : GREEN}
                size="small"
              />
              <div
                aria-hidden
                style={{
                  position: 'absolute',
                  left: `${day.threshold * 100}%`,
                  top: 4,
                  bottom: 4,
                  width: 2,
                  background: '#595959',
                }}
              />
            </div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t.thresholdLabel} {pct(day.threshold)} ·{' '}
              {fill(t.repliedOf, { replied: s.replied, decided: s.consultations - s.pending })}
              {s.pending > 0 && ` · ${fill(t.pendingNow, { n: s.pending })}`}
            </Typography.Text>
          </Card>
        </Col>
        <Col xs={12} md={6} xl={3}>
          <CountCard
            testId="metrics-consultations"
            value={s.consultations}
            title={<Defined def={def('consultations')}>{t.consultationsTitle}</Defined>}
            note={fill(t.windowOnly, win)}
          />
        </Col>
        <Col xs={12} md={6} xl={3}>
          <CountCard
            testId="metrics-inquiries"
            value={s.inquiries}
            title={<Defined def={def('inquiries')}>{t.inquiriesTitle}</Defined>}
            note={t.wholeDay}
          />
        </Col>
        <Col xs={24} md={12} xl={6}>
          <Card size="small" data-testid="metrics-response" style={{ height: '100%' }}>
            <Row gutter={16}>
              <Col span={12}>
                <Statistic
                  title={<Defined def={def('firstResponse')}>{t.firstResponseTitle}</Defined>}
                  value={duration(s.firstResponse.avgMs, t)}
                />
                <Percentiles d={s.firstResponse} t={t} />
              </Col>
              <Col span={12}>
                <Statistic
                  title={<Defined def={def('response')}>{t.responseTitle}</Defined>}
                  value={duration(s.response.avgMs, t)}
                />
                <Percentiles d={s.response} t={t} />
              </Col>
            </Row>
          </Card>
        </Col>
        <Col xs={12} md={6} xl={4}>
          <Card
            size="small"
            data-testid="metrics-conversion"
            data-provisional={s.conversion.provisional ? 'true' : 'false'}
            style={{ height: '100%' }}
          >
            <Statistic
              title={<Defined def={def('conversion')}>{t.conversionTitle}</Defined>}
              value={pct(s.conversion.rate)}
              suffix={
                s.conversion.provisional && (
                  <Tooltip title={t.provisionalHint}>
                    <Tag color="gold" data-testid="metrics-provisional" style={{ marginLeft: 6 }}>
                      {t.provisional}
                    </Tag>
                  </Tooltip>
                )
              }
            />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {fill(t.convertedOf, { converted: s.conversion.converted, inquirers: s.conversion.inquirers })}
            </Typography.Text>
          </Card>
        </Col>
        <Col xs={12} md={6} xl={3}>
          <Card
            size="small"
            data-testid="metrics-satisfaction"
            data-value={s.satisfaction.avg ?? ''}
            style={{ height: '100%' }}
          >
            <Statistic
              title={<Defined def={def('satisfaction')}>{t.satisfactionTitle}</Defined>}
              value={s.satisfaction.avg === null ? '—' : s.satisfaction.avg.toFixed(1)}
              suffix={s.satisfaction.avg === null ? undefined : '/ 5'}
            />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {fill(t.ratingsCount, { n: s.satisfaction.n })}
            </Typography.Text>
          </Card>
        </Col>
      </Row>

      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        <Col xs={24} xl={12}>
          <Card size="small" title={t.hourChart}>
            <HourChart day={day} t={t} />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title={<Defined def={def('response')}>{t.histogramChart}</Defined>}>
            <HistogramChart day={day} t={t} />
          </Card>
        </Col>
        <Col span={24}>
          <Card size="small" title={t.trendChart}>
            <TrendChart days={range} threshold={day.threshold} t={t} />
          </Card>
        </Col>
      </Row>

      <Card
        size="small"
        style={{ marginTop: 16 }}
        title={<Defined def={def('score')}>{t.agentTable}</Defined>}
        extra={
          <Segmented
            data-testid="metrics-segment"
            value={segment}
            onChange={(v) => setSegment(v as Segment | 'all')}
            options={[
              { value: 'all', label: t.segmentAll },
              { value: 'pre', label: t.segments.pre },
              { value: 'after', label: t.segments.after },
            ]}
          />
        }
      >
        <AgentTable agents={day.agents} segment={segment} threshold={day.threshold} def={def} t={t} />
      </Card>
      {(day.groups ?? []).length > 0 && (
        <Card size="small" style={{ marginTop: 16 }} title={t.groupTable}>
          <Table<GroupRow>
            rowKey="groupId"
            size="small"
            dataSource={day.groups}
            pagination={false}
            onRow={(g) =>
              ({
                'data-testid': 'metrics-group-row',
                'data-group-id': g.groupId,
              }) as HTMLAttributes<HTMLElement>
            }
            columns={[
              { title: t.group, dataIndex: 'name' },
              { title: t.consultationsTitle, dataIndex: 'consultations' },
              { title: t.replied, dataIndex: 'replied' },
              {
                title: t.replyRateCol,
                dataIndex: 'replyRate',
                render: (r: number | null) => (
                  <span style={r !== null && r < day.threshold ? { color: RED } : undefined}>{pct(r)}</span>
                ),
              },
              {
                title: t.firstResponseCol,
                dataIndex: 'firstResponseMs',
                render: (ms: number | null) => duration(ms, t),
              },
              {
                title: t.avgResponseCol,
                dataIndex: 'avgResponseMs',
                render: (ms: number | null) => duration(ms, t),
              },
              {
                title: t.conversionTitle,
                key: 'conversion',
                render: (_: unknown, g: GroupRow) => pct(g.conversion.rate),
              },
            ]}
          />
        </Card>
      )}
    </div>
  );
}

function CountCard(props: { testId: string; value: number; title: ReactNode; note: string }) {
  return (
    <Card size="small" data-testid={props.testId} data-value={props.value} style={{ height: '100%' }}>
      <Statistic title={props.title} value={props.value} />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {props.note}
      </Typography.Text>
    </Card>
  );
}

function Percentiles({ d, t }: { d: DayMetrics['shop']['response']; t: Dict }) {
  return (
    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
      <div>
        p50 {duration(d.p50Ms, t)} · p90 {duration(d.p90Ms, t)}
      </div>
      <div>n = {d.n}</div>
    </Typography.Text>
  );
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Consultations and in-time replies per hour (bars), inquiries (a line); the window shaded. */
function HourChart({ day, t }: { day: DayMetrics; t: Dict }) {
  const option = useMemo<ChartOption>(() => {
    const hours = Array.from({ length: 24 }, (_, h) => h);
    const at = (h: number) => day.byHour.find((b) => b.hour === h);
    // The window's hours: 08:00–23:00 is 08:00 … 22:00 (the end is exclusive), 00:00–23:59 all 24.
    const startHour = Number(day.window.start.slice(0, 2));
    const [endH, endM] = day.window.end.split(':').map(Number) as [number, number];
    const lastHour = Math.max(startHour, endM === 0 ? endH - 1 : endH);
    return {
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0 },
      xAxis: { type: 'category', data: hours.map((h) => `${pad(h)}:00`) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          name: t.seriesConsultations,
          type: 'bar',
          itemStyle: { color: '#ffc69e' },
          data: hours.map((h) => at(h)?.consultations ?? 0),
          markArea: {
            silent: true,
            itemStyle: { color: 'rgba(255, 80, 0, 0.05)' },
            label: { show: true, position: 'insideTop', color: '#bbb', fontSize: 10 },
            data: [
              [
                { name: t.consultWindow, xAxis: `${pad(startHour)}:00` },
                { xAxis: `${pad(Math.min(23, lastHour))}:00` },
              ],
            ],
          },
        },
        {
          name: t.seriesReplied,
          type: 'bar',
          itemStyle: { color: ORANGE },
          data: hours.map((h) => at(h)?.replied ?? 0),
        },
        {
          name: t.seriesInquiries,
          type: 'line',
          showSymbol: false,
          itemStyle: { color: '#8c8c8c' },
          lineStyle: { width: 1, type: 'dashed' },
          data: hours.map((h) => at(h)?.inquiries ?? 0),
        },
      ],
    };
  }, [day, t]);
  const total = day.byHour.reduce((n, b) => n + b.consultations, 0);
  return (
    <div data-consultations={total}>
      <EChart option={option} testId="metrics-hour-chart" />
    </div>
  );
}

/** How long replies took: in-time buckets orange, late ones red. */
function HistogramChart({ day, t }: { day: DayMetrics; t: Dict }) {
  const option = useMemo<ChartOption>(() => {
    const limit = day.replyMinutes * 60_000;
    const label = (b: DayMetrics['responseHistogram'][number]) =>
      b.toMs === null
        ? `≥${shortDuration(b.fromMs, t)}`
        : `${shortDuration(b.fromMs, t)}–${shortDuration(b.toMs, t)}`;
    return {
      grid: { left: 40, right: 16, top: 16, bottom: 28 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'category', data: day.responseHistogram.map(label) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          name: t.seriesResponses,
          type: 'bar',
          data: day.responseHistogram.map((b) => ({
            value: b.count,
            itemStyle: { color: b.toMs !== null && b.toMs <= limit ? ORANGE : RED },
          })),
        },
      ],
    };
  }, [day, t]);
  return <EChart option={option} testId="metrics-histogram-chart" />;
}

/** The reply rate day by day against the threshold line. */
function TrendChart({ days, threshold, t }: { days: RangeDay[]; threshold: number; t: Dict }) {
  const option = useMemo<ChartOption>(
    () => ({
      grid: { left: 44, right: 16, top: 24, bottom: 28 },
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v) => (typeof v === 'number' ? `${v}%` : '—'),
      },
      xAxis: { type: 'category', data: days.map((d) => d.date.slice(5)) },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      series: [
        {
          name: t.seriesReplyRate,
          type: 'line',
          connectNulls: false,
          symbolSize: 6,
          itemStyle: { color: ORANGE },
          data: days.map((d) => (d.replyRate === null ? null : Math.round(d.replyRate * 1000) / 10)),
          markLine: {
            silent: true,
            symbol: 'none',
            lineStyle: { color: RED, type: 'dashed' },
            label: { formatter: `${t.thresholdLabel} ${pct(threshold)}`, position: 'insideEndTop' },
            data: [{ yAxis: Math.round(threshold * 1000) / 10 }],
          },
        },
      ],
    }),
    [days, threshold, t],
  );
  return <EChart option={option} height={220} testId="metrics-trend-chart" />;
}

const MEDALS = ['gold', '#bfbfbf', '#d48806'];

/** MET-6: each agent's figures, score and rank within pre-sales or after-sales. */
function AgentTable(props: {
  agents: AgentMetrics[];
  segment: Segment | 'all';
  threshold: number;
  def: (key: MetricKey) => { name: string; text: string };
  t: Dict;
}) {
  const { t, def } = props;
  const rows = props.agents
    .filter((a) => props.segment === 'all' || a.segment === props.segment)
    .sort(
      (a, b) =>
        (a.segment === b.segment ? 0 : a.segment === 'pre' ? -1 : 1) ||
        (a.rank ?? Infinity) - (b.rank ?? Infinity) ||
        a.name.localeCompare(b.name),
    );
  const head = (key: MetricKey, label: string) => <Defined def={def(key)}>{label}</Defined>;
  return (
    <Table<AgentMetrics>
      rowKey={(a) => `${a.segment}:${a.agentId}`}
      size="small"
      dataSource={rows}
      pagination={false}
      scroll={{ x: 1000 }}
      locale={{ emptyText: t.noAgents }}
      onRow={(a) =>
        ({
          'data-testid': 'metrics-agent-row',
          'data-agent-id': a.agentId,
          'data-segment': a.segment,
          'data-rank': a.rank ?? '',
        }) as HTMLAttributes<HTMLElement>
      }
      columns={[
        {
          title: t.rank,
          dataIndex: 'rank',
          width: 64,
          render: (rank: number | null) =>
            rank === null ? '—' : rank <= 3 ? <Tag color={MEDALS[rank - 1]}>{rank}</Tag> : rank,
        },
        { title: t.agentName, dataIndex: 'name', width: 120 },
        {
          title: t.segment,
          dataIndex: 'segment',
          width: 80,
          render: (s: Segment) => <Tag color={s === 'pre' ? 'blue' : 'purple'}>{t.segments[s] ?? s}</Tag>,
        },
        {
          title: head('score', t.scoreCol),
          dataIndex: 'score',
          width: 150,
          render: (score: number | null) =>
            score === null ? (
              '—'
            ) : (
              <Space size={6}>
                <b>{score.toFixed(1)}</b>
                <Progress
                  percent={score}
                  showInfo={false}
                  size="small"
                  strokeColor={ORANGE}
                  style={{ width: 60, margin: 0 }}
                />
              </Space>
            ),
        },
        { title: head('consultations', t.consultationsTitle), dataIndex: 'consultations', width: 90 },
        { title: t.replied, dataIndex: 'replied', width: 80 },
        {
          title: head('replyRate', t.replyRateCol),
          dataIndex: 'replyRate',
          width: 100,
          render: (r: number | null) => (
            <span style={r !== null && r < props.threshold ? { color: RED } : undefined}>{pct(r)}</span>
          ),
        },
        {
          title: head('firstResponse', t.firstResponseCol),
          dataIndex: 'firstResponseMs',
          width: 110,
          render: (ms: number | null) => duration(ms, t),
        },
        {
          title: head('response', t.avgResponseCol),
          dataIndex: 'avgResponseMs',
          width: 110,
          render: (ms: number | null) => duration(ms, t),
        },
        {
          title: head('conversion', t.conversionCol),
          key: 'conversion',
          width: 110,
          render: (_, a) => (
            <Tooltip
              title={fill(t.convertedOf, {
                converted: a.conversion.converted,
                inquirers: a.conversion.inquirers,
              })}
            >
              <span>{pct(a.conversion.rate)}</span>
            </Tooltip>
          ),
        },
        {
          title: head('satisfaction', t.satisfactionCol),
          key: 'satisfaction',
          width: 100,
          render: (_, a) =>
            a.satisfaction.avg === null ? '—' : `${a.satisfaction.avg.toFixed(1)} (${a.satisfaction.n})`,
        },
        {
          title: head('quality', t.qualityCol),
          key: 'quality',
          width: 100,
          render: (_, a) => (a.quality.avg === null ? '—' : `${a.quality.avg.toFixed(1)} (${a.quality.n})`),
        },
      ]}
    />
  );
}
