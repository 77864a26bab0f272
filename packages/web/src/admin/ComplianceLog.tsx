import { ReloadOutlined } from '@ant-design/icons';
import type { AgentListing as Agent, ComplianceLogEntry, ComplianceLogRow } from '@xiaoer/protocol';
import {
  Button,
  Checkbox,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
  message as toast,
} from 'antd';
import { useCallback, useEffect, useState, type HTMLAttributes } from 'react';
import { api, failureText } from '../shared/api';
import { findingText, HighlightedText, RuleTag } from '../shared/compliance';
import { useT } from '../shared/i18n';
import { CompliancePrecision, type PrecisionReport } from './CompliancePrecision';

type Action = ComplianceLogEntry['action'];
/** An entry as the API sends it (ids as plain strings). */
type Entry = ComplianceLogRow;

const ACTION_COLORS: Record<Action, string> = {
  blocked: 'red',
  confirmed: 'orange',
  proactive_refused: 'purple',
};

type Review = NonNullable<ComplianceLogEntry['review']>;

/** What POST /api/admin/compliance/log/:id/review answers. */

/**
 * Issue #17: a supervisor's review of one entry — 判断正确 / 误判, the latter optionally putting
 * what it flagged on the allow list — and the review it has, as a tag.
 */
function ReviewCell(props: { entry: Entry; reviewer?: string; onReviewed: (e: Entry) => void }) {
  const { t } = useT();
  const { entry } = props;
  const [busy, setBusy] = useState<Review | null>(null);
  const [allow, setAllow] = useState(false);
  // CMP-6 refuses by time and count: a refused reach-out has no words to allow.
  const canAllow = entry.action !== 'proactive_refused';

  const submit = async (review: Review, allowIt: boolean) => {
    setBusy(review);
    try {
      const r = await api('POST', `/api/admin/compliance/log/${encodeURIComponent(entry.id)}/review`, {
        review,
        ...(allowIt ? { allow: true } : {}),
      });
      props.onReviewed(r.entry);
      toast.success(r.added.length > 0 ? t.reviewAllowed(r.added.join('、')) : t.reviewSaved);
      if (r.leftOut.length > 0) toast.warning(t.reviewListFull);
    } catch (e) {
      toast.error(failureText(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Space size={4} wrap data-testid="compliance-review" data-review={entry.review ?? ''}>
      {entry.review && (
        <Tooltip
          title={[
            props.reviewer ? `${t.reviewBy} ${props.reviewer}` : '',
            entry.reviewedAt ? new Date(entry.reviewedAt).toLocaleString() : '',
          ]
            .filter(Boolean)
            .join(' · ')}
        >
          <Tag
            color={entry.review === 'correct' ? 'green' : 'gold'}
            style={{ marginInlineEnd: 0 }}
            data-testid="compliance-review-tag"
            data-review={entry.review}
          >
            {t.reviewLabels[entry.review]}
          </Tag>
        </Tooltip>
      )}
      {/* Judged right already: only 误判 is left to change it. 误判 stays, to allow it later. */}
      {entry.review !== 'correct' && (
        <Button
          size="small"
          data-testid="compliance-review-correct"
          loading={busy === 'correct'}
          onClick={() => void submit('correct', false)}
        >
          {t.reviewLabels.correct}
        </Button>
      )}
      <Popconfirm
        title={t.reviewWrongTitle}
        description={
          canAllow && (
            <div style={{ maxWidth: 260 }}>
              <Checkbox
                checked={allow}
                onChange={(e) => setAllow(e.target.checked)}
                data-testid="compliance-review-allow"
              >
                {t.reviewAllow}
              </Checkbox>
              <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '4px 0 0 24px' }}>
                {t.reviewAllowHint}
              </Typography.Paragraph>
            </div>
          )
        }
        // Each time it opens, unticked: adding to the allow list is a choice made each time.
        onOpenChange={(open) => open && setAllow(false)}
        onConfirm={() => submit('wrong', canAllow && allow)}
        okButtonProps={{ 'data-testid': 'compliance-review-wrong-ok' } as Record<string, string>}
      >
        <Button size="small" danger data-testid="compliance-review-wrong" loading={busy === 'wrong'}>
          {t.reviewLabels.wrong}
        </Button>
      </Popconfirm>
    </Space>
  );
}

/**
 * The supervisor's log (CMP-1 … CMP-6): every blocked message, every warning an agent sent
 * anyway and every refused proactive message, newest first, by agent and action; each may be
 * reviewed (issue #17), and the precision per rule is shown above it.
 */
export function ComplianceLog() {
  const { t, lang } = useT();
  const [agents, setAgents] = useState<Agent[]>([]);
  const [agentId, setAgentId] = useState<string | undefined>();
  const [action, setAction] = useState<Action | undefined>();
  const [entries, setEntries] = useState<Entry[]>([]);
  const [loading, setLoading] = useState(true);
  const [precision, setPrecision] = useState<PrecisionReport | null>(null);
  const [precisionLoading, setPrecisionLoading] = useState(true);

  const loadPrecision = useCallback(async () => {
    setPrecisionLoading(true);
    try {
      setPrecision(await api('GET', '/api/admin/compliance/precision'));
    } catch (e) {
      toast.error(failureText(e));
    } finally {
      setPrecisionLoading(false);
    }
  }, []);
  useEffect(() => {
    void loadPrecision();
  }, [loadPrecision]);

  const load = useCallback(async () => {
    setLoading(true);
    const q = new URLSearchParams({ limit: '200' });
    if (agentId) q.set('agentId', agentId);
    if (action) q.set('action', action);
    try {
      const r = await api('GET', `/api/admin/compliance/log?${q}`);
      setEntries(r.entries);
    } catch (e) {
      toast.error(failureText(e));
    } finally {
      setLoading(false);
    }
  }, [agentId, action]);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    api('GET', '/api/agents')
      .then((r) => setAgents(r.agents))
      .catch(() => undefined);
  }, []);
  // The bot's own refused messages are logged with the sender "bot" (issue #14).
  const names: Record<string, string> = {
    bot: t.logBot,
    ...Object.fromEntries(agents.map((a) => [a.id, a.name])),
  };

  const reviewed = (e: Entry) => {
    setEntries((list) => list.map((x) => (x.id === e.id ? e : x)));
    void loadPrecision();
  };

  return (
    <div data-testid="compliance-log">
      <CompliancePrecision report={precision} loading={precisionLoading} />
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
        <Button
          icon={<ReloadOutlined />}
          onClick={() => {
            void load();
            void loadPrecision();
          }}
          data-testid="compliance-log-refresh"
        >
          {t.refresh}
        </Button>
      </Space>
      <Table<Entry>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={entries}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        // A phone scrolls the table sideways rather than crushing the message column.
        scroll={{ x: 960 }}
        onRow={(e) =>
          ({
            'data-testid': 'compliance-log-row',
            'data-action': e.action,
            'data-id': e.id,
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
                title={e.findings.map((f) => findingText(f, t, lang)).join('\n')}
                styles={{ root: { whiteSpace: 'pre-line' } }}
              >
                <span>
                  <HighlightedText text={text} spans={e.findings.map((f) => f.span)} />
                </span>
              </Tooltip>
            ),
          },
          {
            title: t.logReview,
            key: 'review',
            width: 190,
            render: (_: unknown, e) => (
              <ReviewCell
                entry={e}
                {...(e.reviewedBy ? { reviewer: names[e.reviewedBy] ?? e.reviewedBy } : {})}
                onReviewed={reviewed}
              />
            ),
          },
        ]}
      />
    </div>
  );
}
