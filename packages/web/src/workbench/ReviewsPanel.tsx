import type { ReviewDto, ReviewListResponse } from '@xiaoer/protocol';
import { MAX_REVIEW_REPLY_LENGTH } from '@xiaoer/protocol/limits';
import {
  Button,
  Empty,
  Input,
  Modal,
  Rate,
  Segmented,
  Space,
  Spin,
  Tag,
  Typography,
  message as toast,
} from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, failureText } from '../shared/api';
import {
  CompliancePanel,
  checkText,
  complianceDetails,
  confirmWarnings,
  resultOf,
  useComplianceCheck,
} from '../shared/compliance';
import { useT } from '../shared/i18n';
import { useScopeShop, useShopApi } from './shopScope';

type View = 'unanswered' | 'answered' | 'all';
/** How often the count of reviews waiting is looked at again (reviews arrive from the platform). */
const REFRESH_MS = 60_000;

/**
 * CRM-7: the shop's reviews, every one answered personally — each waiting review shows a reply
 * drafted from what it says (what the buyer praised or complained of, the item, the stars), which
 * the agent edits and sends; the text passes the compliance guard like any agent message, and
 * the shop's connector posts it on the platform.
 */
export function ReviewsPanel(props: { onCount?: (n: number) => void }) {
  const { t } = useT();
  const r = t.reviews;
  const api = useShopApi();
  const [view, setView] = useState<View>('unanswered');
  const [list, setList] = useState<ReviewListResponse | null>(null);
  const [failed, setFailed] = useState(false);
  /** The count the last poll saw, when it differs from the list's (new reviews came in). */
  const [newer, setNewer] = useState<number | null>(null);
  const [more, setMore] = useState(false);
  const { onCount } = props;
  // Only the latest request's answer is shown (a view or shop switched meanwhile).
  const request = useRef(0);

  const load = useCallback(
    async (cursor?: string) => {
      const mine = ++request.current;
      const q = new URLSearchParams({ view, ...(cursor ? { cursor } : {}) });
      const page = await api('GET', `/api/reviews?${q.toString()}`);
      if (mine !== request.current) return;
      onCount?.(page.unanswered);
      setNewer(null);
      setFailed(false);
      setList((prev) => (cursor && prev ? { ...page, reviews: [...prev.reviews, ...page.reviews] } : page));
    },
    [api, view, onCount],
  );

  useEffect(() => {
    setList(null);
    void load().catch(() => setFailed(true));
  }, [load]);

  // The count is polled (reviews arrive from the platform); the list is reloaded when asked.
  useEffect(() => {
    const every = setInterval(() => {
      void api('GET', '/api/reviews/count')
        .then(({ unanswered }) => {
          onCount?.(unanswered);
          setList((prev) => {
            if (prev && prev.unanswered !== unanswered) setNewer(unanswered);
            return prev;
          });
        })
        .catch(() => undefined);
    }, REFRESH_MS);
    return () => clearInterval(every);
  }, [api, onCount]);

  return (
    <div data-testid="reviews-panel">
      <Segmented<View>
        size="small"
        block
        value={view}
        onChange={setView}
        options={[
          { value: 'unanswered', label: `${r.unanswered}${list ? ` ${list.unanswered}` : ''}` },
          { value: 'answered', label: r.answered },
          { value: 'all', label: r.all },
        ]}
        style={{ marginBottom: 12 }}
      />
      {newer !== null && (
        <Button
          size="small"
          type="link"
          data-testid="reviews-refresh"
          onClick={() => void load().catch(() => setFailed(true))}
        >
          {r.newer.replace('{n}', String(newer))}
        </Button>
      )}
      {failed ? (
        <Empty
          image={Empty.PRESENTED_IMAGE_SIMPLE}
          description={
            <Button size="small" onClick={() => void load().catch(() => setFailed(true))}>
              {r.retry}
            </Button>
          }
        />
      ) : !list ? (
        <Spin size="small" />
      ) : list.reviews.length === 0 ? (
        <Empty
          image={Empty.PRESENTED_IMAGE_SIMPLE}
          description={view === 'unanswered' ? r.allAnswered : r.none}
        />
      ) : (
        <>
          {list.reviews.map((review) => (
            <ReviewCard
              key={review.id}
              review={review}
              onReplied={(done) => {
                setList(
                  (prev) =>
                    prev && {
                      ...prev,
                      unanswered: Math.max(0, prev.unanswered - 1),
                      reviews:
                        view === 'unanswered'
                          ? prev.reviews.filter((x) => x.id !== done.id)
                          : prev.reviews.map((x) => (x.id === done.id ? done : x)),
                    },
                );
                onCount?.(Math.max(0, list.unanswered - 1));
              }}
            />
          ))}
          {list.nextCursor && (
            <Button
              block
              size="small"
              loading={more}
              onClick={() => {
                setMore(true);
                void load(list.nextCursor ?? undefined)
                  .catch((e: unknown) => toast.error(failureText(e)))
                  .finally(() => setMore(false));
              }}
            >
              {r.more}
            </Button>
          )}
        </>
      )}
    </div>
  );
}

function ReviewCard(props: { review: ReviewDto; onReplied: (review: ReviewDto) => void }) {
  const { t, lang } = useT();
  const r = t.reviews;
  const api = useShopApi();
  const shop = useScopeShop();
  const [modal, modalHolder] = Modal.useModal();
  const { review } = props;
  const [text, setText] = useState(review.draft ?? '');
  const [busy, setBusy] = useState(false);
  const waiting = review.reply === null;
  const check = useComplianceCheck(waiting ? text : '', { shop });
  const blocked = check.latest?.verdict === 'block';

  const post = async (reply: string, confirm: boolean): Promise<void> => {
    try {
      const out = await api('POST', `/api/reviews/${encodeURIComponent(review.id)}/reply`, {
        text: reply,
        ...(confirm ? { confirm: true } : {}),
      });
      toast.success(r.sent);
      props.onReplied(out.review);
    } catch (e) {
      const details = e instanceof ApiError ? complianceDetails(e.details) : undefined;
      if (e instanceof ApiError && details) {
        if (e.code === 'compliance_confirm' && !confirm) {
          if (await confirmWarnings(modal, details.findings, t, lang)) return post(reply, true);
          return;
        }
        check.put(reply, resultOf(details));
        return;
      }
      toast.error(e instanceof ApiError && e.code === 'conflict' ? r.alreadyAnswered : failureText(e));
    }
  };

  const send = async () => {
    const reply = text.trim();
    if (!reply || busy) return;
    setBusy(true);
    try {
      const result = check.current ?? (await checkText(reply, undefined, false, shop).catch(() => null));
      if (result?.verdict === 'block') return check.put(text, result);
      let confirm = false;
      if (result?.verdict === 'warn') {
        confirm = await confirmWarnings(modal, result.findings, t, lang);
        if (!confirm) return;
      }
      await post(reply, confirm);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div
      data-testid="review-card"
      data-review={review.externalId}
      style={{ borderBottom: '1px solid #f0f0f0', paddingBottom: 12, marginBottom: 12 }}
    >
      {modalHolder}
      <Space size={6} wrap style={{ fontSize: 12 }}>
        <Rate disabled value={review.rating} style={{ fontSize: 12 }} />
        <Typography.Text strong style={{ fontSize: 12 }}>
          {review.buyerNick}
        </Typography.Text>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {new Date(review.postedAt).toLocaleDateString(lang === 'en' ? 'en' : 'zh-CN')}
        </Typography.Text>
      </Space>
      {review.item && (
        <div style={{ fontSize: 12, color: '#8c8c8c' }}>
          {r.item}：{review.item}
          {review.orderId ? `（${review.orderId}）` : ''}
        </div>
      )}
      <Typography.Paragraph style={{ margin: '4px 0', fontSize: 13 }}>
        {review.text || <Typography.Text type="secondary">{r.noText}</Typography.Text>}
      </Typography.Paragraph>
      <div style={{ marginBottom: 6 }}>
        {review.reading.praised.map((a) => (
          <Tag key={`p-${a}`} color="green" style={{ fontSize: 11 }}>
            {r.aspects[a]}
          </Tag>
        ))}
        {review.reading.complained.map((a) => (
          <Tag key={`c-${a}`} color="red" style={{ fontSize: 11 }}>
            {r.aspects[a]}
          </Tag>
        ))}
      </div>
      {review.reply ? (
        <div data-testid="review-reply" style={{ background: '#fafafa', padding: 8, fontSize: 12 }}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {r.repliedBy
              .replace('{name}', review.reply.agentName || '—')
              .replace('{at}', new Date(review.reply.at).toLocaleString(lang === 'en' ? 'en' : 'zh-CN'))}
          </Typography.Text>
          <div>{review.reply.text}</div>
        </div>
      ) : (
        <>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {r.draftHint}
          </Typography.Text>
          <Input.TextArea
            data-testid="review-reply-text"
            value={text}
            autoSize={{ minRows: 2, maxRows: 6 }}
            maxLength={MAX_REVIEW_REPLY_LENGTH}
            status={blocked ? 'error' : undefined}
            onChange={(e) => setText(e.target.value)}
          />
          <CompliancePanel
            result={check.latest}
            stale={check.stale}
            onRewrite={(s) => setText(s)}
            style={{ marginTop: 6 }}
          />
          <Space style={{ marginTop: 6 }}>
            <Button
              type="primary"
              size="small"
              data-testid="review-send"
              loading={busy}
              disabled={!text.trim() || blocked}
              onClick={() => void send()}
            >
              {r.send}
            </Button>
            {review.draft && text !== review.draft && (
              <Button size="small" onClick={() => setText(review.draft ?? '')}>
                {r.restoreDraft}
              </Button>
            )}
          </Space>
        </>
      )}
    </div>
  );
}
