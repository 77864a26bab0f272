/**
 * One simulated year of a shop's chats for bench/metrics, as the rows the conversation store
 * keeps (buyers, conversations, messages, orders, ratings, spot checks). Deterministic for a seed.
 *
 * Shapes: buyers write through the day — most between 10:00 and 22:00, some at 07:00 and 23:00, a
 * few at night; weekends busier; the 618 and Double 11 / Double 12 peaks, a quiet Spring Festival.
 * A conversation has 1–6 buyer turns of 1–3 messages. The bot takes the first turn of some
 * conversations within seconds; one of three agents (fast, middling, slow) answers the rest after
 * seconds to 10 minutes, sometimes later when busy; at night (23:00–08:00) the agent answers the
 * next morning unless the bot does. Some turns are never answered, 1 % of conversations are set
 * aside as spam, about a fifth of buyers pay an order within 4 days, and returning buyers (some on
 * the same day) become after-sales buyers once they have paid. The shop is in Asia/Shanghai
 * (UTC+8, no daylight saving), so local times are UTC + 8 h here.
 */
import { mulberry32 } from '../../packages/server/src/demo/demo-shop';
import type { Database } from '../../packages/server/src/storage/schema';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
const OFFSET = 8 * HOUR;

export type BuyerRow = Omit<Database['buyers'], 'token_gen'>;
export type ConversationRow = Omit<Database['conversations'], 'bot_misses' | 'queue_priority'>;
export type MessageRow = Database['messages'];
export type OrderRow = Database['orders'];
export type RatingRow = Database['conversation_ratings'];
export type ReviewRow = Database['quality_reviews'];

/** One conversation with everything it adds to the database. */
export interface SimConversation {
  /** A buyer first seen with this conversation. */
  buyer?: BuyerRow;
  conversation: ConversationRow;
  /** In time order (strictly increasing created_at), the last one a system message. */
  messages: MessageRow[];
  orders: OrderRow[];
  rating?: RatingRow;
  review?: ReviewRow;
}

export interface SimOptions {
  shopId: string;
  /** Agent ids: fast, middling, slow. */
  agents: readonly [string, string, string];
  /** Local midnight (ms) of the first day. */
  start: number;
  days: number;
  /** Buyer, agent and bot messages wanted over the first `perYearDays` days (system ones extra). */
  messages: number;
  perYearDays: number;
  seed: number;
}

/** Local hour weights (index = hour): quiet at night, some at 07:00 and 23:00, busy 10:00–22:00. */
const HOURS = [
  0.5, 0.25, 0.12, 0.08, 0.06, 0.08, 0.2, 1.2, 2.5, 4, 6, 6.5, 5, 5.5, 6, 6, 5.5, 5, 4.5, 5, 6, 6.5, 5.5, 1.8,
];
const HOUR_TOTAL = HOURS.reduce((a, b) => a + b, 0);

const BUYER_TEXTS = [
  '在吗',
  '这个有货吗？',
  '什么时候发货',
  '能便宜点吗',
  '尺码怎么选',
  '到哪了',
  '可以开发票吗',
  '好的',
  '谢谢',
];
const SHOP_TEXTS = [
  '亲，在的～',
  '亲，有现货哦，48 小时内发货',
  '亲，已经帮您查询了，请稍等',
  '好的亲，感谢支持～',
];

/** Local day string YYYY-MM-DD of a moment (UTC+8). */
export function localDayOf(at: number): string {
  return new Date(at + OFFSET).toISOString().slice(0, 10);
}

/** Local midnight (ms) of a YYYY-MM-DD day (UTC+8). */
export function localMidnight(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) - OFFSET;
}

/** How busy a day is (1 = an ordinary weekday). */
function dayWeight(at: number): number {
  const d = new Date(at + OFFSET);
  const m = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  let w = d.getUTCDay() === 0 || d.getUTCDay() === 6 ? 1.15 : 1;
  if (m === 6 && day <= 18) w *= day >= 16 ? 2.5 : 1.4; // 618
  if (m === 11 && day <= 11) w *= day >= 10 ? 3.5 : 1.5; // Double 11
  if (m === 12 && day === 12) w *= 2; // Double 12
  if ((m === 1 && day >= 27) || (m === 2 && day <= 5)) w *= 0.4; // Spring Festival
  return w;
}

/** A conversation generator: `next(startAt)` returns everything one conversation adds. */
class Simulator {
  private readonly rand: () => number;
  private buyerNo = 0;
  private conversationNo = 0;
  private messageNo = 0;
  private orderNo = 0;
  /** Recent buyers: when their last conversation ended and when they first paid. */
  private readonly recent: { id: string; busyUntil: number; paidAt: number | null }[] = [];

  constructor(
    private readonly o: SimOptions,
    seed: number,
  ) {
    this.rand = mulberry32(seed);
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)]!;
  }

  /** A log-normal delay (ms) with the given median, clamped. */
  private delay(medianMs: number, sigma: number, min: number, max: number): number {
    const z = Math.sqrt(-2 * Math.log(1 - this.rand())) * Math.cos(2 * Math.PI * this.rand());
    return Math.round(Math.min(max, Math.max(min, medianMs * Math.exp(sigma * z))));
  }

  /** A start time on the local day beginning at `midnight`, by the hour weights. */
  startOn(midnight: number): number {
    let r = this.rand() * HOUR_TOTAL;
    let h = 0;
    while (h < 23 && r >= HOURS[h]!) r -= HOURS[h++]!;
    return midnight + h * HOUR + Math.floor(this.rand() * HOUR);
  }

  next(startAt: number): SimConversation {
    const { shopId } = this.o;
    const rand = this.rand;
    const out: SimConversation = { conversation: undefined as never, messages: [], orders: [] };
    // The buyer: a recent one who is not chatting now (35 %), or a new one.
    let buyer = rand() < 0.35 && this.recent.length > 0 ? this.pick(this.recent) : undefined;
    if (buyer && buyer.busyUntil >= startAt) buyer = undefined;
    if (!buyer) {
      const id = `buyer-${String(++this.buyerNo).padStart(7, '0')}`;
      buyer = { id, busyUntil: 0, paidAt: null };
      out.buyer = {
        id,
        shop_id: shopId,
        external_id: null,
        visitor_id: `v-${id}`,
        nick: `买家${this.buyerNo}`,
        phone: null,
        created_at: startAt,
        last_seen_at: startAt,
      };
      this.recent.push(buyer);
      if (this.recent.length > 8000) this.recent.splice(0, this.recent.length - 8000);
    }
    const conversationId = `conv-${String(++this.conversationNo).padStart(7, '0')}`;
    const agentIndex = rand() < 0.4 ? 0 : rand() < 0.58 ? 1 : 2;
    const agentId = this.o.agents[agentIndex]!;
    const medianMs = [25_000, 60_000, 110_000][agentIndex]!;
    const spam = rand() < 0.01;
    const botFirst = !spam && rand() < 0.35;
    const turns = spam ? 1 : 1 + Math.min(5, Math.floor(Math.log(1 - rand()) / Math.log(0.45)));

    let t = startAt;
    let seq = 0;
    let handedOff = false;
    const say = (sender: 'buyer' | 'agent' | 'bot' | 'system', senderId: string | null, text: string) => {
      seq++;
      out.messages.push({
        id: `msg-${String(++this.messageNo).padStart(9, '0')}`,
        shop_id: shopId,
        conversation_id: conversationId,
        seq,
        client_id: `c${seq}`,
        sender,
        sender_id: senderId,
        kind: sender === 'system' ? 'system' : 'text',
        body: JSON.stringify({ text }),
        created_at: t,
      });
    };
    for (let turn = 0; turn < turns; turn++) {
      // The buyer's turn: 1–3 messages (spam: a burst of 3–8).
      const count = spam ? 3 + Math.floor(rand() * 6) : rand() < 0.55 ? 1 : rand() < 0.67 ? 2 : 3;
      for (let i = 0; i < count; i++) {
        if (i > 0) t += spam ? 1_000 + Math.floor(rand() * 3_000) : 5_000 + Math.floor(rand() * 55_000);
        say('buyer', buyer.id, this.pick(BUYER_TEXTS));
      }
      if (spam) break;
      // Unanswered: the buyer gives up (4 % of turns).
      if (rand() < 0.04) break;
      const localHour = Math.floor(((((t + OFFSET) % DAY) + DAY) % DAY) / HOUR);
      const night = localHour >= 23 || localHour < 8;
      let by: 'bot' | 'agent';
      if ((turn === 0 && botFirst) || (night && rand() < 0.3)) {
        by = 'bot';
        t += 1_000 + Math.floor(rand() * 3_000);
      } else if (night) {
        by = 'agent';
        // The morning backlog: answered between 08:00 and 08:45.
        const midnight = t - ((((t + OFFSET) % DAY) + DAY) % DAY);
        const morning = midnight + (localHour >= 23 ? DAY : 0) + 8 * HOUR;
        t = morning + Math.floor(rand() * 45 * 60_000) + 1;
      } else {
        by = 'agent';
        // Busy now and then: 5–15 minutes; otherwise seconds to 10 minutes.
        t +=
          rand() < 0.08 ? 300_000 + Math.floor(rand() * 600_000) : this.delay(medianMs, 0.9, 3_000, 600_000);
      }
      if (by === 'agent') handedOff = true;
      const replies = rand() < 0.7 ? 1 : 2;
      for (let i = 0; i < replies; i++) {
        if (i > 0) t += 2_000 + Math.floor(rand() * 18_000);
        say(by, by === 'agent' ? agentId : null, this.pick(SHOP_TEXTS));
      }
      // The buyer reads and writes again after 10 s – 6 min.
      t += 10_000 + Math.floor(rand() * 350_000);
    }
    t += 60_000 + Math.floor(rand() * 540_000);
    say('system', null, 'conversation ended');
    const endedAt = t;
    buyer.busyUntil = endedAt;

    const agentOf = handedOff || spam ? agentId : null;
    out.conversation = {
      id: conversationId,
      shop_id: shopId,
      buyer_id: buyer.id,
      status: spam ? 'spam' : 'ended',
      open: null,
      agent_id: agentOf,
      last_seq: seq,
      created_at: startAt,
      assigned_at: agentOf ? startAt : null,
      ended_at: endedAt,
      last_message_at: endedAt,
      last_message_preview: 'conversation ended',
      waiting_since: null,
      agent_unread: 0,
      buyer_unread: 0,
      agent_read_seq: seq,
      buyer_read_seq: seq,
      spam_reason: spam ? 'SPAM-1: repeated messages in a burst' : null,
      reported_by: null,
      assign_reason: agentOf ? 'least-loaded' : null,
      queue_group: null,
      queued_at: null,
      channel: null,
    };
    // MET-3: about a fifth pay within 4 days (some after the 3-day attribution); a few never pay.
    if (!spam && rand() < 0.24) {
      const createdAt = startAt + 60_000 + Math.floor(rand() * 4 * DAY);
      const paid = rand() < 0.9;
      const paidAt = paid ? createdAt + 30_000 + Math.floor(rand() * 600_000) : null;
      if (paidAt !== null && buyer.paidAt === null) buyer.paidAt = paidAt;
      out.orders.push({
        id: `order-${String(++this.orderNo).padStart(7, '0')}`,
        shop_id: shopId,
        buyer_id: buyer.id,
        status: paid ? 'paid' : 'pending_payment',
        total_cents: 1_990 + Math.floor(rand() * 50_000),
        carrier: null,
        tracking_no: null,
        created_at: createdAt,
        paid_at: paidAt,
        shipped_at: null,
        items: '[]',
        logistics: '[]',
        updated_at: createdAt,
      });
    }
    const endDay = localDayOf(endedAt);
    if (agentOf && !spam && rand() < 0.12) {
      const r = rand();
      out.rating = {
        conversation_id: conversationId,
        shop_id: shopId,
        buyer_id: buyer.id,
        agent_id: agentOf,
        score: r < 0.55 ? 5 : r < 0.8 ? 4 : r < 0.9 ? 3 : r < 0.95 ? 2 : 1,
        comment: null,
        day: endDay,
        created_at: endedAt + 30_000,
      };
    }
    if (agentOf && !spam && rand() < 0.01) {
      const mark = () => 3 + Math.floor(rand() * 3);
      out.review = {
        conversation_id: conversationId,
        shop_id: shopId,
        agent_id: agentOf,
        reviewer_id: 'agent-demo-owner',
        attitude: mark(),
        accuracy: mark(),
        compliance: mark(),
        solved: rand() < 0.85 ? 1 : 0,
        note: null,
        day: endDay,
        created_at: endedAt + DAY,
      };
    }
    return out;
  }
}

/** Buyer, agent and bot messages per conversation, from a pilot run with another seed. */
function messagesPerConversation(o: SimOptions): number {
  const pilot = new Simulator(o, o.seed ^ 0x5eed);
  let n = 0;
  const runs = 3000;
  for (let i = 0; i < runs; i++)
    n += pilot.next(o.start + i * 600_000).messages.filter((m) => m.sender !== 'system').length;
  return n / runs;
}

/**
 * The conversations of `o.days` days, day by day (each day's in start order), so that the first
 * `o.perYearDays` days hold about `o.messages` buyer, agent and bot messages.
 */
export function* simulateDays(o: SimOptions): Generator<SimConversation> {
  const perConversation = messagesPerConversation(o);
  let weights = 0;
  for (let d = 0; d < o.perYearDays; d++) weights += dayWeight(o.start + d * DAY + 12 * HOUR);
  const perWeight = o.messages / perConversation / weights;
  const sim = new Simulator(o, o.seed);
  const rand = mulberry32(o.seed + 1);
  for (let d = 0; d < o.days; d++) {
    const midnight = o.start + d * DAY;
    const expected = perWeight * dayWeight(midnight + 12 * HOUR);
    const count = Math.max(1, Math.round(expected * (0.9 + 0.2 * rand())));
    const starts = Array.from({ length: count }, () => sim.startOn(midnight)).sort((a, b) => a - b);
    for (const at of starts) yield sim.next(at);
  }
}
