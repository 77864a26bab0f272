import { Button, Divider, Form, Input, List, Modal, Tag, message as toast } from 'antd';
import { useEffect, useState } from 'react';
import { failureText } from '../shared/api';
import { useT } from '../shared/i18n';
import { useShopApi } from './shopScope';

/**
 * Learning from handoffs: the buyer's question goes into an existing FAQ entry as a similar
 * question, or into a new entry with the agent's answer, in one click.
 */
export function LearnFaqModal(props: {
  question: string | null;
  suggestedAnswer: string;
  onClose: () => void;
}) {
  const { t } = useT();
  const api = useShopApi();
  const [entries, setEntries] = useState<{ id: string; question: string; score: number }[]>([]);
  const [form] = Form.useForm();
  useEffect(() => {
    if (!props.question) return;
    form.setFieldsValue({ answer: props.suggestedAnswer, category: '' });
    api('GET', `/api/faq/suggest?q=${encodeURIComponent(props.question)}`)
      .then((r) => setEntries(r.entries))
      .catch(() => setEntries([]));
  }, [props.question, props.suggestedAnswer, form, api]);
  const learn = async (body: object) => {
    try {
      await api('POST', '/api/faq/learn', body);
      toast.success(t.saved);
      props.onClose();
    } catch (e) {
      toast.error(failureText(e));
    }
  };
  return (
    <Modal
      title={`${t.addToFaq}：${props.question ?? ''}`}
      open={props.question !== null}
      onCancel={props.onClose}
      footer={null}
      width={560}
    >
      <List
        size="small"
        dataSource={entries}
        locale={{ emptyText: t.botNoMatch }}
        renderItem={(e) => (
          <List.Item
            actions={[
              <Button
                key="add"
                size="small"
                data-testid="learn-as-similar"
                onClick={() => learn({ entryId: e.id, question: props.question })}
              >
                {t.addAsSimilar}
              </Button>,
            ]}
          >
            {e.question} <Tag>{e.score.toFixed(2)}</Tag>
          </List.Item>
        )}
      />
      <Divider plain>{t.newEntry}</Divider>
      <Form
        form={form}
        layout="vertical"
        onFinish={(v: { answer: string; category: string }) => learn({ question: props.question, ...v })}
      >
        <Form.Item name="answer" label={t.botAnswer} rules={[{ required: true, max: 2000 }]}>
          <Input.TextArea autoSize={{ minRows: 3 }} />
        </Form.Item>
        <Form.Item name="category" label={t.botCategory}>
          <Input maxLength={40} />
        </Form.Item>
        <Button type="primary" htmlType="submit" data-testid="learn-new-entry">
          {t.newEntry}
        </Button>
      </Form>
    </Modal>
  );
}
