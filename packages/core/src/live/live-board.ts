/**
 * The supervisors' live board (issue #18): every agent's status, load against cap, the buyer of
 * theirs who has waited longest, their reply rate so far today; the queue; the shop's reply rate
 * so far today and the MET-5 alert. Pure: assembled from what the caller read.
 */
import type { Agent, AgentRole, AgentStatus } from '../agents/agent.types';
import type { Conversation } from '../conversations/conversation.types';
import {
  consultationState,
  replyRateAlert,
  type BuyerDayFacts,
  type ReplyRateAlert,
} from '../metrics/figures';
import type { MetricsSettings } from '../metrics/metrics.types';

/** A buyer waiting for an answer: who, in which conversation, since when (ms). */
export interface WaitingBuyer {
  conversationId: string;
  buyerId: string;
  nick: string;
  since: number;
}

/** MET-1 so far today: decided consultations and how many were answered in time. */
export interface ReplyTally {
  consultations: number;
  replied: number;
  /** Still within their minutes, not answered yet: not counted either way until they are. */
  pending: number;
  /** replied / (consultations − pending); null before any is decided. */
  replyRate: number | null;
}

/** One agent's row on the board. */
export interface LiveAgent {
  agentId: string;
  name: string;
  role: AgentRole;
  /** RT-8: what routing reads now. */
  status: AgentStatus;
  /** RT-6: false for accounts never assigned automatically. */
  takesRouting: boolean;
  /** Conversations they hold now (RT-4). */
  load: number;
  cap: number;
  /** Their buyers waiting for an answer now. */
  waiting: number;
  /** The one of them who has waited longest; null when nobody waits on them. */
  oldestWaiting: WaitingBuyer | null;
  /** MET-1 so far today for the consultations they answer or hold (the dashboard's attribution). */
  today: ReplyTally;
}

/** MET-5 with the nicks of the buyers it names. */
export type LiveAlert = Omit<ReplyRateAlert, 'atRisk'> & {
  atRisk: (ReplyRateAlert['atRisk'][number] & { nick: string })[];
};

/** What GET /api/admin/live answers. */
export interface LiveBoard {
  /** The shop's today (YYYY-MM-DD) and the moment the board was assembled (ms). */
  date: string;
  at: number;
  replyMinutes: number;
  threshold: number;
  agents: LiveAgent[];
  /** RT-4: buyers in the queue, how many in the priority lane, and since when the first waits. */
  queue: { count: number; priority: number; oldestSince: number | null; oldest: WaitingBuyer | null };
  /** Conversations the bot holds now (BOT-1) and set aside as suspected spam (SPAM-1). */
  bot: number;
  spam: number;
  /** MET-1 so far today, the whole shop (suspected spam excluded, SPAM-1). */
  today: ReplyTally;
  /** MET-5: null while the rate cannot fall below the threshold. */
  alert: LiveAlert | null;
}

/** What the board is assembled from. */
export interface LiveBoardInput {
  date: string;
  now: number;
  settings: MetricsSettings;
  /** The shop's agents (disabled ones are left off the board). */
  agents: readonly Agent[];
  /** The shop's open conversations (any status but ended), with their buyers' nicks. */
  open: readonly (Conversation & { buyerNick: string })[];
  /** Today's buyer-day roll-ups (MET-1). */
  rows: readonly BuyerDayFacts[];
}

const STATUS_ORDER: Record<AgentStatus, number> = { online: 0, hung_up: 1, offline: 2 };

function tally(): ReplyTally {
  return { consultations: 0, replied: 0, pending: 0, replyRate: null };
}

function settle(t: ReplyTally): ReplyTally {
  const decided = t.consultations - t.pending;
  return {
    ...t,
    replyRate: decided === 0 ? null : Math.round((t.replied / decided) * 10_000) / 10_000,
  };
}

/** Assembles the live board (pure): agents online first, then hung up, then offline, by name. */
export function assembleLiveBoard(input: LiveBoardInput): LiveBoard {
  const { settings, now } = input;
  const nicks = new Map<string, string>(input.open.map((c) => [c.buyerId, c.buyerNick]));
  const waitingOf = (c: Conversation & { buyerNick: string }, since: number): WaitingBuyer => ({
    conversationId: c.id,
    buyerId: c.buyerId,
    nick: c.buyerNick,
    since,
  });

  // RT-4: what each agent holds, and which of their buyers waits for an answer.
  const held = new Map<string, { load: number; waiting: number; oldest: WaitingBuyer | null }>();
  const queued: WaitingBuyer[] = [];
  let priority = 0;
  let bot = 0;
  let spam = 0;
  for (const c of input.open) {
    if (c.status === 'assigned' && c.agentId) {
      const h = held.get(c.agentId) ?? { load: 0, waiting: 0, oldest: null };
      h.load++;
      if (c.waitingSince !== null) {
        h.waiting++;
        if (!h.oldest || c.waitingSince < h.oldest.since) h.oldest = waitingOf(c, c.waitingSince);
      }
      held.set(c.agentId, h);
    } else if (c.status === 'queued') {
      // In the queue since routing queued it; one not routed yet since the buyer began to wait.
      queued.push(waitingOf(c, c.queuedAt ?? c.waitingSince ?? c.createdAt));
      if (c.queuePriority) priority++;
    } else if (c.status === 'bot') bot++;
    else if (c.status === 'spam') spam++;
  }
  queued.sort((a, b) => a.since - b.since);

  // MET-1 so far today, per agent as the dashboard attributes a consultation (who replied, else
  // who holds it) and for the shop; suspected spam does not count (SPAM-1).
  const shop = tally();
  const perAgent = new Map<string, ReplyTally>();
  for (const r of input.rows) {
    if (r.spam) continue;
    const state = consultationState(r, settings, now);
    if (state === 'none') continue;
    const agentId = r.repliedBy && r.repliedBy !== 'bot' ? r.repliedBy : r.agentId;
    const targets = [shop];
    if (agentId) {
      let t = perAgent.get(agentId);
      if (!t) perAgent.set(agentId, (t = tally()));
      targets.push(t);
    }
    for (const t of targets) {
      t.consultations++;
      if (state === 'replied') t.replied++;
      else if (state === 'pending') t.pending++;
    }
  }

  const agents: LiveAgent[] = input.agents
    .filter((a) => a.disabledAt === null)
    .map((a) => {
      const h = held.get(a.id);
      return {
        agentId: a.id,
        name: a.name,
        role: a.role,
        status: a.status,
        takesRouting: a.takesRouting,
        load: h?.load ?? 0,
        cap: a.maxConcurrent,
        waiting: h?.waiting ?? 0,
        oldestWaiting: h?.oldest ?? null,
        today: settle(perAgent.get(a.id) ?? tally()),
      };
    })
    .sort(
      (x, y) =>
        STATUS_ORDER[x.status] - STATUS_ORDER[y.status] ||
        x.name.localeCompare(y.name, 'zh-CN') ||
        x.agentId.localeCompare(y.agentId),
    );

  const alert = replyRateAlert(input.date, input.rows, settings, now);
  return {
    date: input.date,
    at: now,
    replyMinutes: settings.replyMinutes,
    threshold: settings.threshold,
    agents,
    queue: {
      count: queued.length,
      priority,
      oldestSince: queued[0]?.since ?? null,
      oldest: queued[0] ?? null,
    },
    bot,
    spam,
    today: settle(shop),
    alert: alert && {
      ...alert,
      atRisk: alert.atRisk.map((r) => ({ ...r, nick: nicks.get(r.buyerId) ?? '' })),
    },
  };
}
