import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { AgentDto as Agent, RouteStatus, RoutingSettings as Settings } from '@xiaoer/protocol';
import { Button, Card, Form, Input, InputNumber, Radio, Select, Space, Spin, Switch, Typography } from 'antd';
import { useState } from 'react';
import { api } from '../shared/api';
import { useT, type Dict } from '../shared/i18n';
import {
  SaveErrorAlert,
  useLoadedSettings,
  useSaveError,
  useSettingsSave,
  type FieldPath,
} from '../shared/settingsForm';

const STATUSES: readonly RouteStatus[] = ['none', 'unpaid', 'paid', 'shipped', 'completed', 'after-sales'];

/** A field path in the console's words: "分组 2 · 绑定订单状态". */
function fieldLabel(path: FieldPath, t: Dict): string {
  const names: Record<string, string> = {
    mode: t.routingMode,
    groups: t.groups,
    offlineRouting: t.offlineRouting,
    lingerMinutes: t.lingerMinutes,
    returningBuyerHours: t.returningBuyerHours,
    newCustomerPriority: t.newCustomerPriority,
    priorityTierRank: t.priorityTier,
    id: t.groupId,
    name: t.groupName,
    statuses: t.groupStatuses,
    agentIds: t.groupAgents,
  };
  const [head, index, leaf] = path;
  if (head === 'groups' && typeof index === 'number')
    return `${t.group} ${index + 1}${leaf !== undefined ? ` · ${names[String(leaf)] ?? leaf}` : ''}`;
  return path.map((p) => names[String(p)] ?? String(p)).join(' · ');
}

/** A free group id: group-1, group-2, … */
function nextGroupId(groups: { id?: string }[]): string {
  const taken = new Set(groups.map((g) => g?.id));
  let n = groups.length + 1;
  while (taken.has(`group-${n}`)) n++;
  return `group-${n}`;
}

/** RT-1 … RT-9 in the console: mode, groups bound to order statuses, offline list, linger, windows. */
export function RoutingSettings() {
  const { t } = useT();
  const [form] = Form.useForm<Settings>();
  const [agents, setAgents] = useState<Agent[]>([]);
  const [tiers, setTiers] = useState<string[]>([]);
  const [saved, setSaved] = useLoadedSettings(
    form,
    async () => {
      const [r, a, crm] = await Promise.all([
        api('GET', '/api/admin/routing'),
        api('GET', '/api/admin/agents'),
        api('GET', '/api/admin/crm/settings'),
      ]);
      setAgents(a.agents);
      setTiers(crm.settings.loyalty.tiers.map((x) => x.name));
      return r.settings;
    },
    (s) => s,
  );
  const saveError = useSaveError(form, fieldLabel);
  const { busy, save: put } = useSettingsSave(
    form,
    (settings: Settings) => api('PUT', '/api/admin/routing', settings),
    saveError,
    setSaved,
  );
  const groups = (Form.useWatch('groups', form) ?? []) as Partial<Settings['groups'][number]>[];
  const mode = Form.useWatch('mode', form);

  if (!saved) return <Spin />;
  const savedIds = new Set(saved.groups.map((g) => g.id));
  const agentOptions = agents.map((a) => ({
    value: a.id,
    label: a.takesRouting ? a.name : `${a.name}（${t.notRouting}）`,
  }));

  const save = () =>
    put((v) => {
      // The server replaces the settings whole: send every field, trimmed.
      const next: Settings = {
        mode: v.mode,
        groups: (v.groups ?? []).map((g) => ({
          id: g.id.trim(),
          name: g.name.trim(),
          statuses: g.statuses ?? [],
          agentIds: g.agentIds ?? [],
        })),
        offlineRouting: v.offlineRouting ?? [],
        lingerMinutes: v.lingerMinutes,
        returningBuyerHours: v.returningBuyerHours,
        newCustomerPriority: v.newCustomerPriority,
        priorityTierRank: v.priorityTierRank ?? 0,
        offlineChats: v.offlineChats ?? saved.offlineChats ?? 'keep',
      };
      return next;
    });

  return (
    <Form
      form={form}
      name="routing"
      layout="vertical"
      style={{ maxWidth: 860 }}
      initialValues={saved}
      data-testid="routing-settings"
    >
      <Form.Item
        name="mode"
        label={t.routingMode}
        extra={mode === 'group' ? t.modeGroupHint : t.modeBasicHint}
      >
        <Radio.Group data-testid="routing-mode">
          <Radio.Button value="basic">{t.modeBasic}</Radio.Button>
          <Radio.Button value="group">{t.modeGroup}</Radio.Button>
        </Radio.Group>
      </Form.Item>

      <Typography.Title level={5}>{t.groups}</Typography.Title>
      <Typography.Paragraph type="secondary">{t.groupsHint}</Typography.Paragraph>
      <Form.List name="groups">
        {(fields, { add, remove }) => (
          <Space direction="vertical" style={{ width: '100%', marginBottom: 24 }}>
            {fields.map((field) => {
              const id = groups[field.name]?.id;
              // RT-3: a status binds to one group at most; show where the others already went.
              const boundElsewhere = new Map<string, string>();
              groups.forEach((g, i) => {
                if (i !== field.name)
                  for (const s of g?.statuses ?? []) boundElsewhere.set(s, g?.name || g?.id || '');
              });
              return (
                <Card
                  key={field.key}
                  size="small"
                  data-testid="routing-group"
                  title={`${t.group} ${field.name + 1}`}
                  extra={
                    <Button
                      type="text"
                      danger
                      icon={<DeleteOutlined />}
                      aria-label={t.removeGroup}
                      onClick={() => remove(field.name)}
                    />
                  }
                >
                  <Space wrap align="start" size="middle">
                    <Form.Item
                      name={[field.name, 'name']}
                      label={t.groupName}
                      rules={[{ required: true, whitespace: true, max: 40 }]}
                      style={{ width: 180 }}
                    >
                      <Input placeholder="售后组" />
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'id']}
                      label={t.groupId}
                      tooltip={t.groupIdHint}
                      rules={[
                        { required: true },
                        { pattern: /^[A-Za-z0-9_-]{1,40}$/, message: t.groupIdHint },
                      ]}
                      style={{ width: 150 }}
                    >
                      <Input disabled={id !== undefined && savedIds.has(id)} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'statuses']} label={t.groupStatuses} style={{ width: 260 }}>
                      <Select
                        mode="multiple"
                        allowClear
                        options={STATUSES.map((s) => ({
                          value: s,
                          disabled: boundElsewhere.has(s),
                          label: boundElsewhere.has(s)
                            ? `${t.routeStatus[s]}（${t.boundElsewhere} ${boundElsewhere.get(s)}）`
                            : t.routeStatus[s],
                        }))}
                      />
                    </Form.Item>
                    <Form.Item name={[field.name, 'agentIds']} label={t.groupAgents} style={{ width: 260 }}>
                      <Select mode="multiple" allowClear optionFilterProp="label" options={agentOptions} />
                    </Form.Item>
                  </Space>
                </Card>
              );
            })}
            <Button
              type="dashed"
              icon={<PlusOutlined />}
              data-testid="routing-add-group"
              onClick={() => add({ id: nextGroupId(groups), name: '', statuses: [], agentIds: [] })}
            >
              {t.addGroup}
            </Button>
          </Space>
        )}
      </Form.List>

      <Form.Item name="offlineRouting" label={t.offlineRouting} extra={t.offlineRoutingHint}>
        <Select mode="multiple" allowClear optionFilterProp="label" options={agentOptions} />
      </Form.Item>
      <Form.Item
        name="lingerMinutes"
        label={t.lingerMinutes}
        extra={t.lingerHint}
        rules={[{ required: true, type: 'integer', min: 0, max: 60 }]}
      >
        <InputNumber min={0} max={60} precision={0} suffix={t.minutes} style={{ width: 140 }} />
      </Form.Item>
      <Form.Item
        name="returningBuyerHours"
        label={t.returningBuyerHours}
        extra={t.returningBuyerHint}
        rules={[{ required: true, type: 'integer', min: 0, max: 720 }]}
      >
        <InputNumber min={0} max={720} precision={0} suffix={t.hours} style={{ width: 140 }} />
      </Form.Item>
      <Form.Item
        name="newCustomerPriority"
        label={t.newCustomerPriority}
        extra={t.newCustomerPriorityHint}
        valuePropName="checked"
      >
        <Switch data-testid="routing-new-customer-priority" />
      </Form.Item>
      <Form.Item name="priorityTierRank" label={t.priorityTier} extra={t.priorityTierHint}>
        <Select
          data-testid="routing-priority-tier"
          style={{ width: 220 }}
          options={[
            { value: 0, label: t.priorityTierOff },
            ...tiers.map((name, i) => ({ value: i + 1, label: t.priorityTierFrom.replace('{name}', name) })),
          ]}
        />
      </Form.Item>
      <SaveErrorAlert error={saveError.error} testId="routing-error" />
      <Button type="primary" loading={busy} onClick={save} data-testid="routing-save">
        {t.save}
      </Button>
    </Form>
  );
}
