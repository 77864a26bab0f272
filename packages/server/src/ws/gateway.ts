import type { BuyerId, ChatEvent, Conversation, ConversationId, Logger, ShopId } from '@xiaoer/core';
import { canAdminister, canSeeBuyerPii, maskedMessage, maskedPreview, maskPii } from '@xiaoer/core';
import {
  WS_AGENT_NAMESPACE,
  WS_BUYER_NAMESPACE,
  wsOrderCardSchema,
  wsReadSchema,
  wsSendSchema,
  wsSyncSchema,
  wsTypingSchema,
  type Ack,
  type AgentClientToServerEvents,
  type AgentServerToClientEvents,
  type BuyerClientToServerEvents,
  type BuyerServerToClientEvents,
  type ClientToServerCommonEvents,
  type ConversationDto,
  z,
} from '@xiaoer/protocol';
import type { Namespace, Server, Socket } from 'socket.io';
import { parseCookie } from 'cookie';
import {
  agentFromToken,
  buyerFromToken,
  SESSION_COOKIE,
  type AgentContext,
  type BuyerContext,
} from '../http/auth';
import type { AppContext } from '../http/context';
import { toErrorResponse } from '../http/errors';
import { OriginGuard } from '../http/origin';
import { assertValidText } from '../http/text-guard';
import { consumeBuyerMessage } from '../http/routes/widget.routes';
import { DomainError } from '@xiaoer/core';
import { SocketLimits, TypingCoalescer } from './limits';

/** Room names: one per agent, one per buyer, one for a shop's admins (who see every conversation). */
export const rooms = {
  agent: (agentId: string) => `agent:${agentId}`,
  buyer: (buyerId: string) => `buyer:${buyerId}`,
  admins: (shopId: string) => `admins:${shopId}`,
  /** Every socket of an account, whatever its shops (ended at once when its access changes). */
  account: (agentId: string) => `account:${agentId}`,
  /** Every agent of a shop: the bot's conversations are everyone's to watch and take over. */
  agents: (shopId: string) => `agents:${shopId}`,
  /** CMP-7: a shop's agents whose role sees buyers' phones and addresses masked… */
  masked: (shopId: string) => `masked:${shopId}`,
  /** …and each of them alone in that shop (their copy of `agent:<id>` pushes, masked). */
  maskedAgent: (shopId: string, agentId: string) => `masked-agent:${shopId}:${agentId}`,
  /** Issue #18: the consoles watching a shop's live board (its admins' console sockets). */
  live: (shopId: string) => `live:${shopId}`,
};

/** What the gateway keeps on an agent socket (set by the handshake's check). */
interface AgentSocketData {
  me?: AgentContext;
  token?: string;
  /** Issue #14: whom its events are counted against (SocketLimits). */
  sender?: string;
  /** The node's logger naming the agent (set on connection). */
  log?: Logger;
}
/** What the gateway keeps on a buyer socket. */
interface BuyerSocketData {
  me?: BuyerContext;
  sender?: string;
  /** The node's logger naming the buyer and shop (set on connection). */
  log?: Logger;
  /** The conversation an agent holds, known from the last send (skips a look-up on the next). */
  conversationId?: ConversationId;
}
type NoEvents = Record<never, never>;
/** `/agent`, typed with the protocol's maps for it. */
export type AgentNamespace = Namespace<
  AgentClientToServerEvents,
  AgentServerToClientEvents,
  NoEvents,
  AgentSocketData
>;
/** `/buyer`, typed with the protocol's maps for it. */
export type BuyerNamespace = Namespace<
  BuyerClientToServerEvents,
  BuyerServerToClientEvents,
  NoEvents,
  BuyerSocketData
>;
type AgentSocket = Socket<AgentClientToServerEvents, AgentServerToClientEvents, NoEvents, AgentSocketData>;
type BuyerSocket = Socket<BuyerClientToServerEvents, BuyerServerToClientEvents, NoEvents, BuyerSocketData>;

/**
 * The two namespaces with their own event maps: Socket.IO types every namespace with the server's
 * maps, and ours differ per namespace, so every emit and handler goes through these.
 */
export function namespaces(io: Server): { agents: AgentNamespace; buyers: BuyerNamespace } {
  return { agents: io.of(WS_AGENT_NAMESPACE), buyers: io.of(WS_BUYER_NAMESPACE) };
}

/** Issue #18: a shop's live board is told of changes at most once per this many ms (the first at once). */
export const LIVE_PUSH_MS = 1000;

/** Whether a socket is the console's (`auth: {app: 'console'}`): it watches, it is not a workbench. */
function isConsoleSocket(socket: AgentSocket): boolean {
  return (socket.handshake.auth as { app?: unknown } | undefined)?.app === 'console';
}

/**
 * CMP-7: sends an event to agent rooms, full to those who may see buyers' phones and addresses
 * and masked to the others (who are in the masked rooms besides their own).
 */
function emitToAgents<E extends keyof AgentServerToClientEvents>(
  agents: AgentNamespace,
  shopId: string,
  targets: string[],
  except: string[],
  event: E,
  full: Parameters<AgentServerToClientEvents[E]>,
  masked: () => Parameters<AgentServerToClientEvents[E]>,
  singleNode = false,
): void {
  const exceptFull = [...except, rooms.masked(shopId)];
  if (!singleNode || reaches(agents, targets, exceptFull))
    agents
      .to(targets)
      .except(exceptFull)
      .emit(event, ...full);
  const maskedTargets = targets.flatMap(
    (room) =>
      room === rooms.agents(shopId)
        ? [rooms.masked(shopId)]
        : room.startsWith('agent:')
          ? [rooms.maskedAgent(shopId, room.slice('agent:'.length))]
          : [], // admins see everything
  );
  if (maskedTargets.length > 0 && (!singleNode || reaches(agents, maskedTargets, except)))
    agents
      .to(maskedTargets)
      .except(except)
      .emit(event, ...masked());
}

/**
 * Whether an emit to `targets`, less the sockets in `except` (rooms or socket ids), reaches a socket
 * of this node. Issue #20: Socket.IO encodes a packet before it looks for sockets, and most pushes
 * of a message reach no one (the buyer's only socket sent it and has it in its ack; nobody with a
 * masked role is online). Only on a single node: in a cluster the others may hold sockets.
 */
function reaches(
  ns: { adapter: { rooms: Map<string, Set<string>> } },
  targets: string[],
  except: string[],
): boolean {
  const all = ns.adapter.rooms;
  for (const room of targets) {
    const ids = all.get(room);
    if (ids) for (const id of ids) if (!except.some((e) => all.get(e)?.has(id))) return true;
  }
  return false;
}

/** The agent rooms a conversation's events go to. */
function agentTargets(shopId: string, conversation: Conversation): string[] {
  const targets = [rooms.admins(shopId)];
  if (conversation.agentId) targets.push(rooms.agent(conversation.agentId));
  if (conversation.status === 'bot' || conversation.status === 'spam') targets.push(rooms.agents(shopId));
  return targets;
}

/**
 * A client event's handler: parse with the protocol schema → call the core → ack the result or the
 * error body. Whatever a client sends, the process stays up. Registered with the typed socket's
 * `on`, so what `fn` resolves to must be the ack the protocol declares for the event.
 */
function handle<S extends z.ZodType, T>(
  data: { log?: Logger | undefined },
  event: string,
  schema: S,
  fn: (input: z.output<S>) => Promise<T>,
) {
  return async (payload: unknown, maybeAck?: (res: Ack<T>) => void): Promise<void> => {
    // A client may send anything in the ack's place: only a function is called.
    const ack = typeof maybeAck === 'function' ? maybeAck : () => {};
    try {
      assertValidText(payload); // issue #14: NUL and lone surrogates, named
      const input = schema.parse(payload ?? {});
      const data = await fn(input);
      ack({ ok: true, data });
    } catch (error) {
      const { body, internal } = toErrorResponse(error);
      // The socket's logger (set on connection) names the agent or the buyer and shop.
      if (internal) data.log?.error(`ws ${event} failed`, { err: error });
      ack({ ok: false, ...body });
    }
  };
}

/** Caches buyer nicks for the conversation objects pushed to agents. */
class BuyerNicks {
  private readonly cache = new Map<string, string>();
  constructor(private readonly ctx: AppContext) {}
  async present(c: Conversation): Promise<ConversationDto> {
    let nick = this.cache.get(c.buyerId);
    if (nick === undefined) {
      nick = (await this.ctx.storage.buyers.findBuyer(c.shopId, c.buyerId))?.nick ?? '';
      if (this.cache.size > 50_000) this.cache.clear();
      this.cache.set(c.buyerId, nick);
    }
    return { ...c, buyer: { id: c.buyerId, nick } };
  }
}

/** The Socket.IO side: authenticates both namespaces, handles client events, pushes domain events. */
export function attachGateway(
  io: Server,
  ctx: AppContext,
  options: {
    /** No other node shares these namespaces (no Redis adapter): pushes to no one here are skipped. */
    singleNode?: boolean;
  } = {},
): () => void {
  const singleNode = options.singleNode === true;
  const { agents, buyers } = namespaces(io);
  // The socket a message came from already has it in its ack: pushes skip that one socket.
  const senders: Senders = new Map();
  // Issue #14: every client event is counted against its buyer or agent account.
  const limits = new SocketLimits(ctx.config, ctx.logger);
  setupAgents(agents, ctx, senders, limits);
  setupBuyers(buyers, ctx, senders, limits);

  const nicks = new BuyerNicks(ctx);
  // Issue #18: the live board re-reads when its shop changed — statuses, loads, the queue, who
  // waits. Coalesced per shop like typing: the first change at once, then at most one a second.
  const liveChanges = new TypingCoalescer(LIVE_PUSH_MS, ctx.logger);
  const liveChanged = (shopId: string) =>
    liveChanges.offer(shopId, true, async () => {
      agents.to(rooms.live(shopId)).emit('live:changed', { shopId });
    });
  // Events are pushed in the order they were published, even though presenting one may wait on
  // a lookup: a client never sees seq 5 before seq 4.
  let chain: Promise<void> = Promise.resolve();
  const unsubscribe = ctx.events.subscribe((event) => {
    chain = chain
      .then(() => push(event))
      .catch((error: unknown) =>
        ctx.logger.error('ws push failed', { shop: event.shopId, event: event.type, err: error }),
      );
  });

  async function push(event: ChatEvent): Promise<void> {
    if (event.type !== 'conversation.typing' && event.type !== 'conversation.read') liveChanged(event.shopId);
    switch (event.type) {
      case 'message.created': {
        const { conversation, message } = event;
        const key = senderKey(message.senderId, message.clientId);
        const origin = senders.get(key);
        senders.delete(key);
        const skip = origin ? [origin] : [];
        const buyerRoom = rooms.buyer(conversation.buyerId);
        if (!singleNode || reaches(buyers, [buyerRoom], skip))
          buyers.to(buyerRoom).except(skip).emit('message:new', { message, conversation });
        const dto = await nicks.present(conversation);
        emitToAgents(
          agents,
          event.shopId,
          agentTargets(event.shopId, conversation),
          skip,
          'message:new',
          [{ message, conversation: dto }],
          () => [{ message: maskedMessage(message), conversation: maskedPreview(dto) }],
          singleNode,
        );
        return;
      }
      case 'conversation.updated': {
        const { conversation, previousAgentId } = event;
        const dto = await nicks.present(conversation);
        buyers.to(rooms.buyer(conversation.buyerId)).emit('conversation:updated', { conversation });
        // The agent who lost it learns so (admins keep seeing it); CMP-7: masked for outsourced roles.
        if (previousAgentId && previousAgentId !== conversation.agentId) {
          emitToAgents(
            agents,
            event.shopId,
            [rooms.agent(previousAgentId)],
            [rooms.admins(event.shopId)],
            'conversation:updated',
            [{ conversation: dto, removed: true }],
            () => [{ conversation: maskedPreview(dto), removed: true }],
            singleNode,
          );
        }
        emitToAgents(
          agents,
          event.shopId,
          agentTargets(event.shopId, conversation),
          [],
          'conversation:updated',
          [{ conversation: dto }],
          () => [{ conversation: maskedPreview(dto) }],
          singleNode,
        );
        // Everyone who watched it with the bot learns it has left the bot, without its content.
        if (conversation.status !== 'bot' && conversation.status !== 'spam') {
          agents.to(rooms.agents(event.shopId)).emit('conversation:claimed', {
            conversationId: conversation.id,
            status: conversation.status,
            agentId: conversation.agentId,
          });
        }
        return;
      }
      case 'conversation.read': {
        const payload = { conversationId: event.conversationId, reader: event.reader, seq: event.seq };
        buyers.to(rooms.buyer(event.buyerId)).emit('conversation:read', payload);
        const targets = [rooms.admins(event.shopId)];
        if (event.agentId) targets.push(rooms.agent(event.agentId));
        agents.to(targets).emit('conversation:read', payload);
        return;
      }
      case 'conversation.typing': {
        const payload = { conversationId: event.conversationId, who: event.who, isTyping: event.isTyping };
        if (event.who === 'agent') buyers.to(rooms.buyer(event.buyerId)).emit('conversation:typing', payload);
        else if (event.agentId) agents.to(rooms.agent(event.agentId)).emit('conversation:typing', payload);
        return;
      }
      case 'queue.updated': {
        // RT-4: each waiting buyer sees their place and estimated wait; supervisors the whole queue.
        for (const w of event.waiting)
          buyers.to(rooms.buyer(w.buyerId)).emit('queue:position', {
            conversationId: w.conversationId,
            position: w.position,
            etaMinutes: w.etaMinutes,
          });
        // Every agent of the shop sees the queue: any of them may pull the next buyer (RT-6).
        agents.to(rooms.agents(event.shopId)).emit('queue:updated', { waiting: event.waiting });
        return;
      }
      // What agents wrote or a model summarised for the next agent — the model's summary (issue
      // #15), a transfer's note (issue #18): for whoever may read the conversation, never the
      // buyer; phones and addresses masked for roles without CMP-7's right.
      case 'conversation.summary':
      case 'conversation.note': {
        const { conversation } = event;
        const targets = agentTargets(event.shopId, conversation);
        const conversationId = conversation.id;
        if (event.type === 'conversation.summary') {
          const summary = event.summary;
          emitToAgents(
            agents,
            event.shopId,
            targets,
            [],
            'conversation:summary',
            [{ conversationId, summary }],
            () => [{ conversationId, summary: { ...summary, text: maskPii(summary.text).text } }],
            singleNode,
          );
        } else {
          const note = event.note;
          emitToAgents(
            agents,
            event.shopId,
            targets,
            [],
            'conversation:note',
            [{ conversationId, note }],
            () => [{ conversationId, note: { ...note, text: maskPii(note.text).text } }],
            singleNode,
          );
        }
        return;
      }
      case 'agent.status':
        agents.to(rooms.admins(event.shopId)).to(rooms.agent(event.agentId)).emit('agent:status', {
          agentId: event.agentId,
          status: event.status,
        });
        return;
    }
  }

  // Access changed where no socket event told this node (the command line, a missed notice, an
  // expired session): every agent socket's session and shops are re-read every 15 s; one that
  // lost either is ended, and comes back (if it may) with what it may do now.
  const recheck = setInterval(() => {
    void (async () => {
      for (const socket of agents.sockets.values()) {
        const me = socket.data.me;
        if (!me) continue;
        try {
          const now = await agentFromToken(ctx.storage, socket.data.token, ctx.clock.now());
          const shape = (c: AgentContext) =>
            c.memberships
              .map((m) => `${m.shopId}:${m.role}`)
              .sort()
              .join(',');
          if (!now || shape(now) !== shape(me)) {
            socket.emit('account:changed', { change: now ? 'role' : 'disabled' });
            socket.disconnect(true);
          }
        } catch (error) {
          ctx.logger.error('ws session re-check failed', { agent: me.account.id, err: error });
        }
      }
    })();
  }, 15_000);
  recheck.unref();

  return () => {
    clearInterval(recheck);
    limits.close();
    liveChanges.close();
    unsubscribe();
  };
}

/** Sockets that sent a message not yet pushed, by sender and client id. */
type Senders = Map<string, string>;
const senderKey = (senderId: string | null, clientId: string) => `${senderId ?? ''}:${clientId}`;

/** Runs a send for a socket, remembering it as the origin until the push (or forgetting it on failure or a retry). */
async function sendFrom<T extends { duplicate: boolean }>(
  senders: Senders,
  socket: AgentSocket | BuyerSocket,
  senderId: string,
  clientId: string,
  send: () => Promise<T>,
): Promise<T> {
  const key = senderKey(senderId, clientId);
  senders.set(key, socket.id);
  try {
    const result = await send();
    if (result.duplicate) senders.delete(key);
    return result;
  } catch (error) {
    senders.delete(key);
    throw error;
  }
}

/** TEAM-4: an agent socket serves every shop of its account; each event acts in its conversation's shop. */
interface AgentSocketState {
  me: AgentContext;
  /** conversation id → its shop (a conversation never changes shop). */
  shops: Map<string, ShopId>;
}

function setupAgents(ns: AgentNamespace, ctx: AppContext, senders: Senders, limits: SocketLimits): void {
  // Issue #14 (CSRF): a browser sends the cookie with any page's WebSocket handshake; only our own
  // origin (and ALLOWED_ORIGINS) may open the agent socket. The buyer namespace takes any origin.
  const origins = new OriginGuard(ctx.config, (m) => ctx.logger.warn(m));
  ns.use(async (socket, next) => {
    try {
      const refused = origins.refusal(socket.request);
      if (refused)
        return next(
          Object.assign(new Error(`forbidden: ${refused.message}`), { data: toErrorResponse(refused).body }),
        );
      const token = parseCookie(socket.handshake.headers.cookie ?? '')[SESSION_COOKIE];
      const me = await agentFromToken(ctx.storage, token, ctx.clock.now());
      if (!me) return next(new Error('unauthenticated: log in first'));
      socket.data.me = me;
      socket.data.token = token;
      next();
    } catch (error) {
      next(error as Error);
    }
  });
  ns.on('connection', (socket) => {
    const signedIn = socket.data.me;
    if (!signedIn) return void socket.disconnect(true); // the handshake's check sets it
    const me: AgentContext = signedIn;
    const state: AgentSocketState = { me, shops: new Map() };
    const agentId = me.account.id;
    socket.data.log = ctx.logger.child({ agent: agentId });
    limits.guard(socket, `agent:${agentId}`);
    // Issue #18: the console watches the live boards of the shops it administers; it is no
    // workbench — it takes no buyers, so it never counts as the agent being here (RT-8).
    if (isConsoleSocket(socket)) {
      void socket.join([
        rooms.account(agentId),
        ...me.memberships.filter((m) => canAdminister(m.role)).map((m) => rooms.live(m.shopId)),
      ]);
      return;
    }
    void socket.join([rooms.agent(agentId), rooms.account(agentId)]);
    for (const m of me.memberships) {
      void socket.join(rooms.agents(m.shopId));
      if (canAdminister(m.role)) void socket.join(rooms.admins(m.shopId));
      if (!canSeeBuyerPii(m.role))
        void socket.join([rooms.masked(m.shopId), rooms.maskedAgent(m.shopId, agentId)]);
    }
    // Presence (RT-8): the agent counts as here while any socket of theirs is connected.
    const presence = ctx.presence;
    for (const m of me.memberships)
      presence
        .connected(m.shopId, agentId)
        .catch((error: unknown) =>
          ctx.logger.error('presence on connect failed', { shop: m.shopId, agent: agentId, err: error }),
        );
    socket.on('disconnect', () => {
      for (const m of me.memberships) presence.disconnected(m.shopId, agentId);
    });

    /** The shop a conversation belongs to, when the agent serves it (else not found: TEAM-4). */
    async function inShop(conversationId: string) {
      let shopId = state.shops.get(conversationId);
      if (!shopId) {
        shopId = await ctx.storage.conversations.findConversationShop(conversationId as ConversationId);
        if (!shopId || !me.memberships.some((m) => m.shopId === shopId))
          throw new DomainError('not_found', 'conversation not found', 'conversationId');
        if (state.shops.size > 5000) state.shops.clear();
        state.shops.set(conversationId, shopId);
      }
      const membership = me.memberships.find((m) => m.shopId === shopId)!;
      const isAdmin = canAdminister(membership.role);
      return {
        shopId,
        actor: { type: 'agent' as const, agentId, isAdmin },
        masked: !canSeeBuyerPii(membership.role),
      };
    }

    socket.on(
      'message:send',
      handle(
        socket.data,
        'message:send',
        wsSendSchema,
        async ({ conversationId, clientId, confirmWarnings, ...content }) => {
          if (!conversationId)
            throw new DomainError('validation_failed', 'conversationId: required', 'conversationId');
          const { shopId, actor } = await inShop(conversationId);
          const r = await sendFrom(senders, socket, agentId, clientId, () =>
            ctx.chat.sendAgentMessage(shopId, actor, conversationId as ConversationId, clientId, content, {
              confirmWarnings: confirmWarnings === true,
            }),
          );
          return { message: r.message, conversation: r.conversation };
        },
      ),
    );
    socket.on(
      'message:order-card',
      handle(
        socket.data,
        'message:order-card',
        wsOrderCardSchema,
        async ({ conversationId, clientId, orderId }) => {
          const { shopId, actor } = await inShop(conversationId);
          const r = await ctx.chat.sendOrderCard(
            shopId,
            actor,
            conversationId as ConversationId,
            clientId,
            orderId,
          );
          return { message: r.message, conversation: r.conversation };
        },
      ),
    );
    registerCommon(socket, ctx, limits, async (conversationId) => inShop(conversationId));
  });
}

function setupBuyers(ns: BuyerNamespace, ctx: AppContext, senders: Senders, limits: SocketLimits): void {
  ns.use(async (socket, next) => {
    try {
      const token = (socket.handshake.auth as { token?: unknown })?.token;
      const me = await buyerFromToken(
        ctx.storage,
        ctx.secret,
        typeof token === 'string' ? token : undefined,
        ctx.clock.now(),
      );
      if (!me) return next(new Error('unauthenticated: missing or invalid buyer token'));
      socket.data.me = me;
      next();
    } catch (error) {
      next(error as Error);
    }
  });
  ns.on('connection', (socket) => {
    const me = socket.data.me;
    if (!me) return void socket.disconnect(true); // the handshake's check sets it
    const shopId = me.shop.id as ShopId;
    const actor = { type: 'buyer' as const, buyerId: me.buyer.id };
    const scope = { shopId, actor, masked: false };
    socket.data.log = ctx.logger.child({ shop: shopId, buyer: me.buyer.id });
    limits.guard(socket, `buyer:${me.buyer.id}`);
    void socket.join(rooms.buyer(me.buyer.id));
    void sendQueuePosition(socket, ctx, shopId, me.buyer.id as BuyerId);

    socket.on(
      'message:send',
      handle(
        socket.data,
        'message:send',
        wsSendSchema,
        async ({ conversationId: _ignored, clientId, confirmWarnings: _no, ...content }) => {
          await consumeBuyerMessage(ctx, me.buyer.id);
          const known = socket.data.conversationId;
          const r = await sendFrom(senders, socket, me.buyer.id, clientId, () =>
            ctx.chat.sendBuyerMessage(shopId, me.buyer.id, clientId, content, known),
          );
          // Only a conversation an agent holds skips the look-up: with the bot or in the queue, each
          // message is judged for spam (SPAM-1) against the fresh conversation.
          socket.data.conversationId = r.conversation.status === 'assigned' ? r.conversation.id : undefined;
          return { message: r.message, conversation: r.conversation };
        },
      ),
    );
    registerCommon(socket, ctx, limits, async () => scope);
  });
}

/** RT-4: a buyer who (re)connects while queued learns their place at once, not at the next change. */
async function sendQueuePosition(socket: BuyerSocket, ctx: AppContext, shopId: ShopId, buyerId: BuyerId) {
  try {
    const open = await ctx.storage.conversations.findOpenByBuyer(shopId, buyerId);
    if (open?.status !== 'queued') return;
    const mine = (await ctx.routing.queueOf(shopId)).find((w) => w.conversationId === open.id);
    if (mine)
      socket.emit('queue:position', {
        conversationId: mine.conversationId,
        position: mine.position,
        etaMinutes: mine.etaMinutes,
      });
  } catch (error) {
    ctx.logger.error('ws queue position on connect failed', { shop: shopId, buyer: buyerId, err: error });
  }
}

/** Who acts, in which shop, for a conversation (agents: its shop, if they serve it). */
type Scope = (conversationId: string) => Promise<{
  shopId: ShopId;
  actor:
    | { type: 'buyer'; buyerId: BuyerContext['buyer']['id'] }
    | { type: 'agent'; agentId: AgentContext['agent']['id']; isAdmin: boolean };
  /** CMP-7: this agent's role there sees buyers' phones and addresses masked. */
  masked: boolean;
}>;

/** Sync, read receipts and typing: the same for both sides. */
function registerCommon(
  socket: Socket<ClientToServerCommonEvents, NoEvents, NoEvents, AgentSocketData | BuyerSocketData>,
  ctx: AppContext,
  limits: SocketLimits,
  scope: Scope,
): void {
  socket.on(
    'messages:sync',
    handle(socket.data, 'messages:sync', wsSyncSchema, async ({ conversationId, afterSeq }) => {
      const { shopId, actor, masked } = await scope(conversationId);
      const messages = await ctx.chat.syncMessages(shopId, actor, conversationId as ConversationId, afterSeq);
      return { messages: masked ? messages.map(maskedMessage) : messages };
    }),
  );
  socket.on(
    'conversation:read',
    handle(socket.data, 'conversation:read', wsReadSchema, async ({ conversationId, seq }) => {
      const { shopId, actor } = await scope(conversationId);
      const c = await ctx.chat.markRead(shopId, actor, conversationId as ConversationId, seq);
      return { seq: actor.type === 'buyer' ? c.buyerReadSeq : c.agentReadSeq };
    }),
  );
  // Coalesced per sender and conversation (issue #14): at most one relay an interval, the last state.
  socket.on(
    'conversation:typing',
    handle(socket.data, 'conversation:typing', wsTypingSchema, async ({ conversationId, isTyping }) => {
      // Refused at once (403/404 ack) for a conversation the sender may not touch, like every other
      // event; the push itself is coalesced (and checked again when it goes).
      const { shopId, actor } = await scope(conversationId);
      await ctx.chat.getConversationFor(shopId, actor, conversationId as ConversationId);
      limits.typing.offer(`${socket.data.sender}:${conversationId}`, isTyping, async (state) => {
        await ctx.chat.setTyping(shopId, actor, conversationId as ConversationId, state);
      });
      return {};
    }),
  );
}
