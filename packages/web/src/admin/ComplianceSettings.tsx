import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { ComplianceSettings as Settings, PackId, ProactiveSettings } from '@xiaoer/protocol';
import {
  Button,
  Card,
  Checkbox,
  Col,
  Form,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Spin,
  Switch,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { api } from '../shared/api';
import { CompliancePanel, HighlightedText, useComplianceCheck } from '../shared/compliance';
import { useT, type Dict } from '../shared/i18n';
import {
  SaveErrorAlert,
  useLoadedSettings,
  useSaveError,
  useSettingsSave,
  type FieldPath,
} from '../shared/settingsForm';
import { AllowListEditor } from './AllowListEditor';
import { MAX_TEXT_LENGTH } from '@xiaoer/protocol/limits';

/** CMP-6 defaults (as the server's): one proactive message a day, three a week, quiet 22:00–08:00. */
const DEFAULT_PROACTIVE: ProactiveSettings = {
  maxPerDay: 1,
  maxPerWeek: 3,
  quietStart: '22:00',
  quietEnd: '08:00',
};
const ALL_PACKS: PackId[] = ['taobao-tmall', 'jd', 'pinduoduo', 'douyin-kuaishou', 'generic'];
const HHMM = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

/** The form's values: the settings with every optional part filled in. */
interface FormValues {
  platforms: PackId[];
  customPhrases: { phrase?: string; verdict?: 'block' | 'warn'; reason?: string }[];
  allowedDomains: string[];
  shopNames: string[];
  guarantees: string[];
  confirmPromises: boolean;
  promiseLeadHours: number;
  proactive: ProactiveSettings;
  allowList: string[];
}

function toForm(s: Settings): FormValues {
  return {
    platforms: [...new Set<PackId>([...s.platforms, 'generic'])],
    customPhrases: s.customPhrases.map((p) => ({ ...p, reason: p.reason ?? '' })),
    allowedDomains: s.allowedDomains,
    shopNames: s.shopNames ?? [],
    guarantees: s.guarantees ?? [],
    confirmPromises: s.confirmPromises ?? false,
    promiseLeadHours: s.promiseLeadHours ?? 4,
    proactive: s.proactive ?? DEFAULT_PROACTIVE,
    allowList: s.allowList ?? [],
  };
}

/** The form item a server field belongs to: list-of-tags fields are one item. */
function formPath(path: FieldPath): FieldPath {
  const [head] = path;
  if (
    head === 'platforms' ||
    head === 'allowedDomains' ||
    head === 'shopNames' ||
    head === 'guarantees' ||
    head === 'allowList'
  )
    return [head];
  return path;
}

/** A field path in the console's words: "自定义禁用语 3 · 短语", "允许的域名 2". */
function fieldLabel(path: FieldPath, t: Dict): string {
  const names: Record<string, string> = {
    platforms: t.platformPacks,
    customPhrases: t.customPhrases,
    allowedDomains: t.allowedDomains,
    shopNames: t.shopNames,
    guarantees: t.guarantees,
    confirmPromises: t.confirmPromises,
    promiseLeadHours: t.promiseChecks.leadHours,
    proactive: t.proactiveSettings,
    allowList: t.allowList,
    phrase: t.customPhrase,
    verdict: t.phraseVerdict,
    reason: t.phraseReason,
    maxPerDay: t.maxPerDay,
    maxPerWeek: t.maxPerWeek,
    quietStart: t.quietStart,
    quietEnd: t.quietEnd,
  };
  const out: string[] = [];
  for (const p of path) {
    if (typeof p === 'number' && out.length > 0) out[out.length - 1] += ` ${p + 1}`;
    else out.push(names[String(p)] ?? String(p));
  }
  return out.join(' · ');
}

/**
 * CMP-1 … CMP-6 in the console: platform packs, the shop's own banned phrases, allow-lists,
 * proactive caps and quiet hours, and a box to test a message against the saved settings.
 */
export function ComplianceSettings() {
  const { t } = useT();
  const [form] = Form.useForm<FormValues>();
  const [packs, setPacks] = useState<PackId[]>(ALL_PACKS);
  const [saved, setSaved] = useLoadedSettings(
    form,
    async () => {
      const r = await api('GET', '/api/admin/compliance');
      setPacks(r.packs.length > 0 ? r.packs : ALL_PACKS);
      return r.settings;
    },
    toForm,
  );
  const saveError = useSaveError(form, fieldLabel, formPath);
  const [epoch, setEpoch] = useState(0);
  const { busy, save: put } = useSettingsSave(
    form,
    (settings: Settings & { allowListWas?: string[] }) => api('PUT', '/api/admin/compliance', settings),
    saveError,
    (s: Settings) => {
      setSaved(s);
      setEpoch((n) => n + 1); // the test box checks again against what is saved now
    },
  );

  if (!saved) return <Spin />;

  const save = () =>
    put((v) => {
      // The server replaces the settings whole: send every field, trimmed.
      const next: Settings = {
        platforms: packs.filter((p) => p === 'generic' || (v.platforms ?? []).includes(p)),
        customPhrases: (v.customPhrases ?? []).map((p) => ({
          phrase: (p.phrase ?? '').trim(),
          verdict: p.verdict ?? 'block',
          ...(p.reason?.trim() ? { reason: p.reason.trim() } : {}),
        })),
        allowedDomains: (v.allowedDomains ?? []).map((d) => d.trim()).filter(Boolean),
        shopNames: (v.shopNames ?? []).map((d) => d.trim()).filter(Boolean),
        guarantees: (v.guarantees ?? []).map((d) => d.trim()).filter(Boolean),
        confirmPromises: v.confirmPromises === true,
        promiseLeadHours: v.promiseLeadHours,
        proactive: {
          maxPerDay: v.proactive.maxPerDay,
          maxPerWeek: v.proactive.maxPerWeek,
          quietStart: v.proactive.quietStart,
          quietEnd: v.proactive.quietEnd,
        },
        allowList: (v.allowList ?? []).map((d) => d.trim()).filter(Boolean),
      };
      // Issue #17: the list this form loaded, so the server applies only this form's edits to
      // the list as it is now, and what a review added meanwhile stays.
      return { ...next, allowListWas: saved.allowList ?? [] };
    });

  const tags = (placeholder?: string) => (
    <Select
      mode="tags"
      suffixIcon={null}
      notFoundContent={null}
      tokenSeparators={[',', '，', ' ']}
      placeholder={placeholder}
      style={{ width: '100%' }}
    />
  );

  return (
    <Row gutter={24} align="top">
      <Col xs={24} xl={15}>
        <Form
          form={form}
          name="compliance"
          layout="vertical"
          initialValues={toForm(saved)}
          data-testid="compliance-settings"
        >
          <Form.Item name="platforms" label={t.platformPacks} extra={t.platformPacksHint}>
            <Checkbox.Group
              data-testid="compliance-packs"
              options={packs.map((p) => ({
                value: p,
                label: t.packLabels[p] ?? p,
                disabled: p === 'generic',
              }))}
            />
          </Form.Item>

          <Typography.Title level={5}>{t.customPhrases}</Typography.Title>
          <Typography.Paragraph type="secondary">{t.customPhrasesHint}</Typography.Paragraph>
          <Form.List name="customPhrases">
            {(fields, { add, remove }) => (
              <div style={{ marginBottom: 24 }}>
                {fields.map((field) => (
                  <Space
                    key={field.key}
                    align="start"
                    // A phone puts the reason under the phrase rather than off the screen's edge.
                    wrap
                    data-testid="compliance-phrase"
                    style={{ display: 'flex', marginBottom: 0 }}
                  >
                    <Form.Item
                      name={[field.name, 'phrase']}
                      aria-label={t.customPhrase}
                      rules={[{ required: true, whitespace: true, max: 50 }]}
                      style={{ width: 220, marginBottom: 12 }}
                    >
                      <Input placeholder={t.customPhrase} aria-label={t.customPhrase} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'verdict']} style={{ width: 110, marginBottom: 12 }}>
                      <Select
                        aria-label={t.phraseVerdict}
                        options={[
                          { value: 'block', label: t.verdictLabels.block },
                          { value: 'warn', label: t.verdictLabels.warn },
                        ]}
                      />
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'reason']}
                      rules={[{ max: 200 }]}
                      style={{ width: 280, marginBottom: 12 }}
                    >
                      <Input placeholder={t.phraseReason} aria-label={t.phraseReason} />
                    </Form.Item>
                    <Button
                      type="text"
                      danger
                      icon={<DeleteOutlined />}
                      aria-label={t.removePhrase}
                      onClick={() => remove(field.name)}
                    />
                  </Space>
                ))}
                <Button
                  type="dashed"
                  icon={<PlusOutlined />}
                  data-testid="compliance-add-phrase"
                  onClick={() => add({ phrase: '', verdict: 'block', reason: '' })}
                >
                  {t.addPhrase}
                </Button>
              </div>
            )}
          </Form.List>

          <Form.Item name="allowedDomains" label={t.allowedDomains} extra={t.allowedDomainsHint}>
            {tags('shop.example.com')}
          </Form.Item>
          <Form.Item name="shopNames" label={t.shopNames} extra={t.shopNamesHint}>
            {tags()}
          </Form.Item>
          <Form.Item name="guarantees" label={t.guarantees} extra={t.guaranteesHint}>
            {tags()}
          </Form.Item>
          <Form.Item
            name="confirmPromises"
            label={t.confirmPromises}
            extra={t.confirmPromisesHint}
            valuePropName="checked"
          >
            <Switch data-testid="compliance-confirm-promises" />
          </Form.Item>
          <Form.Item
            name="promiseLeadHours"
            label={t.promiseChecks.leadHours}
            extra={t.promiseChecks.leadHoursHint}
            rules={[{ required: true, type: 'integer', min: 1, max: 72 }]}
          >
            <InputNumber
              min={1}
              max={72}
              precision={0}
              suffix={t.promiseChecks.hoursUnit}
              style={{ width: 140 }}
              data-testid="compliance-promise-lead"
            />
          </Form.Item>

          <Form.Item name="allowList" label={t.allowList} extra={t.allowListHint}>
            <AllowListEditor />
          </Form.Item>

          <Typography.Title level={5}>{t.proactiveSettings}</Typography.Title>
          <Typography.Paragraph type="secondary">{t.proactiveSettingsHint}</Typography.Paragraph>
          <Space wrap align="start" size="middle">
            <Form.Item
              name={['proactive', 'maxPerDay']}
              label={t.maxPerDay}
              rules={[{ required: true, type: 'integer', min: 0, max: 20 }]}
            >
              <InputNumber min={0} max={20} precision={0} suffix={t.messagesUnit} style={{ width: 140 }} />
            </Form.Item>
            <Form.Item
              name={['proactive', 'maxPerWeek']}
              label={t.maxPerWeek}
              rules={[{ required: true, type: 'integer', min: 0, max: 100 }]}
            >
              <InputNumber min={0} max={100} precision={0} suffix={t.messagesUnit} style={{ width: 140 }} />
            </Form.Item>
            <Form.Item
              name={['proactive', 'quietStart']}
              label={t.quietStart}
              rules={[{ required: true, pattern: HHMM, message: t.timeFormat }]}
            >
              <Input
                placeholder="22:00"
                maxLength={5}
                data-testid="compliance-quiet-start"
                style={{ width: 110 }}
              />
            </Form.Item>
            <Form.Item
              name={['proactive', 'quietEnd']}
              label={t.quietEnd}
              rules={[{ required: true, pattern: HHMM, message: t.timeFormat }]}
            >
              <Input
                placeholder="08:00"
                maxLength={5}
                data-testid="compliance-quiet-end"
                style={{ width: 110 }}
              />
            </Form.Item>
          </Space>

          <SaveErrorAlert error={saveError.error} testId="compliance-error" />
          <div>
            <Button type="primary" loading={busy} onClick={save} data-testid="compliance-save">
              {t.save}
            </Button>
          </div>
        </Form>
      </Col>
      <Col xs={24} xl={9}>
        <ComplianceTester epoch={epoch} />
      </Col>
    </Row>
  );
}

/** Tests a message against the saved settings: verdict, findings, rewrite and promises. */
function ComplianceTester(props: { epoch: number }) {
  const { t } = useT();
  const [text, setText] = useState('');
  const check = useComplianceCheck(text, { epoch: props.epoch });
  const r = check.latest;
  return (
    <Card size="small" title={t.testMessage} style={{ position: 'sticky', top: 16 }}>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t.testMessageHint}
      </Typography.Paragraph>
      <Input.TextArea
        data-testid="compliance-test-input"
        value={text}
        placeholder={t.testPlaceholder}
        autoSize={{ minRows: 3, maxRows: 8 }}
        maxLength={MAX_TEXT_LENGTH}
        onChange={(e) => setText(e.target.value)}
      />
      {r && (
        <div
          data-testid="compliance-test-result"
          data-verdict={r.verdict}
          style={{ marginTop: 12, opacity: check.stale ? 0.6 : 1 }}
        >
          <Space size={8} style={{ marginBottom: 8 }}>
            <Tag color={r.verdict === 'block' ? 'red' : r.verdict === 'warn' ? 'orange' : 'green'}>
              {t.verdictLabels[r.verdict]}
            </Tag>
            {r.ms !== undefined && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t.checkMs} {r.ms} ms
              </Typography.Text>
            )}
          </Space>
          {r.findings.length === 0 ? (
            <Typography.Paragraph type="secondary">{t.noFindings}</Typography.Paragraph>
          ) : (
            <>
              <div style={{ marginBottom: 8 }}>
                <HighlightedText text={text} spans={check.stale ? [] : r.findings.map((f) => f.span)} />
              </div>
              <CompliancePanel result={r} />
            </>
          )}
          {r.suggestion !== undefined && (
            <div style={{ marginTop: 8, fontSize: 12 }}>
              <Typography.Text type="secondary">{t.suggestion}：</Typography.Text>
              <Typography.Text copyable>{r.suggestion}</Typography.Text>
            </div>
          )}
          {r.promises.length > 0 && (
            <div style={{ marginTop: 8, fontSize: 12 }}>
              <Typography.Text type="secondary">{t.detectedPromises}：</Typography.Text>
              {r.promises.map((p, i) => (
                <Tag key={i} style={{ marginTop: 4 }}>
                  {t.promiseKinds[p.kind] ?? p.kind} · {p.detail}
                  {p.dueAt !== undefined ? ` · ${new Date(p.dueAt).toLocaleString()}` : ''}
                </Tag>
              ))}
            </div>
          )}
        </div>
      )}
    </Card>
  );
}
