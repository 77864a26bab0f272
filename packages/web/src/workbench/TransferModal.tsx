import type { Agent } from '@xiaoer/core';
import { Alert, List, Modal, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { api, ApiError } from '../shared/api';
import { useT } from '../shared/i18n';

/** RT-10: pick another agent to hand the conversation to. */
export function TransferModal(props: {
  conversationId: string;
  myId: string;
  open: boolean;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useT();
  const [agents, setAgents] = useState<(Agent & { load: number })[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!props.open) return;
    setError(null);
    api<{ agents: (Agent & { load: number })[] }>('GET', '/api/agents').then((r) => setAgents(r.agents));
  }, [props.open]);
  const color = { online: 'green', hung_up: 'orange', offline: 'default' } as const;
  return (
    <Modal title={t.transferTo} open={props.open} onCancel={props.onClose} footer={null}>
      {error && <Alert type="error" message={error} style={{ marginBottom: 12 }} />}
      <List
        dataSource={agents.filter((a) => a.id !== props.myId)}
        renderItem={(a) => (
          <List.Item
            style={{ cursor: a.status === 'offline' ? 'not-allowed' : 'pointer' }}
            data-testid="transfer-target"
            onClick={async () => {
              if (a.status === 'offline') return;
              try {
                await api('POST', `/api/conversations/${props.conversationId}/transfer`, { toAgentId: a.id });
                props.onDone();
              } catch (e) {
                setError(e instanceof ApiError ? e.message : String(e));
              }
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
    </Modal>
  );
}
