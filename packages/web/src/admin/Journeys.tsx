import type { JourneyDryRunResponse, JourneyDto, JourneyTemplateDto } from '@xiaoer/protocol';
import { CrmSettings } from './CrmSettings';
import { Segments } from './Segments';
import { JourneyEditor } from './JourneyEditor';
import {
  Button,
  Card,
  Modal,
  Popconfirm,
  Progress,
  Select,
  Space,
  Table,
  Tag,
  Typography,
  message as toast,
} from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, failureText } from '../shared/api';
import { EChart, type ChartOption } from '../shared/EChart';
import { useT } from '../shared/i18n';
import { fill } from '../shared/metrics';

const STATUS_COLORS: Record<JourneyDto['status'], string> = {
  draft: 'default',
  active: 'green',
  paused: 'orange',
  stopped: 'red',
};

/**
 * Issue #21 (CRM-2 … CRM-8): the shop's journeys — made from seed 003's templates, dry run (who
 * would get what, and when, before anything is sent), started, paused and stopped — with what
 * each did: sends, replies, conversions within its window, coupons, and why runs ended.
 */
export function Journeys() {
  const { t } = useT();
  const c = t.crm;
  const [journeys, setJourneys] = useState<JourneyDto[] | null>(null);
  const [templates, setTemplates] = useState<JourneyTemplateDto[]>([]);
  const [plan, setPlan] = useState<{ journey: JourneyDto; result: JourneyDryRunResponse } | null>(null);
  const [busy, setBusy] = useState(false);
  /** The editor: a draft, a new journey (null), or closed (undefined). */
  const [editing, setEditing] = useState<JourneyDto | null | undefined>(undefined);

  const load = useCallback(async () => {
    setJourneys((await api('GET', '/api/admin/journeys')).journeys);
  }, []);
  useEffect(() => {
    void load().catch((e: unknown) => toast.error(failureText(e)));
    void api('GET', '/api/admin/journey-templates')
      .then((r) => setTemplates(r.templates))
      .catch(() => undefined);
  }, [load]);

  const act = async (p: Promise<unknown>, done?: string) => {
    setBusy(true);
    try {
      await p;
      if (done) toast.success(done);
      await load();
    } catch (e) {
      toast.error(failureText(e));
    } finally {
      setBusy(false);
    }
  };
  const setStatus = (j: JourneyDto, status: 'active' | 'paused' | 'stopped') =>
    act(api('POST', `/api/admin/journeys/${encodeURIComponent(j.id)}/status`, { status }));
  const dryRun = async (j: JourneyDto) => {
    setBusy(true);
    try {
      const result = await api('POST', `/api/admin/journeys/${encodeURIComponent(j.id)}/dry-run`, {
        days: 90,
      });
      setPlan({ journey: j, result });
    } catch (e) {
      toast.error(failureText(e));
    } finally {
      setBusy(false);
    }
  };

  const option = useMemo<ChartOption | null>(() => {
    const shown = (journeys ?? []).filter((j) => j.status !== 'draft');
    if (shown.length === 0) return null;
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 32, bottom: 40 },
      xAxis: { type: 'category', data: shown.map((j) => j.name) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: c.sends, type: 'bar', data: shown.map((j) => j.stats.sends) },
        { name: c.replies, type: 'bar', data: shown.map((j) => j.stats.replies) },
        { name: c.conversions, type: 'bar', data: shown.map((j) => j.stats.conversions) },
        { name: c.coupons, type: 'bar', data: shown.map((j) => j.stats.coupons) },
        { name: c.optOuts, type: 'bar', data: shown.map((j) => j.stats.stopped.opted_out ?? 0) },
      ],
    };
  }, [journeys, c]);

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle" data-testid="journeys">
      <Card
        title={c.journeys}
        size="small"
        extra={
          <Space wrap>
            <Button size="small" data-testid="journey-new" disabled={busy} onClick={() => setEditing(null)}>
              {t.journeyEditor.newBlank}
            </Button>
            <Select
              style={{ width: 200 }}
              placeholder={c.newFromTemplate}
              value={null}
              disabled={busy}
              data-testid="journey-template"
              options={templates.map((x) => ({ value: x.id, label: `${x.definition.name}（${x.rule}）` }))}
              onChange={(templateId: JourneyTemplateDto['id']) =>
                void act(api('POST', '/api/admin/journeys', { templateId }), c.created)
              }
            />
          </Space>
        }
      >
        <Typography.Paragraph type="secondary">{c.journeysIntro}</Typography.Paragraph>
        <Table<JourneyDto>
          rowKey="id"
          size="small"
          loading={journeys === null}
          dataSource={journeys ?? []}
          pagination={false}
          scroll={{ x: 720 }}
          onRow={(j) =>
            ({ 'data-testid': 'journey-row', 'data-status': j.status }) as React.HTMLAttributes<HTMLElement>
          }
          columns={[
            { title: c.name, dataIndex: 'name' },
            {
              title: c.trigger,
              render: (_, j) =>
                c.triggers[j.definition.trigger.kind as keyof typeof c.triggers] ?? j.definition.trigger.kind,
            },
            {
              title: c.status,
              render: (_, j) => <Tag color={STATUS_COLORS[j.status]}>{c.statuses[j.status]}</Tag>,
            },
            {
              title: c.runs,
              render: (_, j) => {
                // Progress on long enrolments: how many of the runs have ended.
                const { active, done, stopped } = j.stats.runs;
                const total = active + done + stopped;
                return (
                  <div style={{ minWidth: 110 }} data-testid="journey-progress">
                    <Progress
                      percent={total === 0 ? 0 : Math.round(((done + stopped) / total) * 100)}
                      size="small"
                      showInfo={false}
                    />
                    <span style={{ fontSize: 12 }}>{`${active} / ${done} / ${stopped}`}</span>
                  </div>
                );
              },
            },
            { title: c.sends, render: (_, j) => j.stats.sends },
            { title: c.replies, render: (_, j) => j.stats.replies },
            { title: c.conversions, render: (_, j) => j.stats.conversions },
            { title: c.optOuts, render: (_, j) => j.stats.stopped.opted_out ?? 0 },
            {
              title: '',
              render: (_, j) => (
                <Space size="small" wrap>
                  {j.status === 'draft' && (
                    <Button
                      size="small"
                      data-testid="journey-edit"
                      disabled={busy}
                      onClick={() => setEditing(j)}
                    >
                      {t.journeyEditor.edit}
                    </Button>
                  )}
                  <Button
                    size="small"
                    data-testid="journey-dry-run"
                    disabled={busy}
                    onClick={() => void dryRun(j)}
                  >
                    {c.dryRun}
                  </Button>
                  {(j.status === 'draft' || j.status === 'paused') && (
                    <Button
                      size="small"
                      type="primary"
                      data-testid="journey-start"
                      disabled={busy}
                      onClick={() => void setStatus(j, 'active')}
                    >
                      {j.status === 'draft' ? c.start : c.resume}
                    </Button>
                  )}
                  {j.status === 'active' && (
                    <Button
                      size="small"
                      data-testid="journey-pause"
                      disabled={busy}
                      onClick={() => void setStatus(j, 'paused')}
                    >
                      {c.pause}
                    </Button>
                  )}
                  {j.status !== 'stopped' && (
                    <Popconfirm title={c.stopConfirm} onConfirm={() => void setStatus(j, 'stopped')}>
                      <Button size="small" danger disabled={busy}>
                        {c.stop}
                      </Button>
                    </Popconfirm>
                  )}
                </Space>
              ),
            },
          ]}
          expandable={{
            expandedRowRender: (j) => (
              <ol style={{ margin: 0, paddingLeft: 20, fontSize: 12 }}>
                {j.definition.steps.map((s, i) => (
                  <li key={i}>
                    {s.kind === 'message'
                      ? s.template
                      : s.kind === 'wait'
                        ? `⏱ ${s.hours >= 24 ? `${s.hours / 24} d` : `${s.hours} h`}`
                        : s.kind === 'coupon'
                          ? `🎫 ${s.coupon.amountCents / 100} / ${s.coupon.minSpendCents / 100} · ${s.coupon.validDays} d`
                          : s.kind === 'condition'
                            ? `? ${s.test.kind}`
                            : '■'}
                  </li>
                ))}
              </ol>
            ),
          }}
        />
      </Card>
      {option && (
        <Card title={c.chart} size="small">
          <EChart option={option} height={240} testId="journeys-chart" />
        </Card>
      )}
      <Card title={t.buyerSegments.title} size="small">
        <Segments />
      </Card>
      <Card title={t.crmSettings.title} size="small">
        <CrmSettings />
      </Card>
      <JourneyEditor
        journey={editing ?? null}
        open={editing !== undefined}
        onClose={() => setEditing(undefined)}
        onSaved={() => {
          setEditing(undefined);
          toast.success(t.journeyEditor.saved);
          void load().catch(() => undefined);
        }}
      />
      <Modal
        open={plan !== null}
        width={800}
        footer={null}
        title={plan ? fill(c.dryRunTitle, { name: plan.journey.name }) : ''}
        onCancel={() => setPlan(null)}
      >
        {plan && (
          <div data-testid="journey-plan">
            <Typography.Paragraph>
              {fill(c.dryRunSummary, {
                buyers: plan.result.buyers,
                sends: plan.result.sends.length,
                days: Math.round((plan.result.until - plan.result.from) / 86_400_000),
              })}
              {plan.result.truncated && <> · {fill(c.dryRunTruncated, { n: plan.result.buyers })}</>}
            </Typography.Paragraph>
            <Table
              rowKey={(r) => `${r.buyerId}:${r.step}:${r.at}`}
              size="small"
              dataSource={plan.result.sends}
              locale={{ emptyText: c.noSends }}
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              onRow={() => ({ 'data-testid': 'journey-plan-row' }) as React.HTMLAttributes<HTMLElement>}
              columns={[
                { title: c.when, width: 150, render: (_, r) => new Date(r.at).toLocaleString() },
                { title: c.buyer, width: 110, render: (_, r) => r.buyerNick || r.buyerId.slice(0, 8) },
                { title: c.text, dataIndex: 'text' },
              ]}
            />
          </div>
        )}
      </Modal>
    </Space>
  );
}
