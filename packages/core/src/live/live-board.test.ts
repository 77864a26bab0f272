import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Agent } from '../agents/agent.types';
import { newConversation } from '../conversations/conversation.service';
import type { Conversation } from '../conversations/conversation.types';
import type { AgentId, BuyerId, ConversationId, ShopId } from '../kernel';
import { agentsAtRisk, alertForAgent, dayMetrics, type BuyerDayFacts } from '../metrics/figures';
import {
  applyMessage,
  touchedDays,
  type BuyerDay,
  type ConversationTiming,
  type MetricMessage,
} from '../metrics/ledger';
import { DEFAULT_METRICS_SETTINGS } from '../metrics/metrics.types';
import { assembleLiveBoard, type LiveBoardInput } from './live-board';

const TZ = 'Asia/Shanghai';
const DAY = '2026-11-25';
const SHOP = 'shop-1' as ShopId;
const at = (hhmm: string) => Date.parse(`${DAY}T${hhmm}:00+08:00`);

function agent(id: string, name: string, fields: Partial<Agent> = {}): Agent {
  return {
    id: id as AgentId,
    shopId: SHOP,
    email: `${id}@x.test`,
    name,
    role: 'agent',
    status: 'online',
    chosenStatus: 'online',
    disabledAt: null,
    maxConcurrent: 3,
    takesRouting: true,
    createdAt: 0,
    ...fields,
  };
}

/** An open conversation of buyer `b` (id `c-<b>`, nick `买家<b>`). */
function conversation(b: string, fields: Partial<Conversation>): Conversation & { buyerNick: string } {
  const c = newConversation(`c-${b}` as ConversationId, SHOP, b as BuyerId, at('09:00'), {
    status: 'assigned',
    ...fields,
  });
  return { ...c, ...fields, buyerNick: `买家${b}` };
}

/** Today's buyer-day rows as the server stores them, from messages replayed through the ledger. */
function rowsOf(
  messages: { b: string; sender: 'buyer' | 'agent' | 'bot'; by?: string; at: string }[],
  facts: { agentOf: Record<string, string | null>; spam?: string[] },
): BuyerDayFacts[] {
  const rows = new Map<string, BuyerDay>();
  const timings = new Map<string, ConversationTiming>();
  for (const m of messages) {
    const message: MetricMessage = {
      conversationId: `c-${m.b}`,
      buyerId: m.b,
      sender: m.sender,
      agentId: m.by ?? null,
      at: at(m.at),
    };
    const touched = touchedDays(message, TZ).flatMap((d) => rows.get(`${d}|${m.b}`) ?? []);
    const effect = applyMessage(
      message,
      touched,
      timings.get(message.conversationId),
      DEFAULT_METRICS_SETTINGS,
      TZ,
    );
    for (const r of effect.buyerDays) rows.set(`${r.day}|${r.buyerId}`, r);
    timings.set(message.conversationId, effect.timing);
  }
  return [...rows.values()].map((r) => ({
    ...r,
    spam: facts.spam?.includes(r.buyerId) ?? false,
    segment: 'pre' as const,
    agentId: facts.agentOf[r.buyerId] ?? null,
    paidAt: null,
  }));
}

/** A shop at 10:05: 小美 holds two buyers (one waiting since 10:02), 小王 is hung up, 小李 offline. */
function shopAt10(): LiveBoardInput {
  const rows = rowsOf(
    [
      { b: 'b1', sender: 'buyer', at: '10:00' },
      { b: 'b1', sender: 'agent', by: 'a1', at: '10:01' },
      { b: 'b2', sender: 'buyer', at: '10:02' },
      { b: 'b3', sender: 'buyer', at: '10:03' },
      { b: 'b4', sender: 'buyer', at: '09:30' },
      { b: 'b4', sender: 'agent', by: 'a2', at: '09:40' },
      { b: 'spam', sender: 'buyer', at: '10:04' },
    ],
    { agentOf: { b1: 'a1', b2: 'a1', b3: 'a1', b4: 'a2', spam: null }, spam: ['spam'] },
  );
  return {
    date: DAY,
    now: at('10:05'),
    settings: DEFAULT_METRICS_SETTINGS,
    agents: [
      agent('a3', '小李', { status: 'offline' }),
      agent('a2', '小王', { status: 'hung_up', maxConcurrent: 5 }),
      agent('a1', '小美'),
      agent('gone', '已停用', { disabledAt: 1 }),
    ],
    open: [
      conversation('b1', { agentId: 'a1' as AgentId, waitingSince: null }),
      conversation('b2', { agentId: 'a1' as AgentId, waitingSince: at('10:02') }),
      conversation('b3', { agentId: 'a1' as AgentId, waitingSince: at('10:03') }),
      conversation('b4', { agentId: 'a2' as AgentId, waitingSince: null }),
      conversation('q1', { status: 'queued', queuedAt: at('10:04'), waitingSince: at('10:04') }),
      conversation('q2', { status: 'queued', queuedAt: at('09:58'), queuePriority: true }),
      conversation('bot', { status: 'bot', waitingSince: at('10:04') }),
      conversation('spam', { status: 'spam', spamReason: 'reported' }),
    ],
    rows,
  };
}

describe('live board (issue #18)', () => {
  it('each agent: status, load against cap, oldest waiting buyer of theirs; online first, disabled left off', () => {
    const board = assembleLiveBoard(shopAt10());
    assert.deepEqual(
      board.agents.map((a) => [a.name, a.status, a.load, a.cap, a.waiting, a.oldestWaiting?.nick ?? null]),
      [
        ['小美', 'online', 3, 3, 2, '买家b2'],
        ['小王', 'hung_up', 1, 5, 0, null],
        ['小李', 'offline', 0, 3, 0, null],
      ],
    );
    assert.equal(board.agents[0]!.oldestWaiting!.since, at('10:02'));
    assert.equal(board.agents[0]!.oldestWaiting!.conversationId, 'c-b2');
  });

  it('RT-4 the queue: how many wait, how many in the priority lane, and since when the first does', () => {
    const board = assembleLiveBoard(shopAt10());
    assert.equal(board.queue.count, 2);
    assert.equal(board.queue.priority, 1);
    assert.equal(board.queue.oldestSince, at('09:58'));
    assert.equal(board.queue.oldest?.nick, '买家q2');
    assert.equal(board.bot, 1);
    assert.equal(board.spam, 1);
  });

  it('MET-1 reply rate so far today per agent and for the shop, as the dashboard counts it; SPAM-1 not counted', () => {
    const input = shopAt10();
    const board = assembleLiveBoard(input);
    const day = dayMetrics({
      date: DAY,
      timeZone: TZ,
      settings: input.settings,
      now: input.now,
      rows: input.rows,
      responses: [],
      ratings: [],
      reviews: [],
      agentNames: new Map(),
    });
    assert.equal(board.today.replyRate, day.shop.replyRate, 'the same figure as the dashboard');
    assert.deepEqual(
      [board.today.consultations, board.today.replied, board.today.pending],
      [day.shop.consultations, day.shop.replied, day.shop.pending],
    );
    // 小美: b1 answered in time, b2 and b3 still within their minutes (pending, not yet decided).
    const mei = board.agents.find((a) => a.agentId === 'a1')!;
    assert.deepEqual([mei.today.consultations, mei.today.replied, mei.today.pending], [3, 1, 2]);
    assert.equal(mei.today.replyRate, 1);
    // The suspected spammer waits too, but is no consultation and no risk (SPAM-1).
    assert.equal(board.today.consultations, 4);
    assert.ok(!board.alert?.atRisk.some((r) => r.buyerId === 'spam'));
  });

  it('MET-5 the alert names the buyers at risk with their nicks and agents; each agent hears only of theirs', () => {
    const board = assembleLiveBoard(shopAt10());
    // b1 answered in time, b4 answered late: if b2 and b3 miss as well, 1 of 4 (25 %) < 80 %.
    assert.ok(board.alert, 'two buyers waiting could sink the rate');
    assert.equal(board.alert.projectedRate, 0.25);
    assert.deepEqual(
      board.alert.atRisk.map((r) => [r.nick, r.agentId]),
      [
        ['买家b2', 'a1'],
        ['买家b3', 'a1'],
      ],
    );
    assert.deepEqual(agentsAtRisk(board.alert), ['a1']);
    assert.equal(alertForAgent(board.alert, 'a1')?.atRisk.length, 2);
    assert.equal(alertForAgent(board.alert, 'a2'), null, 'none of 小王’s buyers is at risk');
    assert.equal(alertForAgent(null, 'a1'), null);
  });

  it('an agent who goes offline moves to the end of the board as offline', () => {
    const input = shopAt10();
    const board = assembleLiveBoard({
      ...input,
      agents: input.agents.map((a) => (a.id === 'a1' ? { ...a, status: 'offline' as const } : a)),
    });
    assert.deepEqual(
      board.agents.map((a) => [a.name, a.status]),
      [
        ['小王', 'hung_up'],
        ['小李', 'offline'],
        ['小美', 'offline'],
      ],
    );
  });

  it('a quiet shop: nobody waits, no rate yet, no alert', () => {
    const board = assembleLiveBoard({ ...shopAt10(), open: [], rows: [] });
    assert.equal(board.queue.count, 0);
    assert.equal(board.queue.oldestSince, null);
    assert.equal(board.today.replyRate, null);
    assert.equal(board.alert, null);
    assert.ok(
      board.agents.every((a) => a.load === 0 && a.oldestWaiting === null && a.today.replyRate === null),
    );
  });
});
