import type { AgentListing as AgentRow, RoutingGroupListing as GroupRow } from '@xiaoer/protocol';
import { Alert, Input, List, Modal, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { failureText } from '../shared/api';
import { useT } from '../shared/i18n';
import { useShopApi } from './shopScope';
import { MAX_TRANSFER_NOTE } from '@xiaoer/protocol/limits';

/**
 * RT-10: hand the conversation to another agent, or to a group (routing then picks the group's
 * least-loaded online member, or queues the buyer in the group when all are full).
 */
export function TransferModal(props: {
  conversationId: string;
  myId: string;
  open: boolean;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useT();
  const api = useShopApi();
  const [agents, setAgents] = useState<AgentRow[]>([]);
  const [groups, setGroups] = useState<GroupRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  // Issue #18: a click chooses; the transfer happens on 确认转接, with the note for the next agent.
  const [target, setTarget] = useState<{ toAgentId: string } | { toGroupId: string } | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!props.open) return;
    setError(null);
    setTarget(null);
    setNote('');
    api('GET', '/api/agents').then((r) => {
      setAgents(r.agents);
      setGroups(r.groups ?? []);
    });
  }, [props.open, api]);
  const color = { online: 'green', hung_up: 'orange', offline: 'default' } as const;
  const transfer = async () => {
    if (!target) return setError(t.transferPickFirst);
    setBusy(true);
    try {
      const text = note.trim();
      await api('POST', `/api/conversations/${props.conversationId}/transfer`, {
        ...target,
        ...(text ? { note: text } : {}),
      });
      props.onDone();
    } catch (e) {
      setError(failureText(e));
    } finally {
      setBusy(false);
    }
  };
  const chosen = (key: string) =>
    target && ('toAgentId' in target ? target.toAgentId : target.toGroupId) === key;
  const rowStyle = (key: string, disabled = false) => ({
    cursor: disabled ? 'not-allowed' : 'pointer',
    padding: '10px 12px',
    minHeight: 44,
    borderRadius: 6,
    background: chosen(key) ? '#fff1e8' : undefined,
    outline: chosen(key) ? '1px solid #ff5000' : undefined,
  });
  const online = (g: GroupRow) =>
    agents.filter((a) => g.agentIds.includes(a.id) && a.status === 'online' && a.takesRouting).length;
  return (
    <Modal
      title={t.transferTo}
      open={props.open}
      onCancel={props.onClose}
      onOk={() => void transfer()}
      okText={t.transferConfirm}
      okButtonProps={{ disabled: !target, loading: busy, ...{ 'data-testid': 'transfer-confirm' } }}
      destroyOnHidden
    >
      {error && <Alert type="error" message={error} style={{ marginBottom: 12 }} />}
      <Typography.Text type="secondary">{t.agents}</Typography.Text>
      <List
        dataSource={agents.filter((a) => a.id !== props.myId)}
        renderItem={(a) => (
          <List.Item
            style={rowStyle(a.id, a.status === 'offline')}
            data-testid="transfer-target"
            data-chosen={chosen(a.id) ? 'true' : undefined}
            onClick={() => {
              if (a.status !== 'offline') setTarget({ toAgentId: a.id });
            }}
          >
            <span>
              {a.name} <Tag color={color[a.status]}>{t[a.status]}</Tag>
            </span>
            <span>
              {t.load} {a.load}/{a.maxConcurrent}
            </span>
          </List.Item>
        )}
      />
      {groups.length > 0 && (
        <>
          <Typography.Text type="secondary">{t.groups}</Typography.Text>
          <List
            dataSource={groups}
            renderItem={(g) => (
              <List.Item
                style={rowStyle(g.id)}
                data-testid="transfer-group"
                data-group-id={g.id}
                data-chosen={chosen(g.id) ? 'true' : undefined}
                onClick={() => setTarget({ toGroupId: g.id })}
              >
                <span>{g.name}</span>
                <span>
                  {t.online} {online(g)}/{g.agentIds.length} {t.members}
                </span>
              </List.Item>
            )}
          />
        </>
      )}
      <Typography.Text type="secondary" style={{ display: 'block', marginTop: 12 }}>
        {t.transferNoteLabel}
      </Typography.Text>
      <Input.TextArea
        data-testid="transfer-note"
        value={note}
        maxLength={MAX_TRANSFER_NOTE}
        showCount
        autoSize={{ minRows: 2, maxRows: 5 }}
        placeholder={t.transferNotePlaceholder}
        onChange={(e) => setNote(e.target.value)}
        style={{ marginTop: 4 }}
      />
    </Modal>
  );
}
