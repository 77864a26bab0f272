import type { Agent } from '@xiaoer/core';
import { Alert, List, Modal, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { failureText } from '../shared/api';
import { useT } from '../shared/i18n';
import { useShopApi } from './shopScope';

type AgentRow = Agent & { load: number };
type GroupRow = { id: string; name: string; agentIds: string[] };

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
  useEffect(() => {
    if (!props.open) return;
    setError(null);
    api<{ agents: AgentRow[]; groups?: GroupRow[] }>('GET', '/api/agents').then((r) => {
      setAgents(r.agents);
      setGroups(r.groups ?? []);
    });
  }, [props.open, api]);
  const color = { online: 'green', hung_up: 'orange', offline: 'default' } as const;
  const transfer = async (to: { toAgentId: string } | { toGroupId: string }) => {
    try {
      await api('POST', `/api/conversations/${props.conversationId}/transfer`, to);
      props.onDone();
    } catch (e) {
      setError(failureText(e));
    }
  };
  const online = (g: GroupRow) =>
    agents.filter((a) => g.agentIds.includes(a.id) && a.status === 'online' && a.takesRouting).length;
  return (
    <Modal title={t.transferTo} open={props.open} onCancel={props.onClose} footer={null}>
      {error && <Alert type="error" message={error} style={{ marginBottom: 12 }} />}
      <Typography.Text type="secondary">{t.agents}</Typography.Text>
      <List
        dataSource={agents.filter((a) => a.id !== props.myId)}
        renderItem={(a) => (
          <List.Item
            style={{ cursor: a.status === 'offline' ? 'not-allowed' : 'pointer' }}
            data-testid="transfer-target"
            onClick={() => {
              if (a.status !== 'offline') void transfer({ toAgentId: a.id });
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
                style={{ cursor: 'pointer' }}
                data-testid="transfer-group"
                data-group-id={g.id}
                onClick={() => void transfer({ toGroupId: g.id })}
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
    </Modal>
  );
}
