import { Alert, Modal, Typography } from 'antd';
import { useT } from '../shared/i18n';

/**
 * Issue #16: a secret shown this once (an API key, a webhook's signing secret), with a warning to
 * copy it now and a copy button; closed by "I have saved it".
 */
export function ShownOnce(props: {
  secret: string | null;
  title: string;
  warning: string;
  /** The test ids of the secret and of the close button. */
  testIds: { secret: string; done: string };
  onClose: () => void;
}) {
  const { t } = useT();
  return (
    <Modal
      open={props.secret !== null}
      title={props.title}
      onCancel={props.onClose}
      onOk={props.onClose}
      okText={t.apiKeySaved}
      okButtonProps={{ 'data-testid': props.testIds.done }}
      destroyOnHidden
      cancelButtonProps={{ style: { display: 'none' } }}
    >
      <Alert type="warning" showIcon message={props.warning} style={{ marginBottom: 12 }} />
      <Typography.Paragraph
        copyable={{ text: props.secret ?? '' }}
        data-testid={props.testIds.secret}
        style={{ wordBreak: 'break-all' }}
      >
        <code>{props.secret}</code>
      </Typography.Paragraph>
    </Modal>
  );
}
