import { Form, Input, Modal, Typography } from 'antd';
import { api } from './api';
import { useT, type Dict } from './i18n';
import { SaveErrorAlert, useFormSubmit, useSaveError, type FieldPath } from './settingsForm';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '@xiaoer/protocol/limits';

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

function fieldLabel(path: FieldPath, t: Dict): string {
  const names: Record<string, string> = {
    currentPassword: t.currentPassword,
    newPassword: t.newPassword,
  };
  return names[String(path[0])] ?? path.join('.');
}

/** I change my own password (knowing the current one); every session of mine ends with it. */
export function ChangePasswordModal(props: { open: boolean; onClose: () => void; onChanged: () => void }) {
  const { t } = useT();
  const [form] = Form.useForm<Values>();
  const saveError = useSaveError(form, fieldLabel);
  const { busy, submit: submitForm } = useFormSubmit(form, saveError);
  const submit = () =>
    submitForm(async (values) => {
      await api('POST', '/api/me/password', {
        currentPassword: values.currentPassword,
        newPassword: values.newPassword,
      });
      props.onClose();
      props.onChanged();
    });
  return (
    <Modal
      title={t.changePassword}
      open={props.open}
      onCancel={props.onClose}
      onOk={submit}
      confirmLoading={busy}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'change-password-submit' } as Record<string, string>}
    >
      <SaveErrorAlert error={saveError.error} testId="change-password-error" />
      <Form form={form} name="change-password" layout="vertical" preserve={false}>
        <Form.Item name="currentPassword" label={t.currentPassword} rules={[{ required: true }]}>
          <Input.Password data-testid="current-password" autoComplete="current-password" />
        </Form.Item>
        <Form.Item
          name="newPassword"
          label={t.newPassword}
          extra={t.passwordRule}
          rules={[{ required: true, min: MIN_PASSWORD_LENGTH, max: MAX_PASSWORD_LENGTH }]}
        >
          <Input.Password data-testid="new-password" autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t.confirmPassword}
          dependencies={['newPassword']}
          rules={[
            { required: true },
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                !value || value === getFieldValue('newPassword')
                  ? Promise.resolve()
                  : Promise.reject(new Error(t.passwordMismatch)),
            }),
          ]}
        >
          <Input.Password data-testid="confirm-password" autoComplete="new-password" />
        </Form.Item>
      </Form>
      <Typography.Text type="secondary">{t.changePasswordHint}</Typography.Text>
    </Modal>
  );
}
