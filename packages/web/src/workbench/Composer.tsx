import { BulbOutlined, PictureOutlined } from '@ant-design/icons';
import type { QuickReplyDto as QuickReply } from '@xiaoer/protocol';
import { Button, Input, List, Modal, message as toast, Upload } from 'antd';
import { useEffect, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { ApiError, failureText } from '../shared/api';
import {
  checkText,
  CompliancePanel,
  confirmWarnings,
  findingText,
  resultOf,
  useComplianceCheck,
  type CheckResponse,
} from '../shared/compliance';
import { useT } from '../shared/i18n';
import { useShopApi } from './shopScope';
import type { SendOutcome } from './useWorkbench';
import { MAX_TEXT_LENGTH } from '@xiaoer/protocol/limits';

/** What the workbench can ask of the composer: send a quick reply through the compliance check. */
export interface ComposerHandle {
  sendQuickReply(q: QuickReply): void;
  /** Puts the caret in the message box (after moving to another conversation by keyboard). */
  focus(): void;
}

/**
 * The message box: Enter sends, "/" opens quick replies (TEAM-3), images upload then send.
 * CMP-1 … CMP-5: the text is checked as the agent types; a blocked text cannot be sent, a warned
 * one is sent only when confirmed, and a refusal from the server (the authority) puts the text
 * back with the findings.
 */
export function Composer(props: {
  ref?: Ref<ComposerHandle>;
  conversationId: string;
  disabled: boolean;
  onSendText: (text: string, options?: { confirmWarnings?: boolean }) => Promise<SendOutcome>;
  onSendImage: (url: string) => void;
  onTyping: () => void;
}) {
  const { t, lang } = useT();
  const api = useShopApi();
  const [modal, modalHolder] = Modal.useModal();
  const [text, setText] = useState('');
  const [matches, setMatches] = useState<QuickReply[]>([]);
  const [active, setActive] = useState(0);
  const [busy, setBusy] = useState(false);
  const [suggesting, setSuggesting] = useState(false);
  const lastTyping = useRef(0);
  const query = text.startsWith('/') ? text.slice(1) : null;
  const check = useComplianceCheck(text, { conversationId: props.conversationId });
  // The conversation the composer is on now: an answer for another one is not put back here.
  const conversationRef = useRef(props.conversationId);
  conversationRef.current = props.conversationId;
  // The box as it is now (a refusal arrives after awaits, when `text` may be old).
  const textRef = useRef(text);
  textRef.current = text;
  const blocked = check.latest?.verdict === 'block';

  useEffect(() => {
    if (query === null) {
      setMatches([]);
      return;
    }
    const timer = setTimeout(() => {
      api('GET', `/api/quick-replies?q=${encodeURIComponent(query)}`)
        .then((r) => {
          setMatches(r.quickReplies.slice(0, 8));
          setActive(0);
        })
        .catch(() => setMatches([]));
    }, 120);
    return () => clearTimeout(timer);
  }, [query, api]);

  /**
   * Shows a refusal: the text back in the box with the findings (the rule, the reason, the
   * rewrite). A refused quick reply does not overwrite a draft, and nothing is put into another
   * conversation's box: a toast says why instead.
   */
  const refused = (forText: string, result: CheckResponse, conversationId: string, fromComposer: boolean) => {
    const draft = textRef.current;
    const keepDraft = !fromComposer && draft.trim() !== '' && !draft.startsWith('/') && draft !== forText;
    if (conversationRef.current !== conversationId || keepDraft) {
      const reasons = result.findings.map((f) => findingText(f, t, lang)).join('；');
      toast.error(`${t.notSent}：${forText.slice(0, 40)} — ${reasons}`);
      return;
    }
    setText(forText);
    check.put(forText, result);
  };

  /** Sends a text the server may still refuse; a confirm-to-send refusal asks once, then resends. */
  const sendChecked = async (
    forText: string,
    confirmed: boolean,
    conversationId: string,
    fromComposer: boolean,
  ): Promise<void> => {
    const outcome = await props.onSendText(forText, confirmed ? { confirmWarnings: true } : {});
    if (outcome.ok || !outcome.details) return;
    const result = resultOf(outcome.details);
    if (outcome.code === 'compliance_confirm' && !confirmed) {
      if (await confirmWarnings(modal, result.findings, t, lang))
        return sendChecked(forText, true, conversationId, fromComposer);
    } else if (!fromComposer) toast.error(t.quickReplyBlocked);
    refused(forText, result, conversationId, fromComposer);
  };

  /**
   * The one way a text leaves: the verdict for it (the live one, or a check now), refuse on block,
   * confirm on warn, then send; the server checks again and may still refuse.
   */
  const deliver = async (
    forText: string,
    opts: { fromComposer: boolean; known?: CheckResponse | null; imageUrl?: string | null },
  ) => {
    const conversationId = props.conversationId;
    let confirmed = false;
    setBusy(true);
    try {
      const result = opts.known ?? (await checkText(forText, conversationId).catch(() => null));
      if (result?.verdict === 'block') {
        // An attempt: the supervisor's log records it as the server would a refused send.
        void checkText(forText, conversationId, true).catch(() => undefined);
        if (!opts.fromComposer) toast.error(t.quickReplyBlocked);
        // The agent sees the rule, the reason and the rewrite under the box.
        refused(forText, result, conversationId, opts.fromComposer);
        return;
      }
      if (result?.verdict === 'warn') {
        if (opts.fromComposer) check.put(forText, result);
        confirmed = await confirmWarnings(modal, result.findings, t, lang);
        if (!confirmed) return;
      }
    } finally {
      setBusy(false);
    }
    if (opts.fromComposer || textRef.current.startsWith('/')) setText('');
    if (opts.imageUrl) props.onSendImage(opts.imageUrl);
    // Pending until acked (the bubble shows it); the composer is free for the next message.
    await sendChecked(forText, confirmed, conversationId, opts.fromComposer);
  };

  const sendQuick = (q: QuickReply) => {
    if (props.disabled || busy) return;
    void deliver(q.text.trim(), { fromComposer: false, imageUrl: q.imageUrl });
  };
  const boxRef = useRef<{ focus: () => void } | null>(null);
  useImperativeHandle(props.ref, () => ({ sendQuickReply: sendQuick, focus: () => boxRef.current?.focus() }));

  const submit = () => {
    if (busy) return;
    if (query !== null && matches[active]) return sendQuick(matches[active]);
    const trimmed = text.trim();
    if (!trimmed) return;
    if (trimmed.length > MAX_TEXT_LENGTH)
      return void toast.error(`最多 ${MAX_TEXT_LENGTH} 字 / at most ${MAX_TEXT_LENGTH} characters`);
    // Blocked: Enter does not send (the panel says why); the attempt is logged for the supervisor.
    if (check.current?.verdict === 'block') {
      void checkText(trimmed, props.conversationId, true).catch(() => undefined);
      return;
    }
    void deliver(trimmed, { fromComposer: true, known: check.current });
  };

  return (
    <div style={{ position: 'relative', borderTop: '1px solid #f0f0f0', padding: 12, background: '#fff' }}>
      {modalHolder}
      {matches.length > 0 && (
        <div
          style={{
            position: 'absolute',
            bottom: '100%',
            left: 12,
            right: 12,
            background: '#fff',
            boxShadow: '0 -4px 16px rgba(0,0,0,.12)',
            borderRadius: 8,
            zIndex: 10,
          }}
        >
          <List
            size="small"
            header={<b>{t.quickReplies}</b>}
            dataSource={matches}
            renderItem={(q, i) => (
              <List.Item
                data-testid="quick-reply-option"
                onMouseDown={(e) => {
                  e.preventDefault();
                  sendQuick(q);
                }}
                style={{
                  cursor: 'pointer',
                  background: i === active ? '#fff1e8' : undefined,
                  padding: '6px 12px',
                }}
              >
                <b style={{ marginRight: 8 }}>{q.title}</b>
                <span
                  style={{
                    color: '#888',
                    overflow: 'hidden',
                    textOverflow: 'ellipsis',
                    whiteSpace: 'nowrap',
                  }}
                >
                  {q.text}
                </span>
              </List.Item>
            )}
          />
        </div>
      )}
      <Input.TextArea
        ref={boxRef as never}
        data-testid="composer"
        value={text}
        disabled={props.disabled}
        placeholder={t.composerPlaceholder}
        autoSize={{ minRows: 2, maxRows: 6 }}
        status={blocked ? 'error' : undefined}
        onChange={(e) => {
          setText(e.target.value);
          if (Date.now() - lastTyping.current > 2000) {
            lastTyping.current = Date.now();
            props.onTyping();
          }
        }}
        onKeyDown={(e) => {
          if (matches.length > 0 && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
            e.preventDefault();
            setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
          } else if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            submit();
          } else if (e.key === 'Escape' && query !== null) {
            // Esc leaves a quick-reply search; a draft is kept (issue #18: it used to erase it).
            setText('');
          }
        }}
      />
      {!props.disabled && (
        <CompliancePanel
          result={check.latest}
          stale={check.stale}
          onRewrite={(suggestion) => setText(suggestion)}
          style={{ marginTop: 8 }}
        />
      )}
      <div style={{ display: 'flex', justifyContent: 'space-between', marginTop: 8 }}>
        <Upload
          accept="image/png,image/jpeg,image/gif,image/webp"
          showUploadList={false}
          disabled={props.disabled}
          customRequest={async ({ file, onSuccess, onError }) => {
            const form = new FormData();
            form.append('file', file as Blob);
            try {
              const res = await api('POST', '/api/uploads', form);
              props.onSendImage(res.url);
              onSuccess?.(res);
            } catch (e) {
              toast.error(failureText(e));
              onError?.(e as Error);
            }
          }}
        >
          <Button icon={<PictureOutlined />} disabled={props.disabled}>
            {t.image}
          </Button>
        </Upload>
        {/* Issue #15: a reply the shop's model drafts from its FAQ and the buyer's orders, to edit. */}
        <Button
          icon={<BulbOutlined />}
          data-testid="suggest-reply"
          disabled={props.disabled}
          loading={suggesting}
          style={{ marginLeft: 8, marginRight: 'auto' }}
          onClick={async () => {
            const on = conversationRef.current;
            setSuggesting(true);
            try {
              const r = await api('POST', `/api/conversations/${on}/suggest-reply`);
              if (conversationRef.current === on) setText(r.suggestion);
            } catch (e) {
              const off = e instanceof ApiError && e.code === 'conflict' && e.field === 'provider';
              const down = e instanceof ApiError && e.code === 'provider_unavailable';
              toast.error(off ? t.suggestOff : down ? t.suggestDown : failureText(e));
            } finally {
              setSuggesting(false);
            }
          }}
        >
          {t.suggestReply}
        </Button>
        <Button
          type="primary"
          data-testid="send-button"
          onClick={submit}
          loading={busy}
          disabled={props.disabled || blocked}
        >
          {t.send}
        </Button>
      </div>
    </div>
  );
}
