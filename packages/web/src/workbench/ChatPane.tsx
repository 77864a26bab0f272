import { ArrowLeftOutlined } from '@ant-design/icons';
import { Alert, Button, Empty, Popconfirm, Space, Tag, Tooltip, Typography, message as toast } from 'antd';
import type { ConversationDto } from '@xiaoer/protocol';
import type { WidgetMessage } from '@xiaoer/protocol/message-list';
import { lastSeq } from '@xiaoer/protocol/message-list';
import { useEffect, useRef, useState, type Ref } from 'react';
import { useT } from '../shared/i18n';
import { Composer, type ComposerHandle } from './Composer';
import { MessageBubble } from './MessageBubble';
import { ErrorBoundary } from '../shared/ErrorBoundary';
import { LearnFaqModal } from './LearnFaqModal';
import { QuickReplyModal } from './QuickReplyModal';
import { useShopApi } from './shopScope';
import type { ConversationSummary, ListConversation, SendOutcome, TransferNote } from './useWorkbench';

/** The agent's latest text reply: the likely answer when teaching the bot. */
function lastAgentText(messages: WidgetMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.sender === 'agent' && m.kind === 'text') return (m.body as { text: string }).text;
  }
  return '';
}

/** The open conversation: messages, composer, take over, end and transfer. */
export function ChatPane(props: {
  conversation: ListConversation | null;
  messages: WidgetMessage[];
  /** Issue #15: the shop's model's summary for the agent who took it (never shown to the buyer). */
  summary?: ConversationSummary | null;
  /** Issue #18: the note the last transfer left for the next agent. */
  note?: TransferNote | null;
  buyerTyping: boolean;
  isAdmin: boolean;
  /** Who I am: the undo of a report is for who made it (and admins). */
  myId: string;
  /** A conversation as an action answered it (the socket's push may come a moment later). */
  onChanged: (conversation: ConversationDto) => void;
  /** TEAM-4: the conversation's shop, shown when I serve more than one. */
  shopName?: string | null;
  composerRef?: Ref<ComposerHandle>;
  onSendText: (text: string, options?: { confirmWarnings?: boolean }) => Promise<SendOutcome>;
  onSendImage: (url: string) => void;
  onTyping: () => void;
  onRead: (seq: number) => void;
  onTransfer: () => void;
  /** Issue #18, on a phone: back to the list (one pane at a time); buttons are smaller. */
  onBack?: () => void;
}) {
  const { t } = useT();
  const api = useShopApi();
  const listRef = useRef<HTMLDivElement>(null);
  const [saving, setSaving] = useState<string | null>(null);
  const [learning, setLearning] = useState<string | null>(null);
  const c = props.conversation;
  const seq = lastSeq(props.messages);
  useEffect(() => {
    listRef.current?.scrollTo({ top: listRef.current.scrollHeight });
  }, [props.messages.length, c?.id]);
  useEffect(() => {
    // Visible means read: the buyer sees 已读 on their side.
    if (c && seq > 0 && !document.hidden) props.onRead(seq);
  }, [c?.id, seq]); // props.onRead changes identity each render; the ids are what matter
  if (!c) return <Empty description={t.pickConversation} style={{ marginTop: 120 }} />;
  const ended = c.status === 'ended';
  const conversationId = c.id;
  /** SPAM-1: the undo, from the notification or the set-aside conversation. */
  const undoReport = async () => {
    try {
      const r = await api('POST', `/api/conversations/${conversationId}/unreport-spam`);
      props.onChanged(r.conversation);
      toast.success(t.undoReportDone);
    } catch (e) {
      toast.error((e as Error).message);
    }
  };
  /** SPAM-1: report the buyer as an advertiser (block list + set aside); the notice offers the undo. */
  const report = async () => {
    try {
      const r = await api('POST', `/api/conversations/${conversationId}/report-spam`);
      props.onChanged(r.conversation);
      const key = `reported-${conversationId}`;
      toast.open({
        key,
        type: 'success',
        duration: 10,
        content: (
          <span data-testid="report-spam-done">
            {t.reportSpamDone}{' '}
            <Button
              size="small"
              type="link"
              data-testid="report-spam-undo"
              onClick={() => {
                toast.destroy(key);
                void undoReport();
              }}
            >
              {t.undoReport}
            </Button>
          </span>
        ),
      });
    } catch (e) {
      toast.error((e as Error).message);
    }
  };
  const reported = c.status === 'spam' && c.spamReason === 'reported';
  return (
    <div style={{ display: 'flex', flexDirection: 'column', height: '100%' }}>
      <div
        style={{
          padding: '10px 16px',
          borderBottom: '1px solid #f0f0f0',
          display: 'flex',
          flexWrap: 'wrap',
          gap: 8,
          justifyContent: 'space-between',
          background: '#fff',
        }}
      >
        <Space size={8} wrap>
          {props.onBack && (
            <Button
              type="text"
              data-testid="chat-back"
              aria-label={t.backToList}
              icon={<ArrowLeftOutlined />}
              onClick={props.onBack}
              style={{ minWidth: 44, minHeight: 44 }}
            />
          )}
          <Typography.Title level={5} style={{ margin: 0 }}>
            {c.buyer?.nick}
          </Typography.Title>
          {props.shopName && (
            <Tag color="purple" data-testid="chat-shop-badge">
              {props.shopName}
            </Tag>
          )}
          {/* Why routing gave this buyer to this agent (RT-1 … RT-10). */}
          {c.assignReason && c.status === 'assigned' && (
            <Tooltip title={t.assignReason[c.assignReason].hint}>
              <Tag color="geekblue" data-testid="assign-reason" data-reason={c.assignReason}>
                {t.assignReason[c.assignReason].tag}
              </Tag>
            </Tooltip>
          )}
          {c.status === 'queued' && (
            <Tag color="orange" data-testid="queued-tag">
              {t.statusQueued}
            </Tag>
          )}
          {reported && (
            <Tag color="red" data-testid="reported-tag">
              {t.reportedTag}
            </Tag>
          )}
        </Space>
        <Space wrap size={props.onBack ? 4 : 8}>
          {reported && (props.isAdmin || c.reportedBy === props.myId) && (
            <Button data-testid="unreport-spam" onClick={() => void undoReport()}>
              {t.undoReport}
            </Button>
          )}
          {c.status === 'assigned' && (props.isAdmin || c.agentId === props.myId) && (
            <Popconfirm title={t.reportSpamConfirm} onConfirm={() => void report()}>
              <Button data-testid="report-spam">{t.reportSpam}</Button>
            </Popconfirm>
          )}
          {c.status === 'spam' && !reported && (
            <Button
              data-testid="release-spam"
              onClick={() => api('POST', `/api/conversations/${c.id}/release`)}
            >
              {t.release}
            </Button>
          )}
          {(c.status === 'bot' || c.status === 'queued') && (
            <Button
              type="primary"
              data-testid="take-over"
              onClick={() => api('POST', `/api/conversations/${c.id}/take-over`)}
            >
              {t.takeOver}
            </Button>
          )}
          <Button data-testid="transfer-conversation" disabled={ended} onClick={props.onTransfer}>
            {t.transfer}
          </Button>
          <Popconfirm
            title={t.endConfirm}
            onConfirm={() => api('POST', `/api/conversations/${c.id}/end`)}
            disabled={ended}
          >
            <Button danger data-testid="end-conversation" disabled={ended}>
              {t.endConversation}
            </Button>
          </Popconfirm>
        </Space>
      </div>
      {props.note && (
        <Alert
          type="warning"
          showIcon
          closable
          data-testid="transfer-note-shown"
          message={t.transferNoteFrom(props.note.authorName)}
          description={<span style={{ whiteSpace: 'pre-wrap' }}>{props.note.text}</span>}
          style={{ margin: '8px 16px 0', padding: '6px 12px' }}
        />
      )}
      {props.summary && (
        <Alert
          type="info"
          showIcon
          closable
          data-testid="transfer-summary"
          message={t.summaryTitle}
          description={<span style={{ whiteSpace: 'pre-wrap' }}>{props.summary.text}</span>}
          style={{ margin: '8px 16px 0', padding: '6px 12px' }}
        />
      )}
      <div ref={listRef} style={{ flex: 1, overflowY: 'auto', padding: 16, background: '#fafafa' }}>
        {props.messages.map((m) => (
          // Issue #14: a message that cannot be shown is a placeholder, never a blank workbench.
          <ErrorBoundary
            key={m.pending ? m.clientId : m.seq}
            fallback={
              <div data-testid="message-unrenderable" style={{ textAlign: 'center', margin: '8px 0' }}>
                <Typography.Text type="warning">{t.messageUnrenderable}</Typography.Text>
              </div>
            }
          >
            <MessageBubble
              message={m}
              buyerReadSeq={c.buyerReadSeq}
              onSaveQuickReply={setSaving}
              onAddToFaq={setLearning}
            />
          </ErrorBoundary>
        ))}
      </div>
      <div style={{ height: 20, padding: '0 16px', fontSize: 12, color: '#999' }}>
        {props.buyerTyping ? t.buyerTyping : ''}
      </div>
      <Composer
        ref={props.composerRef}
        conversationId={c.id}
        disabled={ended}
        onSendText={props.onSendText}
        onSendImage={props.onSendImage}
        onTyping={props.onTyping}
      />
      <LearnFaqModal
        question={learning}
        suggestedAnswer={lastAgentText(props.messages)}
        onClose={() => setLearning(null)}
      />
      <QuickReplyModal
        open={saving !== null}
        initial={saving === null ? null : { text: saving }}
        canShare={props.isAdmin}
        onClose={() => setSaving(null)}
        onSaved={() => setSaving(null)}
      />
    </div>
  );
}
