import {
  JOURNEY_CONDITION_KINDS,
  JOURNEY_STEP_KINDS,
  JOURNEY_TRIGGER_KINDS,
  journeyVariablesFor,
} from '@xiaoer/core/journey-kinds';
import type { JourneyDefinitionDto, JourneyDto } from '@xiaoer/protocol';
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Form, Input, InputNumber, Modal, Select, Space, Switch, Typography } from 'antd';
import { useEffect } from 'react';
import { api } from '../shared/api';
import { useT, type Dict } from '../shared/i18n';
import { SaveErrorAlert, useFormSubmit, useSaveError, type FieldPath } from '../shared/settingsForm';

// The core's lists (a module with no imports: the bundle takes nothing else of the core).
const TRIGGERS = JOURNEY_TRIGGER_KINDS;
const CONDITIONS = JOURNEY_CONDITION_KINDS;
const STEP_KINDS = JOURNEY_STEP_KINDS;

interface StepValues {
  kind: (typeof STEP_KINDS)[number];
  hours?: number;
  test?: { kind: (typeof CONDITIONS)[number]; rank?: number; tag?: string; rating?: number };
  template?: string;
  coupon?: { amountYuan: number; minSpendYuan: number; validDays: number };
}
interface FormValues {
  name: string;
  trigger: { kind: (typeof TRIGGERS)[number]; days?: number; date?: string; holiday?: string };
  audience: {
    tags?: string[];
    minSpendYuan?: number | null;
    orderedWithinDays?: number | null;
    notOrderedForDays?: number | null;
    minTierRank?: number | null;
  };
  steps: StepValues[];
  exitOnOrder: boolean;
  attributionDays: number;
}

const yuanOf = (cents: number) => cents / 100;
const centsOf = (yuan: number) => Math.round(yuan * 100);

function toForm(d: JourneyDefinitionDto): FormValues {
  return {
    name: d.name,
    trigger: { ...d.trigger, kind: d.trigger.kind as FormValues['trigger']['kind'] },
    audience: {
      ...(d.audience.tags ? { tags: d.audience.tags } : {}),
      minSpendYuan: d.audience.minSpendCents !== undefined ? yuanOf(d.audience.minSpendCents) : null,
      orderedWithinDays: d.audience.orderedWithinDays ?? null,
      notOrderedForDays: d.audience.notOrderedForDays ?? null,
      minTierRank: d.audience.minTierRank ?? null,
    },
    steps: d.steps.map((s): StepValues => {
      switch (s.kind) {
        case 'coupon':
          return {
            kind: 'coupon',
            coupon: {
              amountYuan: yuanOf(s.coupon.amountCents),
              minSpendYuan: yuanOf(s.coupon.minSpendCents),
              validDays: s.coupon.validDays,
            },
          };
        case 'condition':
          return { kind: 'condition', test: s.test as StepValues['test'] };
        default:
          return s as StepValues;
      }
    }),
    exitOnOrder: d.exitOnOrder,
    attributionDays: d.attributionDays,
  };
}

function toDefinition(v: FormValues): unknown {
  const audience: Record<string, unknown> = {};
  if (v.audience.tags && v.audience.tags.length > 0) audience.tags = v.audience.tags;
  if (typeof v.audience.minSpendYuan === 'number') audience.minSpendCents = centsOf(v.audience.minSpendYuan);
  for (const k of ['orderedWithinDays', 'notOrderedForDays', 'minTierRank'] as const)
    if (typeof v.audience[k] === 'number') audience[k] = v.audience[k];
  const trigger: Record<string, unknown> = { kind: v.trigger.kind };
  if (v.trigger.kind === 'days_since_last_order') trigger.days = v.trigger.days;
  if (v.trigger.kind === 'date') Object.assign(trigger, { date: v.trigger.date, holiday: v.trigger.holiday });
  return {
    name: v.name,
    trigger,
    audience,
    steps: (v.steps ?? []).map((s) => {
      switch (s.kind) {
        case 'wait':
          return { kind: 'wait', hours: s.hours };
        case 'condition':
          return { kind: 'condition', test: s.test };
        case 'message':
          return { kind: 'message', template: s.template };
        case 'coupon':
          return {
            kind: 'coupon',
            coupon: {
              amountCents: centsOf(s.coupon?.amountYuan ?? 0),
              minSpendCents: centsOf(s.coupon?.minSpendYuan ?? 0),
              validDays: s.coupon?.validDays,
            },
          };
        default:
          return { kind: 'stop' };
      }
    }),
    exitOnOrder: v.exitOnOrder,
    attributionDays: v.attributionDays,
  };
}

/** The server names `steps[2].coupon.amountCents` or `journey.steps[0].template`: the form's item. */
function formItem(path: FieldPath): FieldPath {
  const rest = path[0] === 'journey' ? path.slice(1) : path;
  return rest.map((p) => (p === 'amountCents' ? 'amountYuan' : p === 'minSpendCents' ? 'minSpendYuan' : p));
}

function fieldLabel(path: FieldPath, t: Dict): string {
  const e = t.journeyEditor;
  const item = formItem(path);
  return item
    .map((p) =>
      typeof p === 'number' ? fill1(e.stepN, p + 1) : ((e.fields as Record<string, string>)[p] ?? String(p)),
    )
    .join(' · ');
}
const fill1 = (s: string, n: number) => s.replace('{n}', String(n));

const BLANK: JourneyDefinitionDto = {
  name: '',
  trigger: { kind: 'order_received' },
  audience: {},
  steps: [
    { kind: 'wait', hours: 24 },
    { kind: 'message', template: '' },
  ],
  exitOnOrder: false,
  attributionDays: 7,
};

/**
 * Issue #21: a journey of the shop's own, or a draft from a template, edited whole — its trigger,
 * audience and steps (wait, condition, message, coupon, stop). The server checks it whole on save
 * (CMP-6 caps, unknown variables, the coupon floor, each message's words) and names the field.
 */
export function JourneyEditor(props: {
  /** A draft to edit; null: a new journey. */
  journey: JourneyDto | null;
  open: boolean;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useT();
  const e = t.journeyEditor;
  const c = t.crm;
  const [form] = Form.useForm<FormValues>();
  const saveError = useSaveError(form, fieldLabel, formItem);
  const { busy, submit } = useFormSubmit(form, saveError);
  const trigger = Form.useWatch(['trigger', 'kind'], form) ?? 'order_received';
  const steps = (Form.useWatch('steps', form) ?? []) as StepValues[];

  useEffect(() => {
    if (!props.open) return;
    saveError.clear();
    form.resetFields();
    form.setFieldsValue(toForm(props.journey?.definition ?? BLANK));
    // Once per opening: the journey shown is the one it opened with.
  }, [props.open, props.journey]);

  const save = () =>
    submit(async (v) => {
      const journey = toDefinition(v);
      if (props.journey)
        await api('PUT', `/api/admin/journeys/${encodeURIComponent(props.journey.id)}`, {
          version: props.journey.version,
          journey,
        });
      else await api('POST', '/api/admin/journeys', { journey });
      props.onSaved();
    });

  const vars = journeyVariablesFor(trigger);
  return (
    <Modal
      open={props.open}
      width={820}
      title={props.journey ? e.editTitle : e.newTitle}
      okText={t.save}
      cancelText={t.cancel}
      onCancel={props.onClose}
      onOk={() => void save()}
      okButtonProps={{ loading: busy, ...({ 'data-testid': 'journey-save' } as object) }}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" name="journey" data-testid="journey-editor">
        <Form.Item name="name" label={e.fields.name} rules={[{ required: true, max: 40 }]}>
          <Input maxLength={40} data-testid="journey-name" />
        </Form.Item>
        <Space wrap align="start" style={{ display: 'flex' }}>
          <Form.Item name={['trigger', 'kind']} label={e.fields.trigger}>
            <Select
              style={{ width: 200 }}
              data-testid="journey-trigger"
              options={TRIGGERS.map((k) => ({ value: k, label: c.triggers[k] }))}
            />
          </Form.Item>
          {trigger === 'days_since_last_order' && (
            <Form.Item name={['trigger', 'days']} label={e.fields.days} rules={[{ required: true }]}>
              <InputNumber min={1} max={365} precision={0} style={{ width: 120 }} />
            </Form.Item>
          )}
          {trigger === 'date' && (
            <>
              <Form.Item name={['trigger', 'date']} label={e.fields.date} rules={[{ required: true }]}>
                <Input placeholder="2027-02-06" style={{ width: 140 }} />
              </Form.Item>
              <Form.Item name={['trigger', 'holiday']} label={e.fields.holiday} rules={[{ required: true }]}>
                <Input placeholder="春节" style={{ width: 140 }} />
              </Form.Item>
            </>
          )}
        </Space>
        <Typography.Title level={5} style={{ marginTop: 0 }}>
          {e.audience}
        </Typography.Title>
        <Space wrap align="start" style={{ display: 'flex' }}>
          <Form.Item name={['audience', 'tags']} label={e.fields.tags}>
            <Select mode="tags" style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name={['audience', 'minSpendYuan']} label={e.fields.minSpendCents}>
            <InputNumber min={0} prefix="¥" style={{ width: 120 }} />
          </Form.Item>
          <Form.Item name={['audience', 'orderedWithinDays']} label={e.fields.orderedWithinDays}>
            <InputNumber min={1} max={3650} precision={0} style={{ width: 120 }} />
          </Form.Item>
          <Form.Item name={['audience', 'notOrderedForDays']} label={e.fields.notOrderedForDays}>
            <InputNumber min={1} max={3650} precision={0} style={{ width: 120 }} />
          </Form.Item>
          <Form.Item name={['audience', 'minTierRank']} label={e.fields.minTierRank}>
            <InputNumber min={1} max={10} precision={0} style={{ width: 100 }} />
          </Form.Item>
        </Space>
        <Typography.Title level={5} style={{ marginTop: 0 }}>
          {e.fields.steps}
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '4px 0 8px' }}>
          {e.variables}
          {vars.map((v) => `{${v}}`).join(' ')}
          {e.couponVariables}
        </Typography.Paragraph>
        <Form.List name="steps">
          {(fields, { add, remove, move }) => (
            <>
              {fields.map((field, i) => {
                const kind = steps[i]?.kind;
                const testKind = steps[i]?.test?.kind;
                return (
                  <Card
                    key={field.key}
                    size="small"
                    style={{ marginBottom: 8 }}
                    data-testid="journey-step"
                    title={
                      <Space>
                        <span>{fill1(e.stepN, i + 1)}</span>
                        <Form.Item name={[field.name, 'kind']} noStyle>
                          <Select
                            size="small"
                            style={{ width: 120 }}
                            data-testid="journey-step-kind"
                            options={STEP_KINDS.map((k) => ({ value: k, label: e.kinds[k] }))}
                          />
                        </Form.Item>
                      </Space>
                    }
                    extra={
                      <Space size={2}>
                        <Button
                          size="small"
                          type="text"
                          icon={<ArrowUpOutlined />}
                          disabled={i === 0}
                          onClick={() => move(i, i - 1)}
                          aria-label={e.up}
                        />
                        <Button
                          size="small"
                          type="text"
                          icon={<ArrowDownOutlined />}
                          disabled={i === fields.length - 1}
                          onClick={() => move(i, i + 1)}
                          aria-label={e.down}
                        />
                        <Button
                          size="small"
                          type="text"
                          icon={<DeleteOutlined />}
                          onClick={() => remove(i)}
                          aria-label={e.remove}
                        />
                      </Space>
                    }
                  >
                    {kind === 'wait' && (
                      <Form.Item
                        name={[field.name, 'hours']}
                        label={e.fields.hours}
                        rules={[{ required: true }]}
                      >
                        <InputNumber min={0.5} max={8760} style={{ width: 140 }} suffix={e.hoursUnit} />
                      </Form.Item>
                    )}
                    {kind === 'condition' && (
                      <Space wrap align="start">
                        <Form.Item
                          name={[field.name, 'test', 'kind']}
                          label={e.fields.test}
                          rules={[{ required: true }]}
                        >
                          <Select
                            style={{ width: 220 }}
                            options={CONDITIONS.map((k) => ({ value: k, label: e.conditions[k] }))}
                          />
                        </Form.Item>
                        {testKind === 'tier_at_least' && (
                          <Form.Item
                            name={[field.name, 'test', 'rank']}
                            label={e.fields.rank}
                            rules={[{ required: true }]}
                          >
                            <InputNumber min={1} max={20} precision={0} />
                          </Form.Item>
                        )}
                        {testKind === 'has_tag' && (
                          <Form.Item
                            name={[field.name, 'test', 'tag']}
                            label={e.fields.tag}
                            rules={[{ required: true }]}
                          >
                            <Input maxLength={20} style={{ width: 140 }} />
                          </Form.Item>
                        )}
                        {(testKind === 'rating_at_most' || testKind === 'rating_at_least') && (
                          <Form.Item
                            name={[field.name, 'test', 'rating']}
                            label={e.fields.rating}
                            rules={[{ required: true }]}
                          >
                            <InputNumber min={1} max={5} precision={0} />
                          </Form.Item>
                        )}
                      </Space>
                    )}
                    {kind === 'message' && (
                      <Form.Item
                        name={[field.name, 'template']}
                        label={e.fields.template}
                        rules={[{ required: true }]}
                      >
                        <Input.TextArea
                          autoSize={{ minRows: 2, maxRows: 6 }}
                          maxLength={500}
                          data-testid="journey-step-template"
                        />
                      </Form.Item>
                    )}
                    {kind === 'coupon' && (
                      <Space wrap align="start">
                        <Form.Item
                          name={[field.name, 'coupon', 'amountYuan']}
                          label={e.fields.amountCents}
                          rules={[{ required: true }]}
                        >
                          <InputNumber min={0.01} prefix="¥" style={{ width: 120 }} />
                        </Form.Item>
                        <Form.Item
                          name={[field.name, 'coupon', 'minSpendYuan']}
                          label={e.fields.minSpendCents}
                          rules={[{ required: true }]}
                        >
                          <InputNumber min={0} prefix="¥" style={{ width: 120 }} />
                        </Form.Item>
                        <Form.Item
                          name={[field.name, 'coupon', 'validDays']}
                          label={e.fields.validDays}
                          rules={[{ required: true }]}
                        >
                          <InputNumber min={1} max={366} precision={0} style={{ width: 120 }} />
                        </Form.Item>
                      </Space>
                    )}
                  </Card>
                );
              })}
              {fields.length < 20 && (
                <Button
                  size="small"
                  icon={<PlusOutlined />}
                  data-testid="journey-add-step"
                  onClick={() => add({ kind: 'message', template: '' })}
                  style={{ display: 'block', marginBottom: 16 }}
                >
                  {e.addStep}
                </Button>
              )}
            </>
          )}
        </Form.List>
        <Space wrap align="start" style={{ display: 'flex' }}>
          <Form.Item name="exitOnOrder" label={e.fields.exitOnOrder} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item name="attributionDays" label={e.fields.attributionDays} rules={[{ required: true }]}>
            <InputNumber min={1} max={90} precision={0} style={{ width: 120 }} />
          </Form.Item>
        </Space>
        <SaveErrorAlert error={saveError.error} testId="journey-error" />
      </Form>
    </Modal>
  );
}
