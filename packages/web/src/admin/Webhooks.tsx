import type { WebhookDelivery, WebhookInfo } from '@xiaoer/protocol';
import {
  Button,
  Card,
  Checkbox,
  Drawer,
  Form,
  Grid,
  Input,
  Modal,
  Popconfirm,
  Space,
  Table,
  Tag,
  Typography,
  message as toast,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, failureText } from '../shared/api';
import { useT } from '../shared/i18n';
import { ShownOnce } from './ShownOnce';

/** The events an endpoint may hear (the server's list: GET /api/v1/openapi.json, `webhooks`). */
const EVENTS = [
  'conversation.created',
  'conversation.assigned',
  'conversation.ended',
  'message.created',
  'rating.created',
  'order.created',
  'order.updated',
] as const;

type Delivery = WebhookDelivery;

const when = (iso: string | null) => (iso === null ? '—' : new Date(iso).toLocaleString());
const STATUS_COLOR = { pending: 'gold', delivered: 'green', failed: 'red' } as const;

/** Pretty-prints a delivery's body for reading (the exact body is what was signed). */
function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/**
 * Issue #16: the shop's webhook endpoints in the console — made (the signing secret shown once),
 * tested with a ping, deleted; each endpoint's delivery log, with what the receiver answered and
 * a button to send a delivery again.
 */
export function Webhooks() {
  const { t } = useT();
  const screens = Grid.useBreakpoint();
  const [hooks, setHooks] = useState<WebhookInfo[] | null>(null);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [logOf, setLogOf] = useState<WebhookInfo | null>(null);
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const [form] = Form.useForm<{ url: string; all: boolean; events: string[]; description: string }>();
  const all = Form.useWatch('all', form);

  const load = useCallback(async () => {
    setHooks((await api('GET', '/api/admin/webhooks')).webhooks);
  }, []);
  const loadLog = useCallback(async (hook: WebhookInfo) => {
    setDeliveries(null);
    const r = await api('GET', `/api/admin/webhooks/${hook.id}/deliveries?limit=100`);
    setDeliveries(r.deliveries);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const eventName = (type: string) => t.webhookEventNames[type] ?? type;

  return (
    <>
      <Card
        title={t.webhooks}
        size="small"
        extra={
          <Button
            type="primary"
            data-testid="webhook-create"
            onClick={() => {
              form.setFieldsValue({ url: '', all: true, events: [], description: '' });
              setCreating(true);
            }}
          >
            {t.webhookCreate}
          </Button>
        }
      >
        <Typography.Paragraph type="secondary">{t.webhooksHelp}</Typography.Paragraph>
        <Table<WebhookInfo>
          size="small"
          rowKey="id"
          loading={hooks === null}
          dataSource={hooks ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t.webhookNone }}
          onRow={(h) =>
            ({ 'data-testid': 'webhook-row', 'data-url': h.url }) as React.HTMLAttributes<HTMLElement>
          }
          columns={[
            {
              title: t.webhookUrl,
              dataIndex: 'url',
              render: (url: string, h) => (
                <Space direction="vertical" size={0}>
                  <code style={{ wordBreak: 'break-all' }}>{url}</code>
                  {h.description && <Typography.Text type="secondary">{h.description}</Typography.Text>}
                </Space>
              ),
            },
            {
              title: t.webhookEvents,
              dataIndex: 'events',
              render: (events: string[]) =>
                events.includes('*') ? (
                  <Tag>{t.webhookAllEvents}</Tag>
                ) : (
                  events.map((e) => <Tag key={e}>{eventName(e)}</Tag>)
                ),
            },
            {
              title: t.webhookPending,
              dataIndex: 'pending',
              render: (n: number, h) => (
                <Space size={4}>
                  <Tag color={n > 0 ? 'gold' : undefined} data-testid="webhook-pending">
                    {n}
                  </Tag>
                  {h.failed > 0 && (
                    <Tag color="red">
                      {t.webhookFailed} {h.failed}
                    </Tag>
                  )}
                </Space>
              ),
            },
            {
              title: '',
              render: (_: unknown, h) => (
                <Space wrap>
                  <Button
                    size="small"
                    data-testid="webhook-log"
                    onClick={() => {
                      setLogOf(h);
                      void loadLog(h);
                    }}
                  >
                    {t.webhookLog}
                  </Button>
                  <Button
                    size="small"
                    data-testid="webhook-ping"
                    onClick={async () => {
                      await api('POST', `/api/admin/webhooks/${h.id}/ping`, {});
                      toast.success(t.webhookPinged);
                      await load();
                    }}
                  >
                    {t.webhookPing}
                  </Button>
                  <Popconfirm
                    title={t.webhookDeleteConfirm}
                    onConfirm={async () => {
                      await api('DELETE', `/api/admin/webhooks/${h.id}`);
                      await load();
                    }}
                  >
                    <Button danger size="small" data-testid="webhook-delete">
                      {t.webhookDelete}
                    </Button>
                  </Popconfirm>
                </Space>
              ),
            },
          ]}
        />
      </Card>

      <Modal
        open={creating}
        title={t.webhookCreate}
        okButtonProps={{ 'data-testid': 'webhook-save' }}
        onCancel={() => setCreating(false)}
        onOk={async () => {
          const v = await form.validateFields().catch(() => undefined);
          if (!v) return; // the form shows what is missing (issue #18: never an uncaught error)
          try {
            const r = await api('POST', '/api/admin/webhooks', {
              url: v.url,
              events: v.all ? ['*'] : v.events,
              description: v.description || null,
            });
            setCreating(false);
            setSecret(r.secret);
            await load();
          } catch (e) {
            const field = e instanceof ApiError ? e.field?.split('.')[0] : undefined;
            if (field === 'url' || field === 'events' || field === 'description')
              form.setFields([{ name: field, errors: [failureText(e)] }]);
            else toast.error(failureText(e));
          }
        }}
      >
        <Form form={form} layout="vertical">
          <Form.Item name="url" label={t.webhookUrl} rules={[{ required: true, max: 2000 }]}>
            <Input placeholder="https://erp.example.com/xiaoer-events" data-testid="webhook-url" />
          </Form.Item>
          <Form.Item name="all" valuePropName="checked">
            <Checkbox data-testid="webhook-all">{t.webhookAllEvents}</Checkbox>
          </Form.Item>
          {!all && (
            <Form.Item
              name="events"
              label={t.webhookEvents}
              rules={[{ required: true, type: 'array', min: 1 }]}
            >
              <Checkbox.Group options={EVENTS.map((e) => ({ value: e, label: `${eventName(e)} (${e})` }))} />
            </Form.Item>
          )}
          <Form.Item name="description" label={t.webhookDescription} rules={[{ max: 200 }]}>
            <Input placeholder="ERP" />
          </Form.Item>
        </Form>
      </Modal>

      <ShownOnce
        secret={secret}
        title={t.webhookSecretShownOnce}
        warning={t.webhookSecretHelp}
        testIds={{ secret: 'webhook-secret', done: 'webhook-secret-done' }}
        onClose={() => setSecret(null)}
      />

      <Drawer
        open={logOf !== null}
        title={`${t.webhookLog} · ${logOf?.url ?? ''}`}
        width={screens.md ? 880 : '100%'}
        onClose={() => setLogOf(null)}
        extra={
          <Button size="small" onClick={() => logOf && void loadLog(logOf)} data-testid="webhook-log-refresh">
            {t.refresh}
          </Button>
        }
      >
        <Table<Delivery>
          size="small"
          rowKey="seq"
          loading={deliveries === null}
          dataSource={deliveries ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          onRow={(d) =>
            ({
              'data-testid': 'delivery-row',
              'data-type': d.type,
              'data-status': d.status,
            }) as React.HTMLAttributes<HTMLElement>
          }
          expandable={{
            expandedRowRender: (d) => (
              <Space direction="vertical" style={{ width: '100%' }}>
                <Typography.Text type="secondary">
                  {d.eventId}
                  {d.replayOf !== null ? ` · ${t.deliveryReplay} #${d.replayOf}` : ''}
                </Typography.Text>
                <pre style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', margin: 0, fontSize: 12 }}>
                  {pretty(d.body)}
                </pre>
              </Space>
            ),
          }}
          columns={[
            { title: '#', dataIndex: 'seq' },
            { title: t.deliveryType, dataIndex: 'type', render: (type: string) => eventName(type) },
            {
              title: t.deliveryStatus,
              dataIndex: 'status',
              render: (s: Delivery['status']) => <Tag color={STATUS_COLOR[s]}>{t.deliveryStatuses[s]}</Tag>,
            },
            { title: t.deliveryAttempts, dataIndex: 'attempts' },
            {
              title: t.deliveryLast,
              render: (_: unknown, d) =>
                d.lastAttemptAt === null ? (
                  '—'
                ) : (
                  <Typography.Text
                    type={d.lastError ? 'danger' : undefined}
                    style={{ maxWidth: 260 }}
                    ellipsis
                  >
                    {d.lastError ?? `HTTP ${d.lastStatus}`}
                  </Typography.Text>
                ),
            },
            {
              title: t.deliveryNext,
              dataIndex: 'nextAttemptAt',
              render: when,
            },
            { title: t.deliveryCreated, dataIndex: 'createdAt', render: when },
            {
              title: '',
              render: (_: unknown, d) => (
                <Button
                  size="small"
                  data-testid="delivery-replay"
                  onClick={async () => {
                    if (!logOf) return;
                    await api('POST', `/api/admin/webhooks/${logOf.id}/deliveries/${d.seq}/replay`, {});
                    toast.success(t.deliveryReplayed);
                    await loadLog(logOf);
                  }}
                >
                  {t.deliveryReplay}
                </Button>
              ),
            },
          ]}
        />
      </Drawer>
    </>
  );
}
