import { CheckCircleFilled, ReloadOutlined } from '@ant-design/icons';
import type { MessageDto as Message, QualitySample } from '@xiaoer/protocol';
import {
  Button,
  Col,
  Drawer,
  Empty,
  Form,
  Input,
  Rate,
  Row,
  Space,
  Spin,
  Switch,
  Table,
  Tag,
  Typography,
  message as toast,
} from 'antd';
import { useCallback, useEffect, useRef, useState, type HTMLAttributes } from 'react';
import { api, yuan, failureText } from '../shared/api';
import { useT, type Dict } from '../shared/i18n';
import { MAX_MESSAGES_PAGE } from '@xiaoer/protocol/limits';

/** One sampled conversation (GET /api/admin/quality/sample). */
type Sampled = QualitySample;

/** The rubric (MET-7). */
interface Rubric {
  attitude: number;
  accuracy: number;
  compliance: number;
  solved: boolean;
  note?: string;
}

/**
 * MET-7 spot checks: a random sample of a day's conversations per agent (yesterday by default);
 * the supervisor reads each transcript and scores attitude, accuracy, rule compliance and
 * whether it was solved. The scores join the agent table.
 */
export function QualityReview() {
  const { t } = useT();
  const [date, setDate] = useState<string | null>(null);
  const [rows, setRows] = useState<Sampled[]>([]);
  const [loading, setLoading] = useState(true);
  const [open, setOpen] = useState<Sampled | null>(null);
  const latest = useRef(0);

  const load = useCallback(async (wanted: string | null) => {
    const ticket = ++latest.current;
    setLoading(true);
    try {
      const r = await api(
        'GET',
        `/api/admin/quality/sample?${wanted ? `date=${encodeURIComponent(wanted)}` : ''}`,
      );
      if (ticket !== latest.current) return;
      setDate(r.date);
      setRows(r.conversations);
    } catch (e) {
      toast.error(failureText(e));
    } finally {
      if (ticket === latest.current) setLoading(false);
    }
  }, []);
  useEffect(() => {
    void load(null);
  }, [load]);

  // Grouped by agent: each agent's sample together.
  const sorted = [...rows].sort(
    (a, b) => a.agentName.localeCompare(b.agentName) || a.agentId.localeCompare(b.agentId),
  );

  return (
    <div data-testid="quality-review">
      <Typography.Paragraph type="secondary">{t.qualityHint}</Typography.Paragraph>
      <Space style={{ marginBottom: 12 }} wrap>
        <Typography.Text>{t.qualityDate}</Typography.Text>
        <Input
          type="date"
          aria-label={t.qualityDate}
          data-testid="quality-date"
          value={date ?? ''}
          onChange={(e) => {
            if (!/^\d{4}-\d{2}-\d{2}$/.test(e.target.value)) return;
            setDate(e.target.value);
            void load(e.target.value);
          }}
          style={{ width: 160 }}
        />
        <Button icon={<ReloadOutlined />} onClick={() => void load(date)}>
          {t.refresh}
        </Button>
      </Space>
      <Table<Sampled>
        rowKey="conversationId"
        size="small"
        loading={loading}
        dataSource={sorted}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        locale={{ emptyText: t.qualityEmpty }}
        onRow={(r) =>
          ({
            'data-testid': 'quality-row',
            'data-conversation-id': r.conversationId,
            'data-reviewed': r.reviewed ? 'true' : 'false',
          }) as HTMLAttributes<HTMLElement>
        }
        columns={[
          { title: t.agentName, dataIndex: 'agentName', width: 140 },
          { title: t.qualityBuyer, dataIndex: 'buyerNick' },
          { title: t.qualityMessages, dataIndex: 'messages', width: 100 },
          {
            title: t.status,
            dataIndex: 'reviewed',
            width: 120,
            render: (reviewed: boolean) =>
              reviewed ? (
                <Tag color="green" icon={<CheckCircleFilled />}>
                  {t.qualityReviewed}
                </Tag>
              ) : (
                <Tag>{t.qualityPending}</Tag>
              ),
          },
          {
            key: 'open',
            width: 140,
            render: (_, r) => (
              <Button size="small" type={r.reviewed ? 'default' : 'primary'} onClick={() => setOpen(r)}>
                {t.qualityOpen}
              </Button>
            ),
          },
        ]}
      />
      <ReviewDrawer
        sampled={open}
        onClose={() => setOpen(null)}
        onSaved={(id) => {
          setRows((prev) => prev.map((r) => (r.conversationId === id ? { ...r, reviewed: true } : r)));
          setOpen(null);
        }}
      />
    </div>
  );
}

/** The whole transcript, read-only, paged through the existing messages route. */
async function loadTranscript(conversationId: string): Promise<Message[]> {
  const all: Message[] = [];
  let after = 0;
  for (;;) {
    const r = await api(
      'GET',
      `/api/conversations/${conversationId}/messages?after=${after}&limit=${MAX_MESSAGES_PAGE}`,
    );
    all.push(...r.messages);
    if (r.messages.length < MAX_MESSAGES_PAGE) return all;
    after = r.messages[r.messages.length - 1]!.seq;
  }
}

function ReviewDrawer(props: {
  sampled: Sampled | null;
  onClose: () => void;
  onSaved: (id: string) => void;
}) {
  const { t } = useT();
  const [form] = Form.useForm<Rubric>();
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [busy, setBusy] = useState(false);
  const id = props.sampled?.conversationId;

  useEffect(() => {
    setMessages(null);
    form.resetFields();
    if (!id) return;
    let live = true;
    loadTranscript(id)
      .then((m) => live && setMessages(m))
      .catch((e: unknown) => {
        toast.error(failureText(e));
        if (live) setMessages([]);
      });
    return () => {
      live = false;
    };
  }, [id, form]);

  const save = async () => {
    if (!id) return;
    const v = await form.validateFields().catch(() => undefined);
    if (!v) return;
    setBusy(true);
    try {
      await api('POST', '/api/admin/quality/reviews', {
        conversationId: id,
        attitude: v.attitude,
        accuracy: v.accuracy,
        compliance: v.compliance,
        solved: v.solved === true,
        ...(v.note?.trim() ? { note: v.note.trim() } : {}),
      });
      toast.success(t.saved);
      props.onSaved(id);
    } catch (e) {
      toast.error(failureText(e));
    } finally {
      setBusy(false);
    }
  };

  const stars = [{ required: true, message: t.rubricRequired }];
  return (
    <Drawer
      open={props.sampled !== null}
      onClose={props.onClose}
      width={880}
      destroyOnHidden
      title={props.sampled ? `${props.sampled.agentName} · ${props.sampled.buyerNick}` : ''}
      data-testid="quality-drawer"
    >
      <Row gutter={24}>
        <Col span={14}>
          <Typography.Title level={5}>{t.transcript}</Typography.Title>
          <div
            data-testid="quality-transcript"
            style={{
              maxHeight: 'calc(100vh - 160px)',
              overflowY: 'auto',
              background: '#fafafa',
              padding: 12,
            }}
          >
            {messages === null ? (
              <Spin />
            ) : messages.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
            ) : (
              messages.map((m) => <TranscriptLine key={m.seq} m={m} t={t} />)
            )}
          </div>
        </Col>
        <Col span={10}>
          <Typography.Title level={5}>{t.rubric}</Typography.Title>
          <Form form={form} layout="vertical" initialValues={{ solved: true }} name="quality-rubric">
            <Form.Item name="attitude" label={t.attitude} rules={stars}>
              <Rate data-testid="quality-attitude" />
            </Form.Item>
            <Form.Item name="accuracy" label={t.accuracy} rules={stars}>
              <Rate data-testid="quality-accuracy" />
            </Form.Item>
            <Form.Item name="compliance" label={t.complianceScore} rules={stars}>
              <Rate data-testid="quality-compliance" />
            </Form.Item>
            <Form.Item name="solved" label={t.solved} valuePropName="checked">
              <Switch data-testid="quality-solved" />
            </Form.Item>
            <Form.Item name="note" label={t.note} rules={[{ max: 500 }]}>
              <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={500} showCount />
            </Form.Item>
            <Button type="primary" loading={busy} onClick={save} data-testid="quality-save">
              {t.save}
            </Button>
          </Form>
        </Col>
      </Row>
    </Drawer>
  );
}

/** One message as a line of the transcript: who, when, what. */
function TranscriptLine({ m, t }: { m: Message; t: Dict }) {
  const who =
    m.sender === 'buyer'
      ? t.buyer
      : m.sender === 'bot'
        ? t.bot
        : m.sender === 'agent'
          ? t.agentName
          : t.system;
  let what: string;
  if (m.kind === 'text' || m.kind === 'system') what = (m.body as { text: string }).text;
  else if (m.kind === 'image') what = `[${t.image}]`;
  else if (m.kind === 'order_card')
    what = `[${t.orderStatus[m.body.status] ?? m.body.status}] ${m.body.orderId}`;
  else if (m.kind === 'product_card') what = `[${m.body.title}] ${yuan(m.body.priceCents)}`;
  else what = '…';
  return (
    <div data-testid="quality-message" data-sender={m.sender} style={{ margin: '6px 0' }}>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {new Date(m.createdAt).toLocaleTimeString()} · {who}
      </Typography.Text>
      <div
        style={{
          whiteSpace: 'pre-wrap',
          wordBreak: 'break-word',
          color:
            m.sender === 'agent' || m.sender === 'bot'
              ? '#ad4e00'
              : m.sender === 'system'
                ? '#999'
                : undefined,
        }}
      >
        {m.kind === 'image' ? (
          <img src={(m.body as { url: string }).url} alt="" style={{ maxWidth: 200, maxHeight: 160 }} />
        ) : (
          what
        )}
      </div>
    </div>
  );
}
