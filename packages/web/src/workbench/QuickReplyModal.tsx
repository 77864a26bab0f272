import type { QuickReply } from '@xiaoer/core';
import { Form, Input, Modal, Switch, message as toast } from 'antd';
import { useEffect } from 'react';
import { ApiError, failureText } from '../shared/api';
import { useT } from '../shared/i18n';
import { useShopApi } from './shopScope';

/** TEAM-3: create or edit a quick reply ("save as quick reply" prefills the text). */
export function QuickReplyModal(props: {
  open: boolean;
  initial: Partial<QuickReply> | null;
  canShare: boolean;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useT();
  const api = useShopApi();
  const [form] = Form.useForm();
  useEffect(() => {
    if (props.open) {
      form.resetFields();
      form.setFieldsValue({
        title: props.initial?.title ?? (props.initial?.text ?? '').slice(0, 12),
        text: props.initial?.text ?? '',
        shared: props.initial ? props.initial.ownerId === null : false,
      });
    }
  }, [props.open, props.initial, form]);
  return (
    <Modal
      title={props.initial?.id ? t.edit : t.saveQuickReply}
      open={props.open}
      onCancel={props.onClose}
      onOk={async () => {
        const v = (await form.validateFields()) as { title: string; text: string; shared: boolean };
        const body = { title: v.title, text: v.text, personal: !v.shared };
        try {
          if (props.initial?.id) await api('PATCH', `/api/quick-replies/${props.initial.id}`, body);
          else await api('POST', '/api/quick-replies', body);
          toast.success(t.saved);
          props.onSaved();
        } catch (e) {
          if (e instanceof ApiError && e.field) form.setFields([{ name: e.field, errors: [e.message] }]);
          else toast.error(failureText(e));
        }
      }}
    >
      <Form form={form} layout="vertical">
        <Form.Item name="title" label={t.title} rules={[{ required: true, max: 50 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="text" label={t.text} rules={[{ required: true, max: 2000 }]}>
          <Input.TextArea autoSize={{ minRows: 3 }} />
        </Form.Item>
        {props.canShare && (
          <Form.Item name="shared" label={t.shared} valuePropName="checked">
            <Switch />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
