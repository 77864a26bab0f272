import { Alert, Space, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { useT } from '../shared/i18n';
import { fill, pct, type MetricsAlert } from '../shared/metrics';

/**
 * MET-5: today's reply rate, projected from the buyers waiting now, falls below the threshold.
 * Names each buyer about to run out of time, counting down (supervisors: all of them; an agent:
 * the buyers they hold; the console's live board: all); a click opens the chat.
 */
export function MetricsAlertBanner(props: {
  alert: (MetricsAlert & { receivedAt: number }) | null;
  replyMinutes: number;
  onOpen: (conversationId: string) => void;
}) {
  const { t } = useT();
  const [now, setNow] = useState(Date.now());
  const active = props.alert !== null;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  const a = props.alert;
  if (!a) return null;
  // secondsLeft was counted when the alert was sent: count on from there.
  const left = (secondsLeft: number) => Math.max(0, Math.round(secondsLeft - (now - a.receivedAt) / 1000));
  const buyers = [...a.atRisk].sort((x, y) => x.secondsLeft - y.secondsLeft);
  return (
    <Alert
      type="error"
      showIcon
      banner
      data-testid="metrics-alert"
      data-date={a.date}
      message={
        <Space size={[6, 4]} wrap>
          <span>
            {fill(t.metricsAlert, {
              m: props.replyMinutes,
              rate: pct(a.projectedRate),
              threshold: pct(a.threshold),
            })}
          </span>
          {buyers.map((b) => {
            const s = left(b.secondsLeft);
            return (
              <Tag
                key={b.conversationId}
                color={s <= 60 ? 'red' : 'volcano'}
                data-testid="metrics-alert-buyer"
                data-conversation-id={b.conversationId}
                role="button"
                tabIndex={0}
                style={{ cursor: 'pointer' }}
                onClick={() => props.onOpen(b.conversationId)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' || e.key === ' ') props.onOpen(b.conversationId);
                }}
              >
                {b.nick || b.buyerId.slice(0, 8)} · {s > 0 ? fill(t.secondsLeft, { s }) : t.overdue}
              </Tag>
            );
          })}
        </Space>
      }
    />
  );
}
