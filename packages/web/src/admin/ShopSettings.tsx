import type { ShopDto as Shop } from '@xiaoer/protocol';
import { Button, Form, Input, message as toast, Spin } from 'antd';
import { useEffect, useState } from 'react';
import { api, ApiError, failureText } from '../shared/api';
import { useT } from '../shared/i18n';

/** The shop's name, service hours and time zone. */
export function ShopSettings() {
  const { t } = useT();
  const [form] = Form.useForm();
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    api('GET', '/api/admin/shop').then((r) => {
      form.setFieldsValue(r.shop);
      setLoaded(true);
    });
  }, [form]);
  if (!loaded) return <Spin />;
  return (
    <Form
      form={form}
      layout="vertical"
      style={{ maxWidth: 480 }}
      onFinish={async (v: Pick<Shop, 'name' | 'serviceHours' | 'timeZone' | 'welcomeMessage'>) => {
        try {
          const welcomeMessage = v.welcomeMessage?.trim() ? v.welcomeMessage.trim() : null;
          const r = await api('PATCH', '/api/admin/shop', { ...v, welcomeMessage });
          form.setFieldsValue(r.shop);
          toast.success(t.saved);
        } catch (e) {
          if (e instanceof ApiError && e.field) form.setFields([{ name: e.field, errors: [e.message] }]);
          else toast.error(failureText(e));
        }
      }}
    >
      <Form.Item name="name" label={t.name} rules={[{ required: true, max: 60 }]}>
        <Input />
      </Form.Item>
      <Form.Item name="serviceHours" label={t.serviceHours} rules={[{ required: true, max: 60 }]}>
        <Input />
      </Form.Item>
      <Form.Item name="timeZone" label={t.timeZone} rules={[{ required: true }]}>
        <Input placeholder="Asia/Shanghai" />
      </Form.Item>
      {/* BOT-3: the shop's first line to every buyer, bot on or off. */}
      <Form.Item
        name="welcomeMessage"
        label={t.welcomeMessage}
        extra={t.welcomeMessageHint}
        rules={[{ max: 200 }]}
      >
        <Input.TextArea
          rows={2}
          placeholder="您好，欢迎光临{shop}！请问有什么可以帮您？"
          data-testid="shop-welcome"
        />
      </Form.Item>
      <Button type="primary" htmlType="submit" data-testid="shop-save">
        {t.save}
      </Button>
    </Form>
  );
}
