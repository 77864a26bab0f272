import type { AgentDto as Agent } from '@xiaoer/protocol';
import { Alert, Form, Input, InputNumber, Modal, Select, Switch, message as toast } from 'antd';
import { api } from '../shared/api';
import { useT, type Dict } from '../shared/i18n';
import { SaveErrorAlert, useFormSubmit, useSaveError, type FieldPath } from '../shared/settingsForm';
import { canManage, givableRoles, type Viewer } from './agentAccess';
import { MAX_CAP, MAX_PASSWORD_LENGTH, MIN_CAP, MIN_PASSWORD_LENGTH } from '@xiaoer/protocol/limits';

interface Values {
  email: string;
  name?: string;
  password?: string;
  role?: string;
  maxConcurrent: number;
  takesRouting: boolean;
}

/** A field the server names, in the console's words. */
function fieldLabel(path: FieldPath, t: Dict): string {
  const names: Record<string, string> = {
    email: t.email,
    name: t.name,
    password: t.password,
    role: t.role,
    maxConcurrent: t.cap,
    takesRouting: t.takesRouting,
    agentId: t.agents,
  };
  return names[String(path[0])] ?? path.join('.');
}

/**
 * Adds a member (TEAM-1: a new account with name and password; TEAM-4: an account of the
 * organisation serving another shop, by its email alone) or edits one's name, cap and routing flag.
 * The server's refusal shows on the field it names.
 */
export function AgentFormModal(props: {
  viewer: Viewer;
  /** 'new', the member edited, or null (closed). */
  editing: Agent | 'new' | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useT();
  const [form] = Form.useForm<Values>();
  const saveError = useSaveError(form, fieldLabel);
  const { busy, submit: submitForm } = useFormSubmit(form, saveError);
  const { editing, viewer } = props;
  const isNew = editing === 'new';
  // The name is the account's (every shop sees it): only someone who manages the account changes it.
  const showName = isNew || (editing !== null && canManage(viewer, editing));
  const initialValues: Partial<Values> =
    editing === 'new'
      ? { role: 'agent', maxConcurrent: 10, takesRouting: true }
      : editing
        ? {
            email: editing.email,
            name: editing.name,
            maxConcurrent: editing.maxConcurrent,
            takesRouting: editing.takesRouting,
          }
        : {};

  const submit = () =>
    submitForm(async (v) => {
      if (!editing) return;
      if (editing === 'new') {
        const name = v.name?.trim();
        await api('POST', '/api/admin/agents', {
          email: v.email,
          // TEAM-4: an account of the organisation comes with its email alone.
          ...(name ? { name } : {}),
          ...(v.password ? { password: v.password } : {}),
          role: v.role,
          maxConcurrent: v.maxConcurrent,
          takesRouting: v.takesRouting,
        });
      } else {
        const name = v.name?.trim();
        await api('PATCH', `/api/admin/agents/${editing.id}`, {
          ...(showName && name && name !== editing.name ? { name } : {}),
          maxConcurrent: v.maxConcurrent,
          takesRouting: v.takesRouting,
        });
      }
      toast.success(t.saved);
      props.onSaved();
    });

  return (
    <Modal
      title={isNew ? t.addAgent : t.editAgent}
      open={editing !== null}
      onCancel={props.onClose}
      onOk={submit}
      confirmLoading={busy}
      destroyOnHidden
    >
      <SaveErrorAlert error={saveError.error} testId="agent-form-error" />
      {isNew && <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t.existingAccountHint} />}
      <Form form={form} layout="vertical" preserve={false} initialValues={initialValues}>
        <Form.Item name="email" label={t.email} rules={[{ required: isNew, type: 'email' }]}>
          <Input disabled={!isNew} autoComplete="off" />
        </Form.Item>
        {showName && (
          <Form.Item name="name" label={t.name} rules={[{ required: !isNew, max: 40, whitespace: true }]}>
            <Input />
          </Form.Item>
        )}
        {isNew && (
          <Form.Item
            name="password"
            label={t.password}
            extra={t.passwordRule}
            rules={[{ min: MIN_PASSWORD_LENGTH, max: MAX_PASSWORD_LENGTH }]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        )}
        {isNew && (
          <Form.Item name="role" label={t.role} rules={[{ required: true }]}>
            <Select options={givableRoles(viewer).map((r) => ({ value: r, label: t.roles[r] }))} />
          </Form.Item>
        )}
        <Form.Item
          name="maxConcurrent"
          label={t.cap}
          rules={[{ required: true, type: 'integer', min: MIN_CAP, max: MAX_CAP }]}
        >
          <InputNumber min={MIN_CAP} max={MAX_CAP} />
        </Form.Item>
        <Form.Item name="takesRouting" label={t.takesRouting} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Modal>
  );
}
