import type { ShopDto as Shop } from '@xiaoer/protocol';
import { Form, Input, Modal, message as toast } from 'antd';
import { api } from './api';
import { useT, type Dict } from './i18n';
import { SaveErrorAlert, useFormSubmit, useSaveError, type FieldPath } from './settingsForm';

function fieldLabel(path: FieldPath, t: Dict): string {
  const names: Record<string, string> = { slug: t.slug, name: t.name, timeZone: t.timeZone };
  return names[String(path[0])] ?? path.join('.');
}

/** TEAM-4: the organisation's owner opens another shop (slug, name), then acts in it. */
export function NewShopModal(props: {
  open: boolean;
  onClose: () => void;
  onCreated: (shop: Shop) => Promise<void>;
}) {
  const { t } = useT();
  const [form] = Form.useForm<{ slug: string; name: string }>();
  const saveError = useSaveError(form, fieldLabel);
  const { busy, submit: submitForm } = useFormSubmit(form, saveError);
  const submit = () =>
    submitForm(async (values) => {
      const r = await api('POST', '/api/admin/shops', values);
      toast.success(t.shopCreated);
      form.resetFields();
      props.onClose();
      await props.onCreated(r.shop);
    });
  return (
    <Modal
      title={t.newShop}
      open={props.open}
      onCancel={props.onClose}
      onOk={submit}
      confirmLoading={busy}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'new-shop-submit' } as Record<string, string>}
    >
      <SaveErrorAlert error={saveError.error} testId="new-shop-error" />
      <Form form={form} name="new-shop" layout="vertical" preserve={false}>
        <Form.Item
          name="slug"
          label={t.slug}
          extra={t.slugHint}
          rules={[{ required: true, pattern: /^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/, message: t.slugHint }]}
        >
          <Input data-testid="new-shop-slug" autoComplete="off" />
        </Form.Item>
        <Form.Item name="name" label={t.name} rules={[{ required: true, max: 60, whitespace: true }]}>
          <Input data-testid="new-shop-name" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
