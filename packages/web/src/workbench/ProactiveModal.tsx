import type { ConversationStateDto as Conversation, Finding } from '@xiaoer/protocol';
import { Alert, Input, Modal, Typography, message as toast } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { ApiError, newClientId } from '../shared/api';
import {
  checkText,
  complianceDetails,
  CompliancePanel,
  confirmWarnings,
  findingText,
  resultOf,
  useComplianceCheck,
} from '../shared/compliance';
import { useT } from '../shared/i18n';
import { useScopeShop, useShopApi } from './shopScope';
import { MAX_TEXT_LENGTH } from '@xiaoer/protocol/limits';

/**
 * CMP-6: an agent reaches out to a buyer with no open conversation. The text is checked as it is
 * typed like any agent text; the server also applies quiet hours and frequency caps and says
 * when the next message may go at the earliest.
 */
export function ProactiveModal(props: {
  open: boolean;
  buyerId: string;
  buyerNick: string;
  onClose: () => void;
  onSent: (conversation: Conversation) => void;
}) {
  const { t, lang } = useT();
  const api = useShopApi();
  const shop = useScopeShop();
  const [modal, modalHolder] = Modal.useModal();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; findings: Finding[]; nextAllowedAt?: number } | null>(
    null,
  );
  const check = useComplianceCheck(text, { shop });
  // One client id per message: a retry after a confirmation is the same message.
  const clientId = useRef(newClientId());
  useEffect(() => {
    if (!props.open) return;
    setText('');
    setError(null);
    clientId.current = newClientId();
  }, [props.open, props.buyerId]);
  const blocked = check.latest?.verdict === 'block';

  const post = async (forText: string, confirmed: boolean): Promise<void> => {
    try {
      const r = await api('POST', `/api/buyers/${encodeURIComponent(props.buyerId)}/proactive`, {
        clientId: clientId.current,
        text: forText,
        ...(confirmed ? { confirmWarnings: true } : {}),
      });
      toast.success(t.reachOutSent);
      props.onSent(r.conversation);
    } catch (e) {
      if (!(e instanceof ApiError)) return setError({ message: String(e), findings: [] });
      const details = complianceDetails(e.details);
      if (e.code === 'compliance_confirm' && details && !confirmed) {
        if (await confirmWarnings(modal, details.findings, t, lang)) return post(forText, true);
        return;
      }
      if (e.code === 'compliance_blocked' && details) {
        // CMP-6 (quiet hours, caps) is about when, not what: an alert with the earliest time.
        if (details.findings.some((f) => f.rule === 'CMP-6'))
          return setError({
            message: e.message,
            findings: details.findings,
            ...(details.nextAllowedAt !== undefined ? { nextAllowedAt: details.nextAllowedAt } : {}),
          });
        check.put(forText, resultOf(details));
        return;
      }
      setError({
        message: e.code === 'conflict' ? t.reachOutOpenConversation : e.message,
        findings: [],
      });
    }
  };

  const send = async () => {
    const trimmed = text.trim();
    if (!trimmed || busy) return;
    setError(null);
    setBusy(true);
    try {
      const result = check.current ?? (await checkText(trimmed, undefined, false, shop).catch(() => null));
      if (result?.verdict === 'block') return check.put(text, result);
      let confirmed = false;
      if (result?.verdict === 'warn') {
        confirmed = await confirmWarnings(modal, result.findings, t, lang);
        if (!confirmed) return;
      }
      await post(trimmed, confirmed);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={props.open}
      title={`${t.reachOutTitle}${props.buyerNick ? ` · ${props.buyerNick}` : ''}`}
      okText={t.send}
      cancelText={t.cancel}
      onCancel={props.onClose}
      onOk={() => void send()}
      okButtonProps={{
        ...({ 'data-testid': 'proactive-send' } as Record<string, string>),
        disabled: !text.trim() || blocked,
        loading: busy,
      }}
      destroyOnHidden
    >
      {modalHolder}
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t.reachOutHint}
      </Typography.Paragraph>
      <Input.TextArea
        data-testid="proactive-text"
        value={text}
        autoSize={{ minRows: 3, maxRows: 8 }}
        maxLength={MAX_TEXT_LENGTH}
        status={blocked ? 'error' : undefined}
        onChange={(e) => setText(e.target.value)}
      />
      <CompliancePanel
        result={check.latest}
        stale={check.stale}
        onRewrite={(suggestion) => setText(suggestion)}
        style={{ marginTop: 8 }}
      />
      {error && (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 8 }}
          data-testid="proactive-error"
          message={
            error.findings.length > 0
              ? error.findings.map((f) => findingText(f, t, lang)).join('；')
              : error.message
          }
          description={
            error.nextAllowedAt !== undefined
              ? `${t.nextAllowedAt}：${new Date(error.nextAllowedAt).toLocaleString()}`
              : undefined
          }
        />
      )}
    </Modal>
  );
}
