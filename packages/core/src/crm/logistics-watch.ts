/**
 * CRM-3 logistics watch: a shipped parcel with no tracking event for longer than its carrier
 * usually takes, or whose last event is abnormal (held, returned, damaged, a weather stop), is
 * flagged — so the shop tells the buyer first, and the agent sees it beside the chat. Pure: the
 * caller passes the order and the time.
 */
import { HOUR, invalid } from '../kernel';
import type { LogisticsEvent, OrderStatus } from '../orders/order.types';

/** An order as the watch reads it. */
export interface WatchedOrder {
  id: string;
  status: OrderStatus;
  carrier: string | null;
  shippedAt: number | null;
  logistics: readonly LogisticsEvent[];
}

/** How long a carrier usually goes between scans, hours; a parcel quiet for longer is stalled. */
export interface LogisticsWatchSettings {
  defaultGapHours: number;
  /** By carrier name as the orders spell it (顺丰, 中通 …). */
  carrierGapHours: Record<string, number>;
}

export const DEFAULT_LOGISTICS_WATCH: LogisticsWatchSettings = {
  defaultGapHours: 48,
  carrierGapHours: {
    顺丰: 24,
    京东: 24,
    中通: 48,
    圆通: 48,
    申通: 48,
    韵达: 48,
    极兔: 48,
    邮政: 72,
    EMS: 72,
  },
};

/** A shop's watch settings checked whole: hours from 1 to 720, carriers named 1–20 characters. */
export function validateLogisticsWatch(raw: unknown): LogisticsWatchSettings {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const hours = (v: unknown, field: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 720)
      throw invalid(field, 'must be a whole number of hours from 1 to 720', { issue: 'range' });
    return v;
  };
  const defaultGapHours = hours(r.defaultGapHours, 'defaultGapHours');
  const carriers = r.carrierGapHours;
  if (typeof carriers !== 'object' || carriers === null || Array.isArray(carriers))
    throw invalid('carrierGapHours', 'must map carrier names to hours', { issue: 'carriers' });
  const entries = Object.entries(carriers as Record<string, unknown>);
  if (entries.length > 50)
    throw invalid('carrierGapHours', 'must name at most 50 carriers', { issue: 'carriers' });
  const carrierGapHours: Record<string, number> = {};
  for (const [name, v] of entries) {
    const carrier = name.trim();
    if (!carrier || carrier.length > 20)
      throw invalid(`carrierGapHours.${name}`, 'a carrier name must be 1 to 20 characters', {
        issue: 'length',
      });
    carrierGapHours[carrier] = hours(v, `carrierGapHours.${carrier}`);
  }
  return { defaultGapHours, carrierGapHours };
}

/** What the watch found wrong with a parcel. */
export interface ParcelFlag {
  orderId: string;
  kind: 'stalled' | 'abnormal';
  /** The last tracking event's time (the shipping time when there was none). */
  since: number;
  /** A flag is raised once: the same key is the same flag. */
  key: string;
  /** The carrier's words, for an abnormal event. */
  event?: string;
  /** For the buyer's notice ({parcelIssue}) and the agent's sidebar. */
  issue: { 'zh-CN': string; en: string };
}

/** The carrier's words that mean a parcel is in trouble (Chinese carriers and English ones). */
const ABNORMAL =
  /异常|滞留|延误|延迟|退回|退件|拒收|破损|丢失|遗失|无法派送|派送失败|派件失败|停运|停发|暴雪|暴雨|台风|洪水|管控|问题件|超区|地址不详|地址错误|清关失败|exception|delay|returned|damaged|lost|held|undeliverable|failed delivery/i;
const WEATHER = /暴雪|暴雨|台风|洪水|weather|snow|storm|typhoon|flood/i;
/** Delivered: nothing to watch. */
const DELIVERED = /签收|已送达|delivered/i;

function gapHours(carrier: string | null, s: LogisticsWatchSettings): number {
  if (!carrier) return s.defaultGapHours;
  for (const [name, hours] of Object.entries(s.carrierGapHours)) if (carrier.includes(name)) return hours;
  return s.defaultGapHours;
}

/** The watch's verdict on one order at `now`: a flag, or undefined when all is well. */
export function watchParcel(
  order: WatchedOrder,
  now: number,
  settings: LogisticsWatchSettings = DEFAULT_LOGISTICS_WATCH,
): ParcelFlag | undefined {
  if (order.status !== 'shipped' || order.shippedAt === null) return undefined;
  const events = [...order.logistics].sort((a, b) => a.at - b.at);
  const last = events.at(-1);
  if (last && DELIVERED.test(last.description) && !ABNORMAL.test(last.description)) return undefined;
  const since = last?.at ?? order.shippedAt;
  if (last && ABNORMAL.test(last.description)) {
    const weather = WEATHER.test(last.description);
    return {
      orderId: order.id,
      kind: 'abnormal',
      since,
      key: `${order.id}:abnormal:${since}`,
      event: last.description,
      issue: weather
        ? {
            'zh-CN': `因天气原因暂时延误（物流显示：${last.description}）`,
            en: `is delayed by the weather (tracking: ${last.description})`,
          }
        : {
            'zh-CN': `物流出现异常（物流显示：${last.description}）`,
            en: `has a problem in transit (tracking: ${last.description})`,
          },
    };
  }
  const quietHours = Math.floor((now - since) / HOUR);
  if (quietHours < gapHours(order.carrier, settings)) return undefined;
  return {
    orderId: order.id,
    kind: 'stalled',
    since,
    key: `${order.id}:stalled:${since}`,
    issue: last
      ? {
          'zh-CN': `已经 ${quietHours} 小时没有物流更新`,
          en: `has had no tracking update for ${quietHours} hours`,
        }
      : {
          'zh-CN': `发货 ${quietHours} 小时后仍没有揽收记录`,
          en: `has not been scanned in ${quietHours} hours since it shipped`,
        },
  };
}
