/**
 * Issue #19: after-sales cases in the workbench — the buyer pane's cases (status, holder,
 * countdown, evidence, history, the actions the agent's role allows), 开售后单 from an order, the
 * 售后 list (open / mine, as the server sorts it: urgent, nearest deadline first) and a notice
 * when a deadline nears. Live over the socket; countdowns on the server's clock.
 */
import type { AgentListing as Agent } from '@xiaoer/protocol';
import {
  CASE_BY_LABELS,
  CASE_REASON_LABELS,
  CASE_KIND_LABELS,
  CASE_STATUS_LABELS,
  caseActions,
  clockOffset,
  deadlineLine,
  deadlineNear,
  kindsForOrder,
  waitingStepsText,
  type CaseAction,
  type CaseKind,
} from '@xiaoer/protocol/aftersales-labels';
import {
  Button,
  Card,
  Checkbox,
  Empty,
  Form,
  Image,
  Input,
  InputNumber,
  Modal,
  Segmented,
  Select,
  Space,
  Spin,
  Tag,
  Timeline,
  Typography,
  message as toast,
  notification,
} from 'antd';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { failureText, yuan } from '../shared/api';
import { useT } from '../shared/i18n';
import { useShopApi } from './shopScope';
import type { AftersalesPush, AgentCase } from './useWorkbench';

type Subscribe = (listener: (e: AftersalesPush) => void) => () => void;

/** The alert window when the shop's settings cannot be read (the server's default). */
const DEFAULT_ALERT_HOURS = 6;

/** The server's time now, ticking each second (corrected by the offset of the last answer). */
function useServerNow(offset: number): number {
  const [now, setNow] = useState(() => Date.now() + offset);
  useEffect(() => {
    setNow(Date.now() + offset);
    const timer = setInterval(() => setNow(Date.now() + offset), 1000);
    return () => clearInterval(timer);
  }, [offset]);
  return now;
}

/** The agents of the shop (names for holders and escalation) and the alert window. */
function useDesk(decides: boolean) {
  const api = useShopApi();
  const [agents, setAgents] = useState<Agent[]>([]);
  const [alertHours, setAlertHours] = useState(DEFAULT_ALERT_HOURS);
  useEffect(() => {
    api('GET', '/api/agents')
      .then((r) => setAgents(r.agents))
      .catch(() => undefined);
    if (decides)
      api('GET', '/api/admin/aftersales/settings')
        .then((r) => setAlertHours(r.settings.alertHours))
        .catch(() => undefined);
  }, [api, decides]);
  return { agents, alertHours };
}

/** Cases from GET /api/aftersales, read again on every push and reconnect. */
function useCases(query: string, subscribe: Subscribe, accept: (c: AgentCase) => boolean) {
  const api = useShopApi();
  const [cases, setCases] = useState<AgentCase[] | null>(null);
  const [offset, setOffset] = useState(0);
  const acceptRef = useRef(accept);
  acceptRef.current = accept;
  const load = useCallback(() => {
    api('GET', `/api/aftersales?${query}`)
      .then((r) => {
        setOffset(clockOffset(r.now, Date.now()));
        setCases(r.cases);
      })
      .catch((e: unknown) => toast.error(failureText(e)));
  }, [api, query]);
  useEffect(() => {
    setCases(null);
    load();
    return subscribe((e) => {
      if (e.type === 'reconnected') load();
      else if (e.type === 'changed') {
        if (acceptRef.current(e.case)) load();
        // A case that left this list (finished, handed on) goes at once.
        else setCases((prev) => prev && prev.filter((c) => c.id !== e.case.id));
      }
    });
  }, [load, subscribe]);
  const replace = (c: AgentCase) => setCases((prev) => prev && prev.map((x) => (x.id === c.id ? c : x)));
  return { cases, offset, replace };
}

/** Cases as cards: a spinner while they load, `empty` when there are none. */
function CaseList(props: {
  cases: AgentCase[] | null;
  loading: ReactNode;
  empty: ReactNode;
  now: number;
  desk: ReturnType<typeof useDesk>;
  myId: string;
  decides: boolean;
  onChanged: (c: AgentCase) => void;
  compact?: boolean;
  onOpenConversation?: (conversationId: string) => void;
}) {
  const { cases, onOpenConversation } = props;
  if (cases === null) return <>{props.loading}</>;
  if (cases.length === 0) return <>{props.empty}</>;
  return (
    <>
      {cases.map((c) => (
        <CaseCard
          key={c.id}
          c={c}
          now={props.now}
          alertHours={props.desk.alertHours}
          agents={props.desk.agents}
          myId={props.myId}
          decides={props.decides}
          onChanged={props.onChanged}
          {...(props.compact ? { compact: true } : {})}
          {...(onOpenConversation && c.conversationId
            ? { onOpenConversation: () => onOpenConversation(c.conversationId!) }
            : {})}
        />
      ))}
    </>
  );
}

/** The buyer pane's cases: every case of this buyer, newest first. */
export function BuyerCases(props: { buyerId: string; myId: string; decides: boolean; subscribe: Subscribe }) {
  const { t } = useT();
  const desk = useDesk(props.decides);
  const { cases, offset, replace } = useCases(
    `view=all&buyerId=${encodeURIComponent(props.buyerId)}`,
    props.subscribe,
    (c) => c.buyerId === props.buyerId,
  );
  const now = useServerNow(offset);
  return (
    <div data-testid="buyer-cases" style={{ marginBottom: 16 }}>
      <Typography.Title level={5}>{t.caseDesk.buyerCases}</Typography.Title>
      <CaseList
        cases={cases}
        loading={<Spin size="small" />}
        empty={
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
            {t.caseDesk.noBuyerCases}
          </Typography.Paragraph>
        }
        now={now}
        desk={desk}
        myId={props.myId}
        decides={props.decides}
        onChanged={replace}
      />
    </div>
  );
}

/** 售后: the shop's open cases or mine, in the server's order (urgent, nearest deadline first). */
export function AftersalesPanel(props: {
  myId: string;
  decides: boolean;
  subscribe: Subscribe;
  onOpenConversation: (conversationId: string) => void;
}) {
  const { t } = useT();
  const [view, setView] = useState<'open' | 'mine'>('open');
  const desk = useDesk(props.decides);
  const { cases, offset, replace } = useCases(`view=${view}`, props.subscribe, (c) =>
    view === 'open' ? c.open : c.open && c.holder === props.myId,
  );
  const now = useServerNow(offset);
  return (
    <div data-testid="cases-panel">
      <Segmented
        block
        style={{ margin: '8px 0' }}
        value={view}
        onChange={(v) => setView(v as 'open' | 'mine')}
        options={[
          { value: 'open', label: t.caseDesk.viewOpen },
          { value: 'mine', label: t.caseDesk.viewMine },
        ]}
      />
      <CaseList
        cases={cases}
        loading={<Spin style={{ display: 'block', marginTop: 24 }} />}
        empty={<Empty description={t.caseDesk.none} />}
        now={now}
        desk={desk}
        myId={props.myId}
        decides={props.decides}
        onChanged={replace}
        compact
        onOpenConversation={props.onOpenConversation}
      />
    </div>
  );
}

/** AS-2: a notice when a case's deadline nears (to its holder and the supervisors). */
export function useAftersalesAlerts(subscribe: Subscribe): void {
  const { t, lang } = useT();
  useEffect(
    () =>
      subscribe((e) => {
        if (e.type !== 'alert') return;
        const line = deadlineLine(lang, e.case.deadline ?? { kind: e.kind, at: e.at }, Date.now()) ?? '';
        notification.warning({
          key: `case-${e.case.id}`,
          message: t.caseDesk.alertTitle,
          description: <span data-testid="case-alert">{t.caseDesk.alertBody(e.case.orderId, line)}</span>,
          duration: 0,
        });
      }),
    [subscribe, t, lang],
  );
}

function CaseCard(props: {
  c: AgentCase;
  now: number;
  alertHours: number;
  agents: Agent[];
  myId: string;
  decides: boolean;
  onChanged: (c: AgentCase) => void;
  compact?: boolean;
  onOpenConversation?: () => void;
}) {
  const { t, lang } = useT();
  const { c, now } = props;
  const name = (id: string | null | undefined) =>
    id ? (props.agents.find((a) => a.id === id)?.name ?? id) : t.caseDesk.nobody;
  const line = c.open ? deadlineLine(lang, c.deadline, now) : null;
  const near = c.deadline !== null && deadlineNear(c.deadline.at, now, props.alertHours);
  const waiting = c.workflow?.status === 'running';
  return (
    <Card
      size="small"
      style={{ marginBottom: 8, borderColor: c.urgent ? '#ff4d4f' : undefined }}
      data-testid="case-card"
      data-id={c.id}
      data-status={c.status}
      title={
        <span style={{ fontSize: 12 }}>
          {CASE_KIND_LABELS[lang][c.kind]} · {t.caseDesk.order} {c.orderId}
        </span>
      }
      extra={
        <Space size={4}>
          {c.urgent && <Tag color="red">{t.caseDesk.urgent}</Tag>}
          <Tag color={c.open ? 'orange' : 'default'} data-testid="case-status">
            {CASE_STATUS_LABELS[lang][c.status]}
          </Tag>
        </Space>
      }
    >
      <div style={{ fontSize: 12 }}>
        {line && (
          <div data-testid="case-countdown" data-near={String(near)}>
            <Typography.Text
              type={near ? 'danger' : 'warning'}
              strong={near}
              style={{ fontVariantNumeric: 'tabular-nums', fontSize: 12 }}
            >
              {line}
            </Typography.Text>
          </div>
        )}
        {waiting && (
          <div data-testid="case-waiting" style={{ color: '#1677ff' }}>
            {t.caseDesk.waitingPlatform}：{waitingStepsText(lang, c.workflow!.steps)}
          </div>
        )}
        {c.workflow?.status === 'compensated' && (
          <Typography.Text type="danger" style={{ fontSize: 12 }}>
            {t.caseDesk.stepFailed}
          </Typography.Text>
        )}
        {c.flagged && (
          <div>
            <Typography.Text type="danger" style={{ fontSize: 12 }}>
              {t.caseDesk.flaggedRefund}
            </Typography.Text>
          </div>
        )}
        <div>
          {t.caseDesk.holder}：<span data-testid="case-holder">{name(c.holder)}</span>
        </div>
        <div>
          {t.caseDesk.reason}：{c.reason}
        </div>
        {/* A compensation asks for nothing back: no ¥0.00 line. */}
        {(c.requestedCents > 0 || c.refundedCents > 0) && (
          <div>
            {c.requestedCents > 0 && `${t.caseDesk.requested} ${yuan(c.requestedCents)}`}
            {c.refundedCents > 0 && (
              <span>
                {c.requestedCents > 0 ? ' · ' : ''}
                {t.caseDesk.refunded} {yuan(c.refundedCents)}
              </span>
            )}
          </div>
        )}
        {c.rating !== null && (
          <div>
            {t.caseDesk.rating}：{'★'.repeat(c.rating)}
          </div>
        )}
        {c.claim && (
          <div data-testid="case-claim">
            {t.caseDesk.claimLine(
              c.claim.carrier,
              c.claim.status === 'settled' ? yuan(c.claim.recoveredCents ?? 0) : null,
            )}
          </div>
        )}
        {c.evidence.length > 0 && (
          <div style={{ marginTop: 4 }}>
            <Image.PreviewGroup>
              <Space size={4} wrap>
                {c.evidence.map((e) => (
                  <span key={e.id} data-testid="case-evidence">
                    <Image
                      src={e.url}
                      width={48}
                      height={48}
                      style={{ objectFit: 'cover', borderRadius: 4 }}
                      preview={{ mask: t.zoomImage }}
                    />
                  </span>
                ))}
              </Space>
            </Image.PreviewGroup>
          </div>
        )}
        {!props.compact && c.history.length > 0 && (
          <details style={{ marginTop: 4 }}>
            <summary style={{ cursor: 'pointer', color: '#888' }}>{t.caseDesk.history}</summary>
            <Timeline
              style={{ marginTop: 8, marginBottom: -16 }}
              items={c.history.map((h) => ({
                children: (
                  <span style={{ fontSize: 12 }}>
                    {new Date(h.at).toLocaleString()} · {CASE_STATUS_LABELS[lang][h.status]} ·{' '}
                    {h.agent ? name(h.agent) : (CASE_BY_LABELS[lang][h.by] ?? h.by)}
                    {CASE_REASON_LABELS[lang][h.reason] ? ` · ${CASE_REASON_LABELS[lang][h.reason]}` : ''}
                    {h.note ? `：${h.note}` : ''}
                  </span>
                ),
              }))}
            />
          </details>
        )}
        <CaseActions
          c={c}
          myId={props.myId}
          decides={props.decides}
          agents={props.agents}
          onChanged={props.onChanged}
        />
        {props.onOpenConversation && (
          <Button size="small" type="link" style={{ padding: 0 }} onClick={props.onOpenConversation}>
            {t.caseDesk.open}
          </Button>
        )}
      </div>
    </Card>
  );
}

/** The actions that need a form first. */
const WITH_FORM: readonly CaseAction[] = [
  'reject',
  'refund',
  'compensate',
  'escalate',
  'claim-carrier',
  'claim-settle',
];

function CaseActions(props: {
  c: AgentCase;
  myId: string;
  decides: boolean;
  agents: Agent[];
  onChanged: (c: AgentCase) => void;
}) {
  const { t } = useT();
  const api = useShopApi();
  const [busy, setBusy] = useState<CaseAction | null>(null);
  const [form, setForm] = useState<CaseAction | null>(null);
  const actions = caseActions(props.c, { id: props.myId, decides: props.decides });
  const send = async (type: CaseAction, body: Record<string, unknown> = {}) => {
    setBusy(type);
    try {
      const r = await api('POST', `/api/aftersales/${encodeURIComponent(props.c.id)}/actions`, {
        type,
        ...body,
      });
      props.onChanged(r.case);
      setForm(null);
    } catch (e) {
      toast.error(failureText(e));
    } finally {
      setBusy(null);
    }
  };
  if (actions.length === 0) return null;
  return (
    <>
      <Space size={4} wrap style={{ marginTop: 8 }}>
        {actions.map((a) => (
          <Button
            key={a}
            size="small"
            type={a === 'approve' || a === 'refund' ? 'primary' : 'default'}
            danger={a === 'reject'}
            loading={busy === a}
            disabled={props.c.workflow?.status === 'running' && a !== 'escalate' && a !== 'take'}
            data-testid={`case-action-${a}`}
            onClick={() => (WITH_FORM.includes(a) ? setForm(a) : void send(a))}
          >
            {t.caseDesk.actions[a]}
          </Button>
        ))}
      </Space>
      {form && (
        <ActionForm
          action={form}
          c={props.c}
          agents={props.agents.filter((a) => a.id !== props.c.holder)}
          busy={busy !== null}
          onCancel={() => setForm(null)}
          onSend={(body) => void send(form, body)}
        />
      )}
    </>
  );
}

/** The form of an action: a rejection's reason, a refund's amount, a coupon, an escalation. */
function ActionForm(props: {
  action: CaseAction;
  c: AgentCase;
  agents: Agent[];
  busy: boolean;
  onCancel: () => void;
  onSend: (body: Record<string, unknown>) => void;
}) {
  const { t } = useT();
  const [f] = Form.useForm();
  const [withCoupon, setWithCoupon] = useState(false);
  const cents = (y: unknown) => (typeof y === 'number' ? Math.round(y * 100) : undefined);
  const submit = (v: Record<string, unknown>) => {
    switch (props.action) {
      case 'reject':
        return props.onSend({ reason: v.reason });
      case 'refund':
        return props.onSend(
          v.amount !== undefined && v.amount !== null ? { amountCents: cents(v.amount) } : {},
        );
      case 'escalate':
        return props.onSend({ to: v.to, note: v.note });
      case 'claim-carrier':
        return props.onSend({
          carrier: v.carrier,
          ...(typeof v.trackingNo === 'string' && v.trackingNo.trim()
            ? { trackingNo: v.trackingNo.trim() }
            : {}),
          ...(typeof v.amount === 'number' ? { amountCents: cents(v.amount) } : {}),
          ...(typeof v.note === 'string' && v.note.trim() ? { note: v.note.trim() } : {}),
        });
      case 'claim-settle':
        return props.onSend({ recoveredCents: cents(v.recovered) ?? 0 });
      case 'compensate': {
        const body: Record<string, unknown> = {};
        if (typeof v.amount === 'number') body.amountCents = cents(v.amount);
        if (typeof v.gift === 'string' && v.gift.trim()) body.gift = v.gift.trim();
        if (withCoupon)
          body.coupon = {
            amountCents: cents(v.couponAmount),
            validDays: v.couponDays,
            scope: v.couponScope,
            ...(v.couponScope === 'item' ? { productIds: props.c.productIds } : {}),
          };
        return props.onSend(body);
      }
      default:
        return props.onSend({});
    }
  };
  return (
    <Modal
      open
      title={t.caseDesk.actions[props.action]}
      okText={t.caseDesk.actions[props.action]}
      okButtonProps={{ loading: props.busy, 'data-testid': 'case-action-ok' } as never}
      onOk={() => f.submit()}
      onCancel={props.onCancel}
      destroyOnHidden
    >
      <Form
        form={f}
        layout="vertical"
        onFinish={submit}
        initialValues={{ couponDays: 30, couponScope: 'store' }}
      >
        {props.action === 'reject' && (
          <Form.Item
            name="reason"
            label={t.caseDesk.rejectReason}
            rules={[{ required: true, whitespace: true }]}
          >
            <Input.TextArea rows={3} maxLength={500} />
          </Form.Item>
        )}
        {props.action === 'refund' && (
          <Form.Item name="amount" label={t.caseDesk.refundAmount}>
            <InputNumber min={0.01} precision={2} style={{ width: '100%' }} />
          </Form.Item>
        )}
        {props.action === 'escalate' && (
          <>
            <Form.Item name="to" label={t.caseDesk.escalateTo} rules={[{ required: true }]}>
              <Select options={props.agents.map((a) => ({ value: a.id, label: a.name }))} />
            </Form.Item>
            <Form.Item
              name="note"
              label={t.caseDesk.escalateNote}
              rules={[{ required: true, whitespace: true }]}
            >
              <Input.TextArea rows={3} maxLength={1000} />
            </Form.Item>
          </>
        )}
        {props.action === 'claim-carrier' && (
          <>
            <Form.Item
              name="carrier"
              label={t.caseDesk.claimCarrier}
              rules={[{ required: true, whitespace: true }]}
            >
              <Input maxLength={40} />
            </Form.Item>
            <Form.Item name="trackingNo" label={t.caseDesk.claimTracking}>
              <Input maxLength={64} />
            </Form.Item>
            <Form.Item name="amount" label={t.caseDesk.claimAmount}>
              <InputNumber min={0} precision={2} style={{ width: '100%' }} />
            </Form.Item>
            <Form.Item name="note" label={t.caseDesk.claimNote}>
              <Input.TextArea rows={2} maxLength={500} />
            </Form.Item>
          </>
        )}
        {props.action === 'claim-settle' && (
          <Form.Item name="recovered" label={t.caseDesk.claimRecovered} rules={[{ required: true }]}>
            <InputNumber min={0} precision={2} style={{ width: '100%' }} />
          </Form.Item>
        )}
        {props.action === 'compensate' && (
          <>
            <Form.Item name="amount" label={t.caseDesk.compensateAmount}>
              <InputNumber min={0} precision={2} style={{ width: '100%' }} />
            </Form.Item>
            <Form.Item name="gift" label={t.caseDesk.gift}>
              <Input maxLength={100} />
            </Form.Item>
            <Checkbox checked={withCoupon} onChange={(e) => setWithCoupon(e.target.checked)}>
              {t.caseDesk.withCoupon}
            </Checkbox>
            {withCoupon && (
              <Space style={{ marginTop: 8 }} wrap>
                <Form.Item name="couponAmount" label={t.caseDesk.couponAmount} rules={[{ required: true }]}>
                  <InputNumber min={0.01} precision={2} />
                </Form.Item>
                <Form.Item name="couponDays" label={t.caseDesk.couponDays} rules={[{ required: true }]}>
                  <InputNumber min={1} max={3650} precision={0} />
                </Form.Item>
                <Form.Item name="couponScope" label={t.caseDesk.couponScope}>
                  <Select
                    style={{ width: 120 }}
                    options={[
                      { value: 'store', label: t.caseDesk.scopeStore },
                      { value: 'item', label: t.caseDesk.scopeItem },
                    ]}
                  />
                </Form.Item>
              </Space>
            )}
          </>
        )}
      </Form>
    </Modal>
  );
}

/** 开售后单 from an order in the buyer pane (the conversation it came from goes with it). */
export function OpenCaseButton(props: {
  order: { id: string; status: string; totalCents: number };
  conversationId: string;
}) {
  const { t, lang } = useT();
  const api = useShopApi();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [f] = Form.useForm();
  const kinds = kindsForOrder(props.order.status);
  const submit = async (v: { kind: CaseKind; reason: string; amount?: number | null }) => {
    setBusy(true);
    try {
      await api('POST', '/api/aftersales', {
        orderId: props.order.id,
        kind: v.kind,
        reason: v.reason,
        conversationId: props.conversationId,
        ...(typeof v.amount === 'number' ? { amountCents: Math.round(v.amount * 100) } : {}),
      });
      toast.success(t.caseDesk.done);
      setOpen(false);
      f.resetFields();
    } catch (e) {
      toast.error(failureText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button
        size="small"
        style={{ marginTop: 8, marginLeft: 8 }}
        data-testid="case-open"
        onClick={() => setOpen(true)}
      >
        {t.caseDesk.openCase}
      </Button>
      <Modal
        open={open}
        title={`${t.caseDesk.openTitle} ${props.order.id}`}
        okText={t.caseDesk.openCase}
        okButtonProps={{ loading: busy }}
        onOk={() => f.submit()}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <Form form={f} layout="vertical" onFinish={(v) => void submit(v)} initialValues={{ kind: kinds[0] }}>
          <Form.Item name="kind" label={t.caseDesk.kind} rules={[{ required: true }]}>
            <Select options={kinds.map((k) => ({ value: k, label: CASE_KIND_LABELS[lang][k] }))} />
          </Form.Item>
          <Form.Item
            name="reason"
            label={t.caseDesk.reason}
            rules={[{ required: true, whitespace: true, message: t.caseDesk.reasonRequired }]}
          >
            <Input.TextArea rows={3} maxLength={500} />
          </Form.Item>
          <Form.Item name="amount" label={t.caseDesk.amount} extra={t.caseDesk.amountHint}>
            <InputNumber min={0} max={props.order.totalCents / 100} precision={2} style={{ width: '100%' }} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
