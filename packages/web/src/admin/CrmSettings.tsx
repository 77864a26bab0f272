import type { CrmSettingsDto } from '@xiaoer/protocol';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Form, Input, InputNumber, Space, Spin, Typography } from 'antd';
import type { ReactNode } from 'react';
import { api } from '../shared/api';
import { useT, type Dict } from '../shared/i18n';
import {
  SaveErrorAlert,
  useLoadedSettings,
  useSaveError,
  useSettingsSave,
  type FieldPath,
} from '../shared/settingsForm';

/** The form holds money in yuan and the carriers as rows; the API cents and a map. */
interface FormValues {
  tiers: { name: string; minSpendYuan: number; minOrders: number; discountPercent: number }[];
  defaultGapHours: number;
  carriers: { name: string; hours: number }[];
}

const toForm = (s: CrmSettingsDto): FormValues => ({
  tiers: s.loyalty.tiers.map((t) => ({
    name: t.name,
    minSpendYuan: t.minSpendCents / 100,
    minOrders: t.minOrders,
    discountPercent: t.discountPercent,
  })),
  defaultGapHours: s.logistics.defaultGapHours,
  carriers: Object.entries(s.logistics.carrierGapHours).map(([name, hours]) => ({ name, hours })),
});

/** The server names `loyalty.tiers[1].minSpendCents` or `logistics.defaultGapHours`: the form's item. */
function formItem(path: FieldPath): FieldPath {
  const rest = path[0] === 'loyalty' || path[0] === 'logistics' ? path.slice(1) : path;
  return rest.map((p) => (p === 'minSpendCents' ? 'minSpendYuan' : p));
}

function fieldLabel(path: FieldPath, t: Dict): string {
  const c = t.crmSettings;
  const item = formItem(path);
  const names: Record<string, string> = {
    tiers: c.tiers,
    name: c.tierName,
    minSpendYuan: c.minSpend,
    minOrders: c.minOrders,
    discountPercent: c.discount,
    defaultGapHours: c.defaultGap,
    carrierGapHours: c.carriers,
  };
  return item.map((p) => (typeof p === 'number' ? `#${p + 1}` : (names[p] ?? p))).join(' · ');
}

/** A row's remove icon, level with its inputs (the first row's sit under their labels). */
function RemoveRow(props: { first: boolean; label: string; onRemove: () => void }) {
  return (
    <MinusCircleOutlined
      aria-label={props.label}
      style={{ marginTop: props.first ? 38 : 8, color: '#8c8c8c' }}
      onClick={props.onRemove}
    />
  );
}

/** The button under a list of rows that adds one. */
function AddRow(props: { onAdd: () => void; children: ReactNode }) {
  return (
    <Button
      size="small"
      icon={<PlusOutlined />}
      onClick={props.onAdd}
      style={{ display: 'block', marginBottom: 24 }}
    >
      {props.children}
    </Button>
  );
}

/**
 * CRM-6 and CRM-3 settings: the shop's loyalty ladder (tiers by spend or orders, each with its
 * discount — shown in the buyer's profile, tested by journeys) and how long each carrier may go
 * without a scan before the logistics watch flags a parcel.
 */
export function CrmSettings() {
  const { t } = useT();
  const c = t.crmSettings;
  const [form] = Form.useForm<FormValues>();
  const [saved, setSaved] = useLoadedSettings(
    form,
    async () => (await api('GET', '/api/admin/crm/settings')).settings,
    toForm,
  );
  const saveError = useSaveError(form, fieldLabel, formItem);
  const { busy, save: put } = useSettingsSave(
    form,
    (settings: { loyalty: CrmSettingsDto['loyalty']; logistics: CrmSettingsDto['logistics'] }) =>
      api('PUT', '/api/admin/crm/settings', settings),
    saveError,
    setSaved,
  );
  if (!saved) return <Spin />;

  const save = () =>
    put((v) => ({
      loyalty: {
        tiers: v.tiers.map((x) => ({
          name: x.name.trim(),
          minSpendCents: Math.round(x.minSpendYuan * 100),
          minOrders: x.minOrders,
          discountPercent: x.discountPercent,
        })),
      },
      logistics: {
        defaultGapHours: v.defaultGapHours,
        carrierGapHours: Object.fromEntries(v.carriers.map((x) => [x.name.trim(), x.hours])),
      },
    }));

  return (
    <Form
      form={form}
      name="crm-settings"
      layout="vertical"
      style={{ maxWidth: 860 }}
      initialValues={toForm(saved)}
      data-testid="crm-settings"
    >
      <Typography.Title level={5}>{c.tiers}</Typography.Title>
      <Typography.Paragraph type="secondary">{c.tiersHint}</Typography.Paragraph>
      <Form.List name="tiers">
        {(fields, { add, remove }) => (
          <>
            {fields.map((field, i) => (
              <Space key={field.key} wrap align="start" data-testid="crm-tier" style={{ display: 'flex' }}>
                <Form.Item
                  name={[field.name, 'name']}
                  label={i === 0 ? c.tierName : undefined}
                  rules={[{ required: true, max: 20 }]}
                >
                  <Input style={{ width: 130 }} maxLength={20} />
                </Form.Item>
                <Form.Item
                  name={[field.name, 'minSpendYuan']}
                  label={i === 0 ? c.minSpend : undefined}
                  rules={[{ required: true, type: 'number', min: 0 }]}
                >
                  <InputNumber min={0} precision={2} prefix="¥" style={{ width: 140 }} />
                </Form.Item>
                <Form.Item
                  name={[field.name, 'minOrders']}
                  label={i === 0 ? c.minOrders : undefined}
                  rules={[{ required: true, type: 'integer', min: 0 }]}
                >
                  <InputNumber min={0} precision={0} style={{ width: 110 }} />
                </Form.Item>
                <Form.Item
                  name={[field.name, 'discountPercent']}
                  label={i === 0 ? c.discount : undefined}
                  rules={[{ required: true, type: 'integer', min: 0, max: 50 }]}
                >
                  <InputNumber min={0} max={50} precision={0} suffix="%" style={{ width: 100 }} />
                </Form.Item>
                <RemoveRow first={i === 0} label={c.remove} onRemove={() => remove(field.name)} />
              </Space>
            ))}
            {fields.length < 10 && <AddRow onAdd={() => add()}>{c.addTier}</AddRow>}
          </>
        )}
      </Form.List>

      <Typography.Title level={5}>{c.watch}</Typography.Title>
      <Typography.Paragraph type="secondary">{c.watchHint}</Typography.Paragraph>
      <Form.Item
        name="defaultGapHours"
        label={c.defaultGap}
        rules={[{ required: true, type: 'integer', min: 1, max: 720 }]}
      >
        <InputNumber min={1} max={720} precision={0} suffix={c.hours} style={{ width: 140 }} />
      </Form.Item>
      <Form.List name="carriers">
        {(fields, { add, remove }) => (
          <>
            {fields.map((field, i) => (
              <Space key={field.key} wrap align="start" data-testid="crm-carrier" style={{ display: 'flex' }}>
                <Form.Item
                  name={[field.name, 'name']}
                  label={i === 0 ? c.carrier : undefined}
                  rules={[{ required: true, max: 20 }]}
                >
                  <Input style={{ width: 130 }} maxLength={20} />
                </Form.Item>
                <Form.Item
                  name={[field.name, 'hours']}
                  label={i === 0 ? c.gap : undefined}
                  rules={[{ required: true, type: 'integer', min: 1, max: 720 }]}
                >
                  <InputNumber min={1} max={720} precision={0} suffix={c.hours} style={{ width: 140 }} />
                </Form.Item>
                <RemoveRow first={i === 0} label={c.remove} onRemove={() => remove(field.name)} />
              </Space>
            ))}
            {fields.length < 50 && <AddRow onAdd={() => add()}>{c.addCarrier}</AddRow>}
          </>
        )}
      </Form.List>
      <SaveErrorAlert error={saveError.error} testId="crm-settings-error" />
      <Button type="primary" loading={busy} onClick={() => void save()} data-testid="crm-settings-save">
        {t.save}
      </Button>
    </Form>
  );
}
