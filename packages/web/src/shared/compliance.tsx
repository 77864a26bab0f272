import type { ComplianceCheckResponse, Finding, TextSpan } from '@xiaoer/protocol';
import { Button, Modal, Space, Tag, Typography } from 'antd';
import { Fragment, useCallback, useEffect, useState, type ReactNode } from 'react';
import { api } from './api';
import { useT, type Dict, type Lang } from './i18n';

/** What POST /api/compliance/check answers: the verdict and how long the check took (ms). */
export type CheckResponse = ComplianceCheckResponse;

/** The details of a compliance_blocked / compliance_confirm error (the server is the authority). */
export interface ComplianceErrorDetails {
  verdict: 'block' | 'warn';
  findings: Finding[];
  suggestion?: string;
  /** CMP-6: when a proactive message may go out at the earliest (ms since the epoch). */
  nextAllowedAt?: number;
}

/** The error codes the server refuses a message with. */
export const COMPLIANCE_CODES = ['compliance_blocked', 'compliance_confirm'] as const;

/** Whether an error code is a compliance refusal. */
export function isComplianceCode(code: string): code is (typeof COMPLIANCE_CODES)[number] {
  return (COMPLIANCE_CODES as readonly string[]).includes(code);
}

/** Reads the details of a compliance error (anything malformed gives undefined). */
export function complianceDetails(details: unknown): ComplianceErrorDetails | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const d = details as Partial<ComplianceErrorDetails>;
  if ((d.verdict !== 'block' && d.verdict !== 'warn') || !Array.isArray(d.findings)) return undefined;
  return d as ComplianceErrorDetails;
}

/** A check result built from a refusal's details (so the panel can show what the server said). */
export function resultOf(details: ComplianceErrorDetails): CheckResponse {
  return {
    verdict: details.verdict,
    findings: details.findings,
    promises: [],
    ...(details.suggestion !== undefined ? { suggestion: details.suggestion } : {}),
  };
}

/**
 * Checks a text now (CMP-1 … CMP-5), for a conversation's buyer when given; `shop` (TEAM-4): the
 * shop whose rules apply when there is no conversation (a buyer's, for reaching out).
 */
export function checkText(
  text: string,
  conversationId?: string,
  attempt = false,
  shop?: string | null,
): Promise<CheckResponse> {
  return api(
    'POST',
    '/api/compliance/check',
    {
      text,
      ...(conversationId ? { conversationId } : {}),
      // The agent tried to send it: a block is logged for the supervisor like a refused send.
      ...(attempt ? { attempt } : {}),
    },
    { shop: shop ?? null },
  );
}

/**
 * The live check as the agent types: debounced, the latest answer kept per text. `current` is the
 * verdict for exactly this text; `latest` is the last verdict seen (shown, dimmed, while a new
 * check runs); `put` records a verdict that came from elsewhere (a refusal from the server).
 */
export function useComplianceCheck(
  text: string,
  options: { conversationId?: string; epoch?: number; shop?: string | null } = {},
) {
  const { conversationId, epoch = 0, shop = null } = options;
  const scope = `${conversationId ?? ''}#${epoch}`;
  // result null: the check failed (the server still checks on sending); nothing is shown then.
  const [state, setState] = useState<{ scope: string; text: string; result: CheckResponse | null } | null>(
    null,
  );
  const skip = !text.trim() || text.startsWith('/');
  const has = !skip && state !== null && state.scope === scope && state.text === text;
  const current = has ? state.result : null;
  useEffect(() => {
    // An empty box forgets the last verdict: the next message starts clean.
    if (skip) return setState(null);
    if (has) return;
    let live = true;
    const timer = setTimeout(() => {
      checkText(text, conversationId, false, shop)
        .then((result) => live && setState({ scope, text, result }))
        .catch(() => live && setState({ scope, text, result: null }));
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [text, scope, conversationId, skip, has, shop]);
  const latest = !skip && state && state.scope === scope ? state.result : null;
  const put = useCallback(
    (forText: string, result: CheckResponse) => setState({ scope, text: forText, result }),
    [scope],
  );
  return { current, latest, stale: latest !== null && !has, put };
}

/** Merges overlapping spans and clips them to the text. */
function mergeSpans(spans: TextSpan[], length: number): TextSpan[] {
  const sorted = spans
    .map((s) => ({ start: Math.max(0, s.start), end: Math.min(length, s.end) }))
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start);
  const out: TextSpan[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

const MARK_STYLE = { background: '#ffd8bf', color: 'inherit', padding: '0 1px', borderRadius: 2 };

/** A text with the given spans (UTF-16 offsets) highlighted. */
export function HighlightedText(props: { text: string; spans: TextSpan[] }) {
  const parts: ReactNode[] = [];
  let at = 0;
  for (const s of mergeSpans(props.spans, props.text.length)) {
    if (s.start > at) parts.push(props.text.slice(at, s.start));
    parts.push(
      <mark key={s.start} data-testid="compliance-mark" style={MARK_STYLE}>
        {props.text.slice(s.start, s.end)}
      </mark>,
    );
    at = s.end;
  }
  if (at < props.text.length) parts.push(props.text.slice(at));
  return (
    <span style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
      {parts.map((p, i) => (
        <Fragment key={i}>{p}</Fragment>
      ))}
    </span>
  );
}

/** The rule's tag: "CMP-1 禁用语", red when it blocks, orange when it warns. */
export function RuleTag(props: { rule: string; verdict?: 'block' | 'warn' }) {
  const { t } = useT();
  // Issue #18: the rule's name, not its spec id (CMP-3), in what merchants read.
  return (
    <Tag
      color={props.verdict === 'warn' ? 'orange' : props.verdict === 'block' ? 'red' : 'default'}
      style={{ marginInlineEnd: 0 }}
      data-rule={props.rule}
    >
      {t.ruleNames[props.rule] ?? props.rule}
    </Tag>
  );
}

/** A finding in one line of text: the rule's name and its reason, in the page's language. */
export function findingText(f: Pick<Finding, 'rule' | 'reason'>, t: Dict, lang: Lang): string {
  return `${t.ruleNames[f.rule] ?? f.rule}：${f.reason[lang] ?? f.reason.en}`;
}

/** One finding on a line: the rule, the reason in the UI language and the matched words. */
function FindingLine(props: { finding: Finding; lang: Lang }) {
  const f = props.finding;
  const { t } = useT();
  return (
    <div
      data-testid="compliance-finding"
      data-rule={f.rule}
      data-verdict={f.verdict}
      data-source={f.source ?? 'lexicon'}
      style={{ display: 'flex', gap: 8, alignItems: 'baseline', fontSize: 12, lineHeight: '20px' }}
    >
      <RuleTag rule={f.rule} verdict={f.verdict} />
      <span style={{ flex: 1, minWidth: 0 }}>
        {f.source === 'model' && (
          // Issue #17: read by meaning, not a listed phrase — said, with how sure the reading is.
          <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="compliance-by-meaning">
            {t.byMeaning(Math.min(99, Math.round((f.confidence ?? 0) * 100)))}{' '}
          </Typography.Text>
        )}
        {f.reason[props.lang] ?? f.reason.en}
        {f.matched && (
          <>
            {' '}
            <mark style={MARK_STYLE}>{f.matched}</mark>
          </>
        )}
      </span>
    </div>
  );
}

/**
 * What the check found, under the composer: each finding (rule, reason, matched text) and, when
 * there is one, the whole message rewritten, to use in one click. Nothing when the text passes.
 */
export function CompliancePanel(props: {
  result: CheckResponse | null;
  stale?: boolean;
  onRewrite?: (suggestion: string) => void;
  style?: React.CSSProperties;
}) {
  const { t, lang } = useT();
  const r = props.result;
  if (!r || r.findings.length === 0) return null;
  const blocked = r.verdict === 'block';
  return (
    <div
      data-testid="compliance-panel"
      data-verdict={r.verdict}
      style={{
        border: `1px solid ${blocked ? '#ffccc7' : '#ffe58f'}`,
        background: blocked ? '#fff2f0' : '#fffbe6',
        borderRadius: 6,
        padding: '6px 10px',
        opacity: props.stale ? 0.6 : 1,
        transition: 'opacity .15s',
        ...props.style,
      }}
    >
      <div
        style={{
          display: 'flex',
          justifyContent: 'space-between',
          alignItems: 'center',
          gap: 8,
          marginBottom: 4,
        }}
      >
        <Typography.Text strong type={blocked ? 'danger' : 'warning'} style={{ fontSize: 12 }}>
          {blocked ? t.complianceBlocked : t.complianceWarned}
        </Typography.Text>
        {r.suggestion !== undefined && props.onRewrite && (
          <Button
            size="small"
            type="primary"
            ghost
            data-testid="compliance-rewrite"
            title={r.suggestion}
            onClick={() => props.onRewrite?.(r.suggestion!)}
          >
            {t.useRewrite}
          </Button>
        )}
      </div>
      <Space direction="vertical" size={2} style={{ width: '100%' }}>
        {r.findings.map((f, i) => (
          <FindingLine key={`${f.id}-${i}`} finding={f} lang={lang} />
        ))}
      </Space>
    </div>
  );
}

/** antd's modal functions (from Modal.useModal, so they see the language and theme). */
export type ModalApi = ReturnType<typeof Modal.useModal>[0];

/** Asks the agent to confirm a warned message ("可能违规，确认发送？"), listing the reasons. */
export function confirmWarnings(modal: ModalApi, findings: Finding[], t: Dict, lang: Lang): Promise<boolean> {
  return new Promise((resolve) => {
    modal.confirm({
      title: t.confirmSendTitle,
      width: 480,
      content: (
        <div data-testid="compliance-confirm">
          <Space direction="vertical" size={4} style={{ width: '100%', margin: '8px 0' }}>
            {findings.map((f, i) => (
              <FindingLine key={`${f.id}-${i}`} finding={f} lang={lang} />
            ))}
          </Space>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t.confirmSendHint}
          </Typography.Text>
        </div>
      ),
      okText: t.confirmSend,
      cancelText: t.backToEdit,
      okButtonProps: { 'data-testid': 'compliance-confirm-ok' } as Record<string, string>,
      cancelButtonProps: { 'data-testid': 'compliance-confirm-cancel' } as Record<string, string>,
      onOk: () => resolve(true),
      onCancel: () => resolve(false),
    });
  });
}
