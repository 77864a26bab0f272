import type { ApiKeyInfo } from '@xiaoer/protocol';
import {
  Button,
  Card,
  Checkbox,
  Form,
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

const when = (ms: number | null) => (ms === null ? '—' : new Date(ms).toLocaleString());

/**
 * Issue #16: the shop's keys for the v1 API (its platform connector, ERP, order tools): made here
 * (the key shown this once), listed by name and first characters, revoked at once.
 */
export function ApiKeys() {
  const { t } = useT();
  const [keys, setKeys] = useState<ApiKeyInfo[] | null>(null);
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<string | null>(null);
  const [form] = Form.useForm<{ name: string; scopes: ('read' | 'write')[] }>();
  const load = useCallback(async () => {
    setKeys((await api('GET', '/api/admin/api-keys')).keys);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Card
        title={t.apiKeys}
        size="small"
        extra={
          <Button
            type="primary"
            data-testid="apikey-create"
            onClick={() => {
              form.setFieldsValue({ name: '', scopes: ['read', 'write'] });
              setCreating(true);
            }}
          >
            {t.apiKeyCreate}
          </Button>
        }
      >
        <Typography.Paragraph type="secondary">
          {t.apiKeysHelp}{' '}
          <a href="/api/v1/docs" target="_blank" rel="noreferrer" data-testid="api-docs-link">
            {t.apiDocs}
          </a>
        </Typography.Paragraph>
        <Table<ApiKeyInfo>
          size="small"
          rowKey="id"
          loading={keys === null}
          dataSource={keys ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          onRow={(k) =>
            ({ 'data-testid': 'apikey-row', 'data-name': k.name }) as React.HTMLAttributes<HTMLElement>
          }
          columns={[
            { title: t.name, dataIndex: 'name' },
            { title: t.apiKeyPrefix, dataIndex: 'prefix', render: (p: string) => <code>{p}…</code> },
            {
              title: t.apiKeyScopes,
              dataIndex: 'scopes',
              render: (s: string[]) =>
                s.map((x) => <Tag key={x}>{x === 'read' ? t.apiKeyRead : t.apiKeyWrite}</Tag>),
            },
            { title: t.apiKeyCreated, dataIndex: 'createdAt', render: when },
            { title: t.apiKeyLastUsed, dataIndex: 'lastUsedAt', render: when },
            {
              title: '',
              render: (_: unknown, k) =>
                k.revokedAt !== null ? (
                  <Tag data-testid="apikey-revoked">{t.apiKeyRevoked}</Tag>
                ) : (
                  <Popconfirm
                    title={t.apiKeyRevokeConfirm}
                    onConfirm={async () => {
                      await api('DELETE', `/api/admin/api-keys/${k.id}`);
                      await load();
                    }}
                  >
                    <Button danger size="small" data-testid="apikey-revoke">
                      {t.apiKeyRevoke}
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      </Card>
      <Modal
        open={creating}
        title={t.apiKeyCreate}
        okButtonProps={{ 'data-testid': 'apikey-save' }}
        onCancel={() => setCreating(false)}
        onOk={async () => {
          const v = await form.validateFields().catch(() => undefined);
          if (!v) return; // the form shows what is missing (issue #18: never an uncaught error)
          try {
            const r = await api('POST', '/api/admin/api-keys', v);
            setCreating(false);
            setShown(r.key);
            await load();
          } catch (e) {
            if (e instanceof ApiError && (e.field === 'name' || e.field === 'scopes'))
              form.setFields([{ name: e.field, errors: [e.message] }]);
            else toast.error(failureText(e));
          }
        }}
      >
        <Form form={form} layout="vertical">
          <Form.Item name="name" label={t.name} rules={[{ required: true, max: 60 }]}>
            <Input placeholder="ERP" data-testid="apikey-name" />
          </Form.Item>
          <Form.Item name="scopes" label={t.apiKeyScopes} rules={[{ required: true }]}>
            <Checkbox.Group
              options={[
                { value: 'read', label: t.apiKeyRead },
                { value: 'write', label: t.apiKeyWrite },
              ]}
            />
          </Form.Item>
        </Form>
      </Modal>
      <ShownOnce
        secret={shown}
        title={t.apiKeyShownOnce}
        warning={t.apiKeyCopyNow}
        testIds={{ secret: 'apikey-secret', done: 'apikey-done' }}
        onClose={() => setShown(null)}
      />
    </Space>
  );
}
