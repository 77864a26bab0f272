import type { QuickReplyDto as QuickReply } from '@xiaoer/protocol';
import { DeleteOutlined, PictureOutlined } from '@ant-design/icons';
import { Button, Form, Image, Input, Modal, Space, Switch, Upload, message as toast } from 'antd';
import { useEffect, useState } from 'react';
import { ApiError, failureText } from '../shared/api';
import { useT } from '../shared/i18n';
import { useShopApi } from './shopScope';
import { MAX_QUICK_REPLY_TEXT, MAX_QUICK_REPLY_TITLE } from '@xiaoer/protocol/limits';

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
  // TEAM-3: a quick reply may carry a picture (a size chart, a how-to), sent after its text.
  const [imageUrl, setImageUrl] = useState<string | null>(null);
  const [uploading, setUploading] = useState(false);
  useEffect(() => {
    if (props.open) {
      form.resetFields();
      setImageUrl(props.initial?.imageUrl ?? null);
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
        const v = (await form.validateFields().catch(() => undefined)) as
          { title: string; text: string; shared: boolean } | undefined;
        if (!v) return; // the form shows what is missing (issue #18: never an uncaught error)
        const body = { title: v.title, text: v.text, personal: !v.shared, imageUrl };
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
        <Form.Item name="title" label={t.title} rules={[{ required: true, max: MAX_QUICK_REPLY_TITLE }]}>
          <Input />
        </Form.Item>
        <Form.Item name="text" label={t.text} rules={[{ required: true, max: MAX_QUICK_REPLY_TEXT }]}>
          <Input.TextArea autoSize={{ minRows: 3 }} />
        </Form.Item>
        <Form.Item label={t.image}>
          <Space align="start" wrap>
            {imageUrl && (
              <Image
                src={imageUrl}
                alt=""
                width={96}
                data-testid="quick-reply-image"
                style={{ borderRadius: 6, objectFit: 'cover' }}
              />
            )}
            <Upload
              accept="image/png,image/jpeg,image/gif,image/webp"
              showUploadList={false}
              customRequest={async ({ file, onSuccess, onError }) => {
                const data = new FormData();
                data.append('file', file as Blob);
                setUploading(true);
                try {
                  const res = await api('POST', '/api/uploads', data);
                  setImageUrl(res.url);
                  onSuccess?.(res);
                } catch (e) {
                  toast.error(failureText(e));
                  onError?.(e as Error);
                } finally {
                  setUploading(false);
                }
              }}
            >
              <Button icon={<PictureOutlined />} loading={uploading} data-testid="quick-reply-image-upload">
                {imageUrl ? t.replaceImage : t.addImage}
              </Button>
            </Upload>
            {imageUrl && (
              <Button
                icon={<DeleteOutlined />}
                onClick={() => setImageUrl(null)}
                data-testid="quick-reply-image-remove"
              >
                {t.removeImage}
              </Button>
            )}
          </Space>
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
