import { Button, Form, Input, InputNumber, Space, Spin, Switch, Typography } from 'antd';
import { api } from '../shared/api';
import { useT, type Dict } from '../shared/i18n';
import type { MetricsSettings as Settings } from '../shared/metrics';
import {
  SaveErrorAlert,
  useLoadedSettings,
  useSaveError,
  useSettingsSave,
  type FieldPath,
} from '../shared/settingsForm';

const HHMM = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
const WEIGHTS = ['conversion', 'responseTime', 'replyRate', 'satisfaction', 'quality'] as const;

/** The form holds the threshold as a percentage (80), the API as a share (0.8). */
type FormValues = Omit<Settings, 'threshold'> & { threshold: number };

const toForm = (s: Settings): FormValues => ({ ...s, threshold: Math.round(s.threshold * 1000) / 10 });

/** A field path in the console's words: "考核权重 · 转化率". */
function fieldLabel(path: FieldPath, t: Dict): string {
  const names: Record<string, string> = {
    windowStart: t.windowStart,
    windowEnd: t.windowEnd,
    replyMinutes: t.replyMinutes,
    threshold: t.threshold,
    attributionDays: t.attributionDays,
    weights: t.weights,
    rawRetentionDays: t.rawRetentionDays,
    holdingLinesCount: t.holdingLinesCount,
  };
  return path
    .map((p, i) =>
      i > 0 && path[0] === 'weights' ? (t.weightNames[String(p)] ?? p) : (names[String(p)] ?? p),
    )
    .join(' · ');
}

/** MET-1 … MET-6 settings: the counted window, the minutes, the threshold, attribution, weights, retention. */
export function MetricsSettings() {
  const { t } = useT();
  const [form] = Form.useForm<FormValues>();
  const [saved, setSaved] = useLoadedSettings(
    form,
    async () => (await api('GET', '/api/admin/metrics/settings')).settings,
    toForm,
  );
  const saveError = useSaveError(form, fieldLabel);
  const { busy, save: put } = useSettingsSave(
    form,
    (settings: Settings) => api('PUT', '/api/admin/metrics/settings', settings),
    saveError,
    setSaved,
  );
  const weights = Form.useWatch('weights', form);
  const total = WEIGHTS.reduce((n, k) => n + (Number(weights?.[k]) || 0), 0);

  if (!saved) return <Spin />;

  const save = () =>
    put((v) => {
      // The server replaces the settings whole: send every field.
      const next: Settings = {
        windowStart: v.windowStart.trim(),
        windowEnd: v.windowEnd.trim(),
        replyMinutes: v.replyMinutes,
        threshold: Math.round(v.threshold * 10) / 1000,
        attributionDays: v.attributionDays,
        weights: {
          conversion: v.weights.conversion,
          responseTime: v.weights.responseTime,
          replyRate: v.weights.replyRate,
          satisfaction: v.weights.satisfaction,
          quality: v.weights.quality,
        },
        rawRetentionDays: v.rawRetentionDays,
        holdingLinesCount: v.holdingLinesCount,
      };
      return next;
    });

  return (
    <Form
      form={form}
      name="metrics-settings"
      layout="vertical"
      style={{ maxWidth: 860 }}
      initialValues={toForm(saved)}
      data-testid="metrics-settings"
    >
      <Space wrap align="start" size="middle">
        <Form.Item
          name="windowStart"
          label={t.windowStart}
          rules={[{ required: true, pattern: HHMM, message: t.timeFormat }]}
        >
          <Input
            placeholder="08:00"
            maxLength={5}
            style={{ width: 110 }}
            data-testid="metrics-window-start"
          />
        </Form.Item>
        <Form.Item
          name="windowEnd"
          label={t.windowEnd}
          rules={[{ required: true, pattern: HHMM, message: t.timeFormat }]}
        >
          <Input placeholder="23:00" maxLength={5} style={{ width: 110 }} data-testid="metrics-window-end" />
        </Form.Item>
      </Space>
      <Typography.Paragraph type="secondary" style={{ marginTop: -16 }}>
        {t.windowHint}
      </Typography.Paragraph>
      <Space wrap align="start" size="middle">
        <Form.Item
          name="replyMinutes"
          label={t.replyMinutes}
          extra={t.replyMinutesHint}
          rules={[{ required: true, type: 'integer', min: 1, max: 60 }]}
          style={{ width: 260 }}
        >
          <InputNumber min={1} max={60} precision={0} suffix={t.minutes} style={{ width: 140 }} />
        </Form.Item>
        <Form.Item
          name="threshold"
          label={t.threshold}
          extra={t.thresholdHint}
          rules={[{ required: true, type: 'number', min: 0, max: 100 }]}
          style={{ width: 260 }}
        >
          <InputNumber
            min={0}
            max={100}
            step={1}
            suffix="%"
            style={{ width: 140 }}
            data-testid="metrics-threshold"
          />
        </Form.Item>
        <Form.Item
          name="attributionDays"
          label={t.attributionDays}
          extra={t.attributionDaysHint}
          rules={[{ required: true, type: 'integer', min: 1, max: 15 }]}
          style={{ width: 260 }}
        >
          <InputNumber min={1} max={15} precision={0} suffix={t.days} style={{ width: 140 }} />
        </Form.Item>
      </Space>

      <Typography.Title level={5}>{t.weights}</Typography.Title>
      <Typography.Paragraph type="secondary">
        {t.weightsHint} {t.weightsTotal} {total}
      </Typography.Paragraph>
      <Space wrap align="start" size="middle">
        {WEIGHTS.map((k) => (
          <Form.Item
            key={k}
            name={['weights', k]}
            label={t.weightNames[k]}
            rules={[{ required: true, type: 'integer', min: 0, max: 100 }]}
          >
            <InputNumber min={0} max={100} precision={0} style={{ width: 110 }} />
          </Form.Item>
        ))}
      </Space>

      <Form.Item
        name="rawRetentionDays"
        label={t.rawRetentionDays}
        extra={t.rawRetentionHint}
        rules={[{ required: true, type: 'integer', min: 0, max: 3650 }]}
      >
        <InputNumber min={0} max={3650} precision={0} suffix={t.days} style={{ width: 160 }} />
      </Form.Item>

      <Form.Item
        name="holdingLinesCount"
        label={t.holdingLinesCount}
        extra={t.holdingLinesHint}
        valuePropName="checked"
      >
        <Switch data-testid="metrics-holding-lines" />
      </Form.Item>

      <SaveErrorAlert error={saveError.error} testId="metrics-settings-error" />
      <Button type="primary" loading={busy} onClick={save} data-testid="metrics-settings-save">
        {t.save}
      </Button>
    </Form>
  );
}
