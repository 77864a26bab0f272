import { ReloadOutlined } from '@ant-design/icons';
import type { Agent, ComplianceLogEntry } from '@xiaoer/core';
import { Button, Select, Space, Table, Tag, Tooltip, message as toast } from 'antd';
import { useCallback, useEffect, useState, type HTMLAttributes } from 'react';
import { api } from '../shared/api';
import { HighlightedText, RuleTag } from '../shared/compliance';
import { useT } from '../shared/i18n';

type Action = ComplianceLogEntry['action'];
/** An entry as the API sends it (ids as plain strings). */
type Entry = Omit<ComplianceLogEntry, 'shopId'>;

const ACTION_COLORS: Record<Action, string> = {
  blocked: 'red',
  confirmed: 'orange',
  proactive_refused: 'purple',
};

/**
 * The supervisor's log (CMP-1 … CMP-6): every blocked message, every warning an agent sent
 * anyway and every refused proactive message, newest first, by agent and action.
 */
export function ComplianceLog() {
  const { t, lang } = useT();
  const [agents, setAgents] = useState<Agent[]>([]);
  const [agentId, setAgentId] = useState<string | undefined>();
  const [action, setAction] = useState<Action | undefined>();
  const [entries, setEntries] = useState<Entry[]>([]);
  const [loading, setLoading] = useState(true);

  const load = useCallback(async () => {
    setLoading(true);
    const q = new URLSearchParams({ limit: '200' });
    if (agentId) q.set('agentId', agentId);
    if (action) q.set('action', action);
    try {
      const r = await api<{ entries: Entry[] }>('GET', `/api/admin/compliance/log?${q}`);
      setEntries(r.entries);
    } catch (e) {
      toast.error((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [agentId, action]);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    api<{ agents: Agent[] }>('GET', '/api/agents')
      .then((r) => setAgents(r.agents))
      .catch(() => undefined);
  }, []);
  // The bot's own refused messages are logged with the sender "bot" (issue #14).
  const names: Record<string, string> = {
    bot: t.logBot,
    ...Object.fromEntries(agents.map((a) => [a.id, a.name])),
  };

  return (
    <div data-testid="compliance-log">
      <Space style={{ marginBottom: 12 }} wrap>
        <Select
          allowClear
          data-testid="compliance-log-agent"
          placeholder={t.allAgents}
          style={{ width: 180 }}
          value={agentId}
          onChange={setAgentId}
          optionFilterProp="label"
          showSearch
          options={[
            ...agents.map((a) => ({ value: a.id, label: a.name })),
            { value: 'bot', label: t.logBot },
          ]}
        />
        <Select
          allowClear
          data-testid="compliance-log-action"
          placeholder={t.allActions}
          style={{ width: 180 }}
          value={action}
          onChange={setAction}
          options={(['blocked', 'confirmed', 'proactive_refused'] as const).map((a) => ({
            value: a,
            label: t.logActions[a],
          }))}
        />
        <Button icon={<ReloadOutlined />} onClick={() => void load()} data-testid="compliance-log-refresh">
          {t.refresh}
        </Button>
      </Space>
      <Table<Entry>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={entries}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        onRow={(e) =>
          ({
            'data-testid': 'compliance-log-row',
            'data-action': e.action,
          }) as HTMLAttributes<HTMLElement>
        }
        columns={[
          {
            title: t.logTime,
            dataIndex: 'createdAt',
            width: 170,
            render: (at: number) => new Date(at).toLocaleString(),
          },
          {
            title: t.logAgent,
            dataIndex: 'agentId',
            width: 110,
            render: (id: string) => <span data-testid="compliance-log-agent-name">{names[id] ?? id}</span>,
          },
          {
            title: t.logAction,
            dataIndex: 'action',
            width: 120,
            render: (a: Action) => <Tag color={ACTION_COLORS[a]}>{t.logActions[a] ?? a}</Tag>,
          },
          {
            title: t.logRules,
            dataIndex: 'rules',
            width: 200,
            render: (rules: string[], e) => (
              <Space size={4} wrap>
                {rules.map((r) => (
                  <span key={r} data-testid="compliance-log-rule" data-rule={r}>
                    <RuleTag rule={r} verdict={e.verdict} />
                  </span>
                ))}
              </Space>
            ),
          },
          {
            title: t.logText,
            dataIndex: 'text',
            render: (text: string, e) => (
              <Tooltip
                title={e.findings.map((f) => `${f.rule} ${f.reason[lang] ?? f.reason.en}`).join('\n')}
                styles={{ root: { whiteSpace: 'pre-line' } }}
              >
                <span>
                  <HighlightedText text={text} spans={e.findings.map((f) => f.span)} />
                </span>
              </Tooltip>
            ),
          },
        ]}
      />
    </div>
  );
}
