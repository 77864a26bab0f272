import type { Agent } from '@xiaoer/core';
import { Button, Form, Input, InputNumber, Modal, Select, Switch, Table, Tag, message as toast } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from '../shared/api';
import { useT } from '../shared/i18n';

const ROLES = ['admin', 'cs_admin', 'operator', 'agent', 'outsourced'] as const;

/** The shop's agents: create, change role, cap (1–500) and routing. */
export function AgentsTable() {
  const { t } = useT();
  const [agents, setAgents] = useState<Agent[]>([]);
  const [loading, setLoading] = useState(true);
  const [editing, setEditing] = useState<Agent | 'new' | null>(null);
  const [form] = Form.useForm();
  const load = useCallback(() => {
    api<{ agents: Agent[] }>('GET', '/api/admin/agents')
      .then((r) => setAgents(r.agents))
      .finally(() => setLoading(false));
  }, []);
  useEffect(load, [load]);
  const open = (a: Agent | 'new') => {
    form.resetFields();
    if (a !== 'new') form.setFieldsValue(a);
    else form.setFieldsValue({ role: 'agent', maxConcurrent: 10, takesRouting: true });
    setEditing(a);
  };
  const color = { online: 'green', hung_up: 'orange', offline: 'default' } as const;
  return (
    <>
      <Button
        type="primary"
        style={{ marginBottom: 12 }}
        onClick={() => open('new')}
        data-testid="agent-create"
      >
        {t.create}
      </Button>
      <Table
        rowKey="id"
        loading={loading}
        dataSource={agents}
        pagination={false}
        columns={[
          { title: t.name, dataIndex: 'name' },
          { title: t.email, dataIndex: 'email' },
          { title: t.role, dataIndex: 'role', render: (r: string) => t.roles[r] ?? r },
          {
            title: t.status,
            dataIndex: 'status',
            render: (s: Agent['status']) => <Tag color={color[s]}>{t[s]}</Tag>,
          },
          { title: t.cap, dataIndex: 'maxConcurrent' },
          { title: t.takesRouting, dataIndex: 'takesRouting', render: (v: boolean) => (v ? '✓' : '—') },
          {
            title: '',
            key: 'edit',
            render: (_: unknown, a: Agent) => <a onClick={() => open(a)}>{t.edit}</a>,
          },
        ]}
      />
      <Modal
        title={editing === 'new' ? t.create : t.edit}
        open={editing !== null}
        onCancel={() => setEditing(null)}
        onOk={async () => {
          const v = (await form.validateFields()) as Record<string, unknown>;
          if (!v.password) delete v.password;
          try {
            if (editing === 'new') await api('POST', '/api/admin/agents', v);
            else if (editing) {
              const { email: _email, ...patch } = v;
              if (editing.role === 'owner') delete patch.role;
              await api('PATCH', `/api/admin/agents/${editing.id}`, patch);
            }
            toast.success(t.saved);
            setEditing(null);
            load();
          } catch (e) {
            if (e instanceof ApiError && e.field) form.setFields([{ name: e.field, errors: [e.message] }]);
            else toast.error((e as Error).message);
          }
        }}
      >
        <Form form={form} layout="vertical">
          <Form.Item name="email" label={t.email} rules={[{ required: editing === 'new', type: 'email' }]}>
            <Input disabled={editing !== 'new'} />
          </Form.Item>
          <Form.Item name="name" label={t.name} rules={[{ required: true, max: 40 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="password" label={t.password} rules={[{ required: editing === 'new', min: 8 }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          {!(editing !== 'new' && editing?.role === 'owner') && (
            <Form.Item name="role" label={t.role}>
              <Select options={ROLES.map((r) => ({ value: r, label: t.roles[r] }))} />
            </Form.Item>
          )}
          <Form.Item
            name="maxConcurrent"
            label={t.cap}
            rules={[{ required: true, type: 'integer', min: 1, max: 500 }]}
          >
            <InputNumber min={1} max={500} />
          </Form.Item>
          <Form.Item name="takesRouting" label={t.takesRouting} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
