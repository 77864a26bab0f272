import type { AgentDto as Agent } from '@xiaoer/protocol';
import { Form, Input, Modal, Typography, message as toast } from 'antd';
import { api } from '../shared/api';
import { useT, type Dict } from '../shared/i18n';
import { SaveErrorAlert, useFormSubmit, useSaveError, type FieldPath } from '../shared/settingsForm';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '@xiaoer/protocol/limits';

function fieldLabel(path: FieldPath, t: Dict): string {
  return String(path[0]) === 'password' ? t.newPassword : t.resetPassword;
}

/** An admin sets a member's new password (they forgot theirs); every session of theirs ends. */
export function ResetPasswordModal(props: { agent: Agent | null; onClose: () => void }) {
  const { t } = useT();
  const [form] = Form.useForm<{ password: string }>();
  const saveError = useSaveError(form, fieldLabel);
  const { busy, submit: submitForm } = useFormSubmit(form, saveError);
  const submit = () =>
    submitForm(async (v) => {
      if (!props.agent) return;
      await api('POST', `/api/admin/agents/${props.agent.id}/password`, { password: v.password });
      toast.success(t.passwordResetDone);
      props.onClose();
    });
  return (
    <Modal
      title={props.agent ? `${t.resetPassword} · ${props.agent.name}` : t.resetPassword}
      open={props.agent !== null}
      onCancel={props.onClose}
      onOk={submit}
      confirmLoading={busy}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'reset-password-submit' } as Record<string, string>}
    >
      <Typography.Paragraph type="secondary">{t.resetPasswordHint}</Typography.Paragraph>
      <SaveErrorAlert error={saveError.error} testId="reset-password-error" />
      <Form form={form} name="reset-password" layout="vertical" preserve={false}>
        <Form.Item
          name="password"
          label={t.newPassword}
          extra={t.passwordRule}
          rules={[{ required: true, min: MIN_PASSWORD_LENGTH, max: MAX_PASSWORD_LENGTH }]}
        >
          <Input.Password data-testid="reset-password-input" autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
