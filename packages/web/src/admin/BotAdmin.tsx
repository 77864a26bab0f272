import type { BotSettings, BotTestResult, CatalogueIntent, FaqEntry, FaqListing } from '@xiaoer/protocol';
import {
  Alert,
  Button,
  Card,
  Empty,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Select,
  Slider,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
  Upload,
  message as toast,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, shopLink, failureText } from '../shared/api';
import { useT } from '../shared/i18n';
import { ModelSettings } from './ModelSettings';

type TestResult = BotTestResult;

/** An FAQ entry as the console lists it: with the intents it is linked to now (issue #15). */
type ListedEntry = FaqListing;

/** BOT-1 in the console: the bot's switch and threshold, a "test the bot" box, and the FAQ itself. */
export function BotAdmin() {
  const { t, lang } = useT();
  const [settings, setSettings] = useState<BotSettings | null>(null);
  const [entries, setEntries] = useState<ListedEntry[]>([]);
  const [catalogue, setCatalogue] = useState<CatalogueIntent[]>([]);
  const [loading, setLoading] = useState(true);
  const [q, setQ] = useState('');
  const [editing, setEditing] = useState<FaqEntry | 'new' | null>(null);
  const [trial, setTrial] = useState('');
  const [result, setResult] = useState<TestResult | null>(null);
  const [form] = Form.useForm();

  const load = useCallback(() => {
    setLoading(true);
    api('GET', `/api/admin/faq?q=${encodeURIComponent(q)}`)
      .then((r) => setEntries(r.entries))
      .finally(() => setLoading(false));
  }, [q]);
  useEffect(load, [load]);
  useEffect(() => {
    api('GET', '/api/admin/bot').then((r) => setSettings(r.settings));
    api('GET', '/api/admin/faq/intents').then((r) => setCatalogue(r.intents));
  }, []);
  const intentLabel = (id: string) => {
    const i = catalogue.find((x) => x.id === id);
    return i ? (lang === 'en' ? i.labelEn : i.label) : id;
  };

  const saveSettings = async (next: BotSettings) => {
    try {
      const r = await api('PUT', '/api/admin/bot', next);
      setSettings(r.settings);
      toast.success(t.saved);
    } catch (e) {
      toast.error(failureText(e));
    }
  };
  const open = (e: FaqEntry | 'new') => {
    form.resetFields();
    form.setFieldsValue(
      e === 'new'
        ? { similar: [], enabled: true, category: '', intents: [] }
        : { ...e, intents: e.intents ?? [] },
    );
    setEditing(e);
  };
  const decisionText: Record<string, string> = {
    answer: t.botAnswers,
    miss: t.botMisses,
    handoff: t.botHandsOff,
    order_status: t.botOrder,
    pick_order: t.botOrder,
    clarify: t.botClarifies,
    smalltalk: t.botSmallTalk,
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="large">
      {settings && (
        <Card title={t.botSettings} size="small">
          <Space wrap size="large" align="start">
            <span>
              {t.botEnabled}{' '}
              <Switch
                data-testid="bot-enabled"
                checked={settings.enabled}
                onChange={(enabled) => saveSettings({ ...settings, enabled })}
              />
            </span>
            <span style={{ width: 260, display: 'inline-block' }}>
              {t.botThreshold} {settings.answerThreshold.toFixed(2)}
              <Slider
                min={0.2}
                max={0.95}
                step={0.01}
                value={settings.answerThreshold}
                onChange={(v) => setSettings({ ...settings, answerThreshold: v })}
                onChangeComplete={(v) => saveSettings({ ...settings, answerThreshold: v })}
              />
            </span>
            <span>
              {t.botMaxMisses}{' '}
              <InputNumber
                min={1}
                max={10}
                value={settings.maxMisses}
                onChange={(v) => v && saveSettings({ ...settings, maxMisses: v })}
              />
            </span>
            <span>
              {t.botLanguage}{' '}
              <Select
                data-testid="bot-language"
                style={{ width: 120 }}
                value={settings.language ?? 'zh-CN'}
                options={[
                  { value: 'zh-CN', label: '中文' },
                  { value: 'en', label: 'English' },
                ]}
                onChange={(language) => saveSettings({ ...settings, language })}
              />
            </span>
            <span style={{ minWidth: 320 }}>
              {t.synonyms}
              <Input.TextArea
                data-testid="bot-synonyms"
                autoSize={{ minRows: 2, maxRows: 6 }}
                placeholder="发货 发出 寄出"
                defaultValue={(settings.synonyms ?? []).map((g) => g.join(' ')).join('\n')}
                onBlur={(e) =>
                  saveSettings({
                    ...settings,
                    synonyms: e.target.value
                      .split('\n')
                      .map((line) => line.split(/\s+/).filter(Boolean))
                      .filter((g) => g.length >= 2),
                  })
                }
              />
            </span>
            <span style={{ minWidth: 320 }}>
              {t.blockList}
              <Select
                mode="tags"
                style={{ width: '100%' }}
                placeholder="tb100001"
                value={settings.blockedBuyers ?? []}
                onChange={(blockedBuyers: string[]) => saveSettings({ ...settings, blockedBuyers })}
              />
            </span>
            <span style={{ minWidth: 320 }}>
              {t.botHandoffPhrases}
              <Select
                mode="tags"
                style={{ width: '100%' }}
                value={settings.handoffPhrases}
                onChange={(handoffPhrases: string[]) =>
                  handoffPhrases.length && saveSettings({ ...settings, handoffPhrases })
                }
              />
            </span>
          </Space>
        </Card>
      )}
      <ModelSettings />
      <Card title={t.botTest} size="small">
        <Input.Search
          data-testid="bot-test-input"
          placeholder="例如：几天能发货"
          enterButton={t.botTestRun}
          value={trial}
          onChange={(e) => setTrial(e.target.value)}
          onSearch={async (v) =>
            v.trim() && setResult(await api('GET', `/api/admin/faq/test?q=${encodeURIComponent(v)}`))
          }
        />
        {result && (
          <div style={{ marginTop: 12 }} data-testid="bot-test-result">
            {settings && !settings.enabled && (
              <Alert
                type="warning"
                showIcon
                style={{ marginBottom: 8 }}
                message={t.botOffNote}
                data-testid="bot-off-note"
              />
            )}
            <Typography.Text strong>{decisionText[result.decision] ?? result.decision}</Typography.Text>
            <Typography.Text type="secondary">
              {' '}
              ({t.botThreshold} {result.threshold.toFixed(2)})
            </Typography.Text>
            {result.reply.length > 0 && (
              <div style={{ margin: '8px 0' }} data-testid="bot-test-reply">
                <Typography.Text type="secondary">{t.botReply}：</Typography.Text>
                {result.reply.map((line, i) => (
                  <Typography.Paragraph key={i} style={{ whiteSpace: 'pre-wrap', marginBottom: 4 }}>
                    {line}
                  </Typography.Paragraph>
                ))}
              </div>
            )}
            {result.intents.length > 0 && (
              <div style={{ marginBottom: 8 }}>
                <Typography.Text type="secondary">{t.botReadAs}：</Typography.Text>
                {result.intents.slice(0, 3).map((i) => (
                  <Tag key={i.intentId}>
                    {intentLabel(i.intentId)} {i.score.toFixed(2)}
                  </Tag>
                ))}
              </div>
            )}
            {result.matches.length === 0 ? (
              <Empty description={t.botNoMatch} />
            ) : (
              <Table
                size="small"
                rowKey="entryId"
                pagination={false}
                dataSource={result.matches}
                columns={[
                  { title: t.botQuestion, dataIndex: 'question' },
                  { title: t.botMatched, dataIndex: 'matchedQuestion' },
                  {
                    title: t.botScore,
                    dataIndex: 'score',
                    render: (s: number) => (
                      <Tag color={s >= result.threshold ? 'green' : 'default'}>{s.toFixed(3)}</Tag>
                    ),
                  },
                ]}
              />
            )}
          </div>
        )}
      </Card>
      <Card
        title={`FAQ (${entries.length})`}
        size="small"
        extra={
          <Space>
            <Input.Search placeholder={t.botSearch} allowClear onSearch={setQ} style={{ width: 200 }} />
            <Upload
              accept=".json,.csv,.txt,.xlsx"
              showUploadList={false}
              customRequest={async ({ file, onSuccess, onError }) => {
                const f = file as File;
                const isJson = f.name.toLowerCase().endsWith('.json');
                try {
                  // A table (CSV in UTF-8 or GBK, or Excel) goes as its bytes: the server reads
                  // the encoding and the Chinese or English headers (issue #16).
                  const body = await api(
                    'POST',
                    '/api/admin/faq/import',
                    isJson ? JSON.parse(await f.text()) : f,
                  );
                  toast.success(`${t.botImported} ${body.imported}`);
                  load();
                  onSuccess?.(body);
                } catch (e) {
                  toast.error(failureText(e), 8);
                  onError?.(e as Error);
                }
              }}
            >
              <Button>{t.botImport}</Button>
            </Upload>
            <Button href={shopLink('/api/admin/faq/export?format=json')}>JSON</Button>
            <Button href={shopLink('/api/admin/faq/export?format=csv')}>CSV</Button>
            <Button type="primary" onClick={() => open('new')} data-testid="faq-create">
              {t.create}
            </Button>
          </Space>
        }
      >
        <Table
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={entries}
          columns={[
            { title: t.botQuestion, dataIndex: 'question', width: 220 },
            {
              title: t.botSimilar,
              dataIndex: 'similar',
              render: (s: string[]) => s.slice(0, 4).map((x) => <Tag key={x}>{x}</Tag>),
            },
            {
              title: t.botIntents,
              key: 'intents',
              width: 180,
              render: (_: unknown, e: ListedEntry) => (
                <span data-testid="faq-intents">
                  {e.linkedIntents.map((id) => (
                    <Tag key={id} color={e.intents ? 'blue' : 'default'}>
                      {intentLabel(id)}
                    </Tag>
                  ))}
                  {e.intents === null && e.linkedIntents.length > 0 && (
                    <Typography.Text type="secondary">{t.botIntentsAuto}</Typography.Text>
                  )}
                </span>
              ),
            },
            { title: t.botAnswer, dataIndex: 'answer', ellipsis: true },
            { title: t.botCategory, dataIndex: 'category', width: 80 },
            {
              title: t.status,
              dataIndex: 'enabled',
              width: 70,
              render: (v: boolean) => (v ? <Tag color="green">ON</Tag> : <Tag>OFF</Tag>),
            },
            {
              title: '',
              key: 'ops',
              width: 110,
              render: (_: unknown, e: FaqEntry) => (
                <Space>
                  <a onClick={() => open(e)}>{t.edit}</a>
                  <Popconfirm
                    title={`${t.delete}?`}
                    onConfirm={() => api('DELETE', `/api/admin/faq/${e.id}`).then(load)}
                  >
                    <a>{t.delete}</a>
                  </Popconfirm>
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <Modal
        title={editing === 'new' ? t.create : t.edit}
        open={editing !== null}
        onCancel={() => setEditing(null)}
        width={640}
        onOk={async () => {
          const raw = (await form.validateFields().catch(() => undefined)) as
            Omit<FaqEntry, 'id'> | undefined;
          if (!raw) return; // the form shows what is missing (issue #18: never an uncaught error)
          // No intents chosen: matched from the question automatically (null).
          const v = { ...raw, intents: raw.intents && raw.intents.length > 0 ? raw.intents : null };
          try {
            if (editing === 'new') await api('POST', '/api/admin/faq', v);
            else if (editing) await api('PUT', `/api/admin/faq/${editing.id}`, v);
            toast.success(t.saved);
            setEditing(null);
            load();
          } catch (e) {
            if (e instanceof ApiError && e.field)
              form.setFields([{ name: e.field.split('.'), errors: [e.message] }]);
            else toast.error(failureText(e));
          }
        }}
      >
        <Form form={form} layout="vertical">
          <Form.Item name="question" label={t.botQuestion} rules={[{ required: true, max: 200 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="similar" label={t.botSimilar}>
            <Select mode="tags" tokenSeparators={['|', '\n']} />
          </Form.Item>
          <Form.Item
            name="answer"
            label={t.botAnswer}
            rules={[{ required: true, max: 2000 }]}
            extra="{{order.status}} {{order.logistics}} {{shop.serviceHours}}"
          >
            <Input.TextArea autoSize={{ minRows: 3 }} />
          </Form.Item>
          <Form.Item name="intents" label={t.botIntents} extra={t.botIntentsHelp}>
            <Select
              mode="multiple"
              allowClear
              maxCount={5}
              optionFilterProp="label"
              data-testid="faq-intents-select"
              options={catalogue.map((i) => ({
                value: i.id,
                label: `${lang === 'en' ? i.labelEn : i.label} · ${i.id}`,
              }))}
            />
          </Form.Item>
          <Form.Item name="category" label={t.botCategory}>
            <Input maxLength={40} />
          </Form.Item>
          <Form.Item name="enabled" label={t.botEnabled} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
