import type { AgentDto as Agent } from '@xiaoer/protocol';
import { Button, Popconfirm, Select, Space, Table, Tag, message as toast } from 'antd';
import { useCallback, useEffect, useState, type HTMLAttributes } from 'react';
import { api, ApiError, failureText } from '../shared/api';
import { useT } from '../shared/i18n';
import { AgentFormModal } from './AgentFormModal';
import { canEditSeat, canManage, givableRoles, type Viewer } from './agentAccess';
import { ResetPasswordModal } from './ResetPasswordModal';

const STATUS_COLOR = { online: 'green', hung_up: 'orange', offline: 'default' } as const;

/**
 * The shop's team (TEAM-1): every member with role, status, cap and routing flag, disabled ones
 * tagged; add, change role, edit cap and routing, reset a password, disable / enable, delete —
 * each offered only where the viewer may (nobody acts on their own row or on the owner's).
 */
export function AgentsTable({ viewer }: { viewer: Viewer }) {
  const { t } = useT();
  const [agents, setAgents] = useState<Agent[]>([]);
  const [loading, setLoading] = useState(true);
  const [editing, setEditing] = useState<Agent | 'new' | null>(null);
  const [resetting, setResetting] = useState<Agent | null>(null);
  /** The member whose row is being changed (its controls wait). */
  const [busyId, setBusyId] = useState<string | null>(null);
  const load = useCallback(() => {
    api('GET', '/api/admin/agents')
      .then((r) => setAgents(r.agents))
      .catch((e: unknown) => toast.error(failureText(e)))
      .finally(() => setLoading(false));
  }, []);
  useEffect(load, [load]);

  /**
   * One change to a member: a toast on success, the server's reason on refusal (`conflict`: the
   * console's words for a 409); then the list again.
   */
  const act = async (agent: Agent, change: () => Promise<unknown>, done: string, conflict?: string) => {
    setBusyId(agent.id);
    try {
      await change();
      toast.success(done);
    } catch (e) {
      if (conflict && e instanceof ApiError && e.status === 409) toast.error(conflict, 6);
      else toast.error(failureText(e), 6);
    } finally {
      setBusyId(null);
      load();
    }
  };
  const post = (a: Agent, what: 'disable' | 'enable') => () =>
    api('POST', `/api/admin/agents/${a.id}/${what}`);

  return (
    <>
      <Button
        type="primary"
        style={{ marginBottom: 12 }}
        onClick={() => setEditing('new')}
        disabled={givableRoles(viewer).length === 0}
        data-testid="agent-create"
      >
        {t.addAgent}
      </Button>
      <Table<Agent>
        rowKey="id"
        loading={loading}
        dataSource={agents}
        pagination={false}
        onRow={(a) =>
          ({
            'data-testid': 'agent-row',
            'data-email': a.email,
            'data-role': a.role,
            'data-disabled': a.disabledAt !== null ? 'true' : 'false',
          }) as HTMLAttributes<HTMLElement>
        }
        columns={[
          {
            title: t.name,
            dataIndex: 'name',
            render: (name: string, a) => (
              <Space size={4}>
                {name}
                {a.id === viewer.id && <Tag color="blue">{t.you}</Tag>}
              </Space>
            ),
          },
          { title: t.email, dataIndex: 'email' },
          {
            title: t.role,
            dataIndex: 'role',
            render: (role: Agent['role'], a) =>
              canManage(viewer, a) ? (
                <Select
                  data-testid="agent-role"
                  size="small"
                  style={{ width: 130 }}
                  value={role}
                  disabled={busyId === a.id}
                  options={givableRoles(viewer).map((r) => ({ value: r, label: t.roles[r] }))}
                  onChange={(next: string) =>
                    void act(a, () => api('PATCH', `/api/admin/agents/${a.id}`, { role: next }), t.saved)
                  }
                />
              ) : (
                (t.roles[role] ?? role)
              ),
          },
          {
            title: t.status,
            dataIndex: 'status',
            render: (s: Agent['status'], a) =>
              a.disabledAt !== null ? (
                <Tag color="red" data-testid="agent-disabled">
                  {t.disabledTag}
                </Tag>
              ) : (
                <Tag color={STATUS_COLOR[s]} data-testid="agent-status-tag">
                  {t[s]}
                </Tag>
              ),
          },
          { title: t.cap, dataIndex: 'maxConcurrent' },
          { title: t.takesRouting, dataIndex: 'takesRouting', render: (v: boolean) => (v ? '✓' : '—') },
          {
            title: t.actions,
            key: 'actions',
            render: (_: unknown, a) => {
              const manage = canManage(viewer, a);
              const busy = busyId === a.id;
              return (
                <Space size={0} wrap>
                  {canEditSeat(viewer, a) && (
                    <Button type="link" size="small" onClick={() => setEditing(a)} data-testid="agent-edit">
                      {t.edit}
                    </Button>
                  )}
                  {manage && (
                    <Button
                      type="link"
                      size="small"
                      onClick={() => setResetting(a)}
                      data-testid="agent-reset-password"
                    >
                      {t.resetPassword}
                    </Button>
                  )}
                  {manage &&
                    (a.disabledAt === null ? (
                      <Popconfirm
                        title={t.disableConfirm}
                        styles={{ root: { maxWidth: 320 } }}
                        okButtonProps={{ 'data-testid': 'agent-disable-ok' } as Record<string, string>}
                        onConfirm={() => act(a, post(a, 'disable'), t.disabledDone)}
                      >
                        <Button type="link" size="small" danger loading={busy} data-testid="agent-disable">
                          {t.disable}
                        </Button>
                      </Popconfirm>
                    ) : (
                      <Popconfirm
                        title={t.enableConfirm}
                        styles={{ root: { maxWidth: 320 } }}
                        okButtonProps={{ 'data-testid': 'agent-enable-ok' } as Record<string, string>}
                        onConfirm={() => act(a, post(a, 'enable'), t.enabledDone)}
                      >
                        <Button type="link" size="small" loading={busy} data-testid="agent-enable">
                          {t.enable}
                        </Button>
                      </Popconfirm>
                    ))}
                  {manage && (
                    <Popconfirm
                      title={t.deleteConfirm}
                      styles={{ root: { maxWidth: 320 } }}
                      okButtonProps={{ danger: true, ...({ 'data-testid': 'agent-delete-ok' } as object) }}
                      onConfirm={() =>
                        // TEAM-1: someone who served buyers keeps their history: disabled, not deleted.
                        act(
                          a,
                          () => api('DELETE', `/api/admin/agents/${a.id}`),
                          t.deletedDone,
                          t.deleteHasHistory,
                        )
                      }
                    >
                      <Button type="link" size="small" danger disabled={busy} data-testid="agent-delete">
                        {t.delete}
                      </Button>
                    </Popconfirm>
                  )}
                </Space>
              );
            },
          },
        ]}
      />
      <AgentFormModal
        viewer={viewer}
        editing={editing}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          load();
        }}
      />
      <ResetPasswordModal agent={resetting} onClose={() => setResetting(null)} />
    </>
  );
}
