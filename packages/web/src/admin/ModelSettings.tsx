import type { ModelSettings as Settings, ModelSettingsView, ModelTestResult } from '@xiaoer/protocol';
import {
  Alert,
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
  message as toast,
} from 'antd';
import { useEffect, useState } from 'react';
import { api, ApiError, failureText } from '../shared/api';
import { useT } from '../shared/i18n';

type Shown = ModelSettingsView;
type TestResult = ModelTestResult;

/**
 * Issue #15: the shop's optional model provider (any OpenAI-compatible endpoint, local or cloud):
 * where it is, which models, what it may do, and a test that calls it.
 */
export function ModelSettings() {
  const { t } = useT();
  const [form] = Form.useForm();
  const [saved, setSaved] = useState<Shown | null>(null);
  const [busy, setBusy] = useState(false);
  const [q, setQ] = useState('');
  const [result, setResult] = useState<TestResult | null>(null);

  useEffect(() => {
    api('GET', '/api/admin/model').then((r) => {
      setSaved(r.settings);
      form.setFieldsValue({ ...r.settings, apiKey: '' });
    });
  }, [form]);

  const save = async () => {
    const v = (await form.validateFields().catch(() => undefined)) as Settings | undefined;
    if (!v) return; // the form shows what is missing (issue #18: never an uncaught error)
    setBusy(true);
    try {
      // An empty key field keeps the saved key.
      const { apiKey, ...rest } = v;
      const r = await api('PUT', '/api/admin/model', apiKey ? v : rest);
      setSaved(r.settings);
      form.setFieldsValue({ apiKey: '' });
      toast.success(t.saved);
    } catch (e) {
      if (e instanceof ApiError && e.field)
        form.setFields([{ name: e.field.split('.'), errors: [e.message] }]);
      else toast.error(failureText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t.modelTitle} size="small" data-testid="model-settings">
      <Typography.Paragraph type="secondary">{t.modelIntro}</Typography.Paragraph>
      <Form form={form} layout="vertical" disabled={!saved}>
        <Space wrap align="start" size="large">
          <Form.Item name="enabled" label={t.modelEnabled} valuePropName="checked">
            <Switch data-testid="model-enabled" />
          </Form.Item>
          <Form.Item
            name="baseUrl"
            label={t.modelBaseUrl}
            extra="http://127.0.0.1:11434/v1"
            style={{ width: 320 }}
          >
            <Input placeholder="https://api.example.com/v1" data-testid="model-base-url" />
          </Form.Item>
          <Form.Item name="apiKey" label={t.modelApiKey} style={{ width: 240 }}>
            <Input.Password placeholder={saved?.hasApiKey ? t.modelKeySaved : ''} autoComplete="off" />
          </Form.Item>
          <Form.Item name="chatModel" label={t.modelChat} style={{ width: 200 }}>
            <Input placeholder="qwen2.5:7b" />
          </Form.Item>
          <Form.Item name="embeddingModel" label={t.modelEmbedding} style={{ width: 200 }}>
            <Input placeholder="bge-m3" />
          </Form.Item>
          <Form.Item
            name="timeoutMs"
            label={t.modelTimeout}
            rules={[{ type: 'integer', min: 500, max: 30000 }]}
          >
            <InputNumber min={500} max={30000} step={500} suffix="ms" style={{ width: 140 }} />
          </Form.Item>
          <Form.Item name="semanticThreshold" label={t.modelThreshold} extra={t.modelThresholdHint}>
            <InputNumber min={0.3} max={0.99} step={0.01} style={{ width: 120 }} />
          </Form.Item>
          {/* What the model may do, each switched on its own. */}
          {(
            [
              { name: 'draftAnswers', label: t.modelDrafts, extra: t.modelDraftsHint },
              { name: 'suggestReplies', label: t.modelSuggest },
              {
                name: 'summarizeTransfers',
                label: t.modelSummaries,
                extra: t.modelSummariesHint,
                testid: 'model-summaries',
              },
              // Issue #17: the warn band of the compliance guard, judged once more before it goes.
              { name: 'judgeCompliance', label: t.modelJudgeCompliance, testid: 'model-judge-compliance' },
            ] as const
          ).map((f) => (
            <Form.Item
              key={f.name}
              name={f.name}
              label={f.label}
              valuePropName="checked"
              extra={'extra' in f ? f.extra : undefined}
            >
              <Switch data-testid={'testid' in f ? f.testid : undefined} />
            </Form.Item>
          ))}
        </Space>
        <Button type="primary" onClick={save} loading={busy} data-testid="model-save">
          {t.save}
        </Button>
      </Form>
      <Input.Search
        style={{ marginTop: 16 }}
        placeholder={t.modelTestPlaceholder}
        enterButton={t.botTestRun}
        value={q}
        onChange={(e) => setQ(e.target.value)}
        onSearch={async (v) => {
          if (!v.trim()) return;
          try {
            setResult(await api('POST', '/api/admin/model/test', { q: v }));
          } catch (e) {
            toast.error(failureText(e));
          }
        }}
      />
      {result && (
        <div style={{ marginTop: 12 }} data-testid="model-test-result">
          {result.embeddings &&
            (result.embeddings.ok ? (
              <Table
                size="small"
                rowKey="entryId"
                pagination={false}
                dataSource={result.embeddings.value}
                title={() => `${t.modelEmbedding} · ${result.embeddings!.ms} ms`}
                columns={[
                  { title: t.botQuestion, dataIndex: 'question' },
                  {
                    title: t.botScore,
                    dataIndex: 'cosine',
                    render: (c: number) => (
                      <Tag color={c >= result.threshold ? 'green' : 'default'}>{c.toFixed(3)}</Tag>
                    ),
                  },
                ]}
              />
            ) : (
              <Alert type="error" showIcon message={`${t.modelEmbedding}: ${result.embeddings.error}`} />
            ))}
          {result.draft && (
            <Alert
              style={{ marginTop: 8 }}
              type={result.draft.ok ? 'info' : 'error'}
              showIcon
              message={`${t.modelChat} · ${result.draft.ms} ms`}
              description={result.draft.ok ? result.draft.value : result.draft.error}
            />
          )}
        </div>
      )}
    </Card>
  );
}
