import { QuestionCircleOutlined } from '@ant-design/icons';
import type { PrecisionReport, RulePrecision } from '@xiaoer/protocol';
import { Alert, Card, Table, Tooltip, Typography } from 'antd';
import type { HTMLAttributes } from 'react';
import { RuleTag } from '../shared/compliance';
import { useT } from '../shared/i18n';

/** What GET /api/admin/compliance/precision answers. */
export type { PrecisionReport };

/** A share as a percentage with at most one decimal ("75%", "66.7%"), or a dash when there is none. */
function percent(p: number | null): string {
  return p === null ? '—' : `${Math.round(p * 1000) / 10}%`;
}

/**
 * Issue #17: how often each rule was right over the last 30 days of the log — blocks, warnings
 * agents sent anyway, the supervisors' reviews and the precision they give.
 */
export function CompliancePrecision(props: { report: PrecisionReport | null; loading: boolean }) {
  const { t } = useT();
  const { report } = props;
  return (
    <Card
      size="small"
      data-testid="compliance-precision"
      style={{ marginBottom: 12 }}
      title={
        <span style={{ whiteSpace: 'normal' }}>
          {t.precisionTitle}{' '}
          <Tooltip title={t.precisionHint}>
            <QuestionCircleOutlined style={{ color: 'rgba(0,0,0,.45)' }} aria-label={t.precisionHint} />
          </Tooltip>
        </span>
      }
    >
      {report?.truncated && (
        <Alert type="info" showIcon style={{ marginBottom: 8 }} message={t.precisionTruncated} />
      )}
      <Table<RulePrecision>
        rowKey="rule"
        size="small"
        loading={props.loading}
        dataSource={report?.rules ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        onRow={(r) =>
          ({
            'data-testid': 'compliance-precision-row',
            'data-rule': r.rule,
          }) as HTMLAttributes<HTMLElement>
        }
        columns={[
          {
            title: t.precisionRule,
            dataIndex: 'rule',
            render: (rule: string) => <RuleTag rule={rule} />,
          },
          { title: t.precisionBlocked, dataIndex: 'blocked', align: 'right' },
          { title: t.precisionConfirmed, dataIndex: 'confirmed', align: 'right' },
          {
            title: t.precisionReviewed,
            key: 'reviewed',
            align: 'right',
            render: (_: unknown, r) => (
              <Tooltip
                title={`${t.reviewLabels.correct} ${r.reviewedCorrect} · ${t.reviewLabels.wrong} ${r.reviewedWrong}`}
              >
                <span>{r.reviewedCorrect + r.reviewedWrong}</span>
              </Tooltip>
            ),
          },
          {
            title: t.precisionValue,
            dataIndex: 'precision',
            align: 'right',
            render: (p: number | null) => (
              <Typography.Text
                strong={p !== null}
                {...(p === null ? { type: 'secondary' as const } : {})}
                data-testid="compliance-precision-value"
              >
                {percent(p)}
              </Typography.Text>
            ),
          },
          { title: t.precisionByModel, dataIndex: 'byModel', align: 'right' },
        ]}
      />
    </Card>
  );
}
