import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import {
  agentsAtRisk,
  alertForAgent,
  BotService,
  ChatService,
  ComplianceGuard,
  createChecker,
  DAY,
  isNewCustomerPriority,
  PROFILE_ORDER_WINDOW_DAYS,
  judgeSpam,
  randomIds,
  systemClock,
  TeamService,
  type AccessChange,
  type Clock,
  type ShopId,
} from '@xiaoer/core';
import { apiKeyRoutes } from './http/routes/api-key.routes';
import { v1Routes } from './http/routes/v1.routes';
import { webhookRoutes } from './http/routes/webhook.routes';
import { importRoutes } from './http/routes/import.routes';
import { apiDocsRoutes } from './http/routes/api-docs.routes';
import { TransferSummaries } from './bot/transfer-summary';
import { ShopModels } from './bot/model-provider';
import { FaqCache } from './bot/faq-cache';
import { hashPassword } from './auth/password';
import { passwordProblem } from './auth/password-strength';
import Fastify, { type FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { Server } from 'socket.io';
import type { Config } from './config';
import { EventBus } from './events/event-bus';
import type { AppContext } from './http/context';
import { toErrorResponse } from './http/errors';
import { OriginGuard, originCheck } from './http/origin';
import { refuseInvalidText } from './http/text-guard';
import { securityHeaders } from './http/security-headers';
import { adminRoutes } from './http/routes/admin.routes';
import { authRoutes } from './http/routes/auth.routes';
import { buyerRoutes } from './http/routes/buyer.routes';
import { conversationRoutes } from './http/routes/conversation.routes';
import { modelRoutes } from './http/routes/model.routes';
import { faqRoutes } from './http/routes/faq.routes';
import { pageRoutes } from './http/routes/page.routes';
import { quickReplyRoutes } from './http/routes/quick-reply.routes';
import { routingRoutes } from './http/routes/routing.routes';
import { setupRoutes } from './http/routes/setup.routes';
import { complianceRoutes } from './http/routes/compliance.routes';
import { complianceModel } from './compliance/model';
import { ImageCodeReader, uploadImageCodes } from './compliance/image-codes';
import { metricsRoutes } from './http/routes/metrics.routes';
import { liveRoutes } from './http/routes/live.routes';
import { spamRoutes } from './http/routes/spam.routes';
import { shopBlockList } from './bot/block-list';
import { historyRoutes } from './http/routes/history.routes';
import { staffingRoutes } from './http/routes/staffing.routes';
import { aftersalesRoutes } from './http/routes/aftersales.routes';
import {
  AFTERSALES_ALERT_TIMER,
  AFTERSALES_STEP_TIMER,
  AFTERSALES_TIMER,
  AftersalesService,
  buyerCaseView,
  caseView,
} from './aftersales/aftersales.service';
import { MetricsService } from './metrics/metrics.service';
import { PgAdvisoryLock } from './cluster/pg-lock';
import { RedisPeerBus } from './cluster/bus';
import { WebhookDispatcher } from './integration/webhook-dispatcher';
import { RedisPresence } from './cluster/presence';
import { LocalPresence } from './cluster/local-presence';
import { NodeClaim } from './cluster/node-claim';
import { TimerScheduler } from './jobs/scheduler';
import { PROMISE_TIMER_KIND, PromiseWatch } from './compliance/promise-watch';
import { healthRoutes } from './http/routes/health.routes';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { uploadRoutes } from './http/routes/upload.routes';
import { widgetRoutes } from './http/routes/widget.routes';
import { openStorage, type Storage } from './storage';
import { attachGateway, namespaces, rooms } from './ws/gateway';
import { WS_AGENT_NAMESPACE, WS_BUYER_NAMESPACE } from '@xiaoer/protocol';

/** A running (or ready to run) xiaoer node. */
export interface XiaoerServer {
  app: FastifyInstance;
  io: Server;
  ctx: AppContext;
  /** Durable timers: set by any node, fired by worker nodes. */
  scheduler: TimerScheduler;
  /** Issue #16: delivers the webhook outbox (running on worker nodes). */
  dispatcher: WebhookDispatcher;
  /** Listens on the configured host and port; returns the base URL. */
  listen(): Promise<string>;
  /**
   * Shuts down gracefully: `/ready` turns 503, no new connections are taken, sockets are closed
   * over up to `drainMs` (clients reconnect, through the load balancer, to other nodes), work in
   * hand finishes, then everything closes.
   */
  close(options?: { drainMs?: number }): Promise<void>;
}

/** The buyer-token secret: from config, or made once and kept in the database. */
async function resolveSecret(config: Config, storage: Storage): Promise<string> {
  if (config.SECRET) return config.SECRET;
  const k = storage.db.kysely;
  const row = await k.selectFrom('kv').select('value').where('key', '=', 'secret').executeTakeFirst();
  if (row) return row.value;
  const secret = randomBytes(32).toString('base64url');
  await k
    .insertInto('kv')
    .values({ key: 'secret', value: secret })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const stored = await k
    .selectFrom('kv')
    .select('value')
    .where('key', '=', 'secret')
    .executeTakeFirstOrThrow();
  return stored.value;
}

/** Composes storage, the core services, HTTP routes and the Socket.IO gateway (the composition root). */
export async function createServer(
  config: Config,
  options: { storage?: Storage; clock?: Clock } = {},
): Promise<XiaoerServer> {
  const storage = options.storage ?? (await openStorage(config.DATABASE_URL));
  // Issue #13: whether the demo shop is served (its page, logins and widget).
  storage.demo.configure(config.DEMO);
  const clock = options.clock ?? systemClock;
  const roles = config.ROLE;
  const node = {
    id: config.NODE_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    draining: false,
  };
  const events = new EventBus();
  // Cluster mode: Redis (Socket.IO streams, and pub/sub between nodes for cache edits).
  const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: null }) : undefined;
  if (redis) {
    // ioredis reconnects on its own; say so once per outage rather than at every retry.
    let down = false;
    redis.on('error', (error: Error) => {
      if (!down) console.error(`redis unreachable, reconnecting: ${error.message}`);
      down = true;
    });
    redis.on('ready', () => {
      if (down) console.error('redis reachable again');
      down = false;
    });
  }
  // No two running nodes share a name (their timer claims and presence beats would mix).
  const nodeClaim = redis
    ? await NodeClaim.acquire(
        redis,
        config.REDIS_PREFIX,
        node.id,
        config.PRESENCE_EXPIRY_SECONDS * 1000,
      ).catch((error: unknown) => {
        redis.disconnect();
        throw error;
      })
    : undefined;
  const peers = redis ? new RedisPeerBus(redis, config.REDIS_PREFIX) : undefined;
  const faq = new FaqCache(storage, peers);
  // Issue #15: each shop's optional model provider (nothing is called unless the shop sets one).
  const models = new ShopModels(storage, faq, () => clock.now());
  await faq.listen();
  const recentOrders = (
    shopId: Parameters<typeof storage.orders.listBuyerOrders>[0],
    buyerId: Parameters<typeof storage.orders.listBuyerOrders>[1],
  ) => storage.orders.listBuyerOrders(shopId, buyerId, 0); // all of them: RT-7 needs the first payment ever
  // CMP-1 … CMP-5: every agent text is screened before it is stored; the shop's checker is
  // compiled once per settings. The buyer's orders of the last 90 days are never taken for phone
  // or bank-card numbers.
  const imageCodeReader = new ImageCodeReader();
  const complianceReader = complianceModel().reader;
  const compliance = new ComplianceGuard({
    store: storage.compliance,
    // Issue #17: the lexicons and the statistical layer (trained on the corpus once per process).
    compile: (settings) => createChecker(settings, clock, complianceReader),
    orders: (shopId, buyerId) =>
      storage.orders.listBuyerOrders(shopId, buyerId, clock.now() - PROFILE_ORDER_WINDOW_DAYS * DAY),
    clock,
    ids: randomIds,
    timeZone: async (shopId) => (await storage.shops.findShop(shopId))?.timeZone ?? 'Asia/Shanghai',
    // CMP-3 for images (issue #14): QR codes and barcodes in an uploaded image, decoded off-thread.
    imageCodes: uploadImageCodes(storage.uploads, imageCodeReader),
    secondOpinion: models.secondOpinion,
    // Issue #19 (CMP-4): a recorded promise is checked against what happens (below).
    promisesRecorded: (promises) =>
      promiseWatch.recorded(promises).catch((error) => console.error('CMP-4 promise check failed', error)),
  });
  // Cluster mode (issue #7): a shop's routing steps and metric updates are serialized across
  // nodes by a PostgreSQL advisory lock; Socket.IO events cross nodes through Redis streams.
  const clustered = config.REDIS_URL !== undefined;
  const shopLock = clustered ? new PgAdvisoryLock(config.DATABASE_URL) : undefined;
  const chat = new ChatService({
    ...(shopLock ? { lock: { run: (shopId, fn) => shopLock.run(`routing:${shopId}`, fn) } } : {}),
    compliance,
    // SPAM-1: reporting an advertiser puts them on the shop's block list; the undo takes them off.
    blockList: shopBlockList(storage, faq),
    proactiveLog: (shopId, buyerId, agentId, conversationId, at) =>
      storage.compliance.recordProactive(shopId, buyerId, agentId, conversationId, at),
    conversations: storage.conversations,
    agents: storage.agents,
    orders: storage.orders,
    events,
    clock,
    ids: randomIds,
    routing: storage.routing,
    // RT-9: a lingering slot's release is a durable timer (one node fires it, a restart keeps it).
    scheduleRebalance: async (shopId, at) => {
      await scheduler.schedule({
        id: `routing.release:${shopId}:${at}`,
        kind: 'routing.release',
        shopId,
        dueAt: at,
      });
    },
    // BOT-5: the shop's service hours, in what a buyer waiting for nobody is told.
    serviceHours: async (shopId) => (await storage.shops.findShop(shopId))?.serviceHours ?? '',
    // BOT-1: the bot answers first when the shop has it on; RT-7: new customers skip it.
    openingStatus: async (shopId, buyerId) => {
      if (!(await faq.faqFor(shopId))) return 'queued';
      return isNewCustomerPriority(await recentOrders(shopId, buyerId), clock.now()) ? 'queued' : 'bot';
    },
  });
  // SPAM-1: the buyer's latest text messages in a conversation (kept in memory, loaded once from
  // the database) and the shop's block list.
  const samples = new Map<string, { text: string; at: number }[]>();
  chat.setSpamJudge(async (shopId, conversation, text, stored) => {
    const { settings } = await faq.indexFor(shopId);
    const blockList = settings.blockedBuyers ?? [];
    const buyer =
      blockList.length > 0 ? await storage.buyers.findBuyer(shopId, conversation.buyerId) : undefined;
    const blocked =
      !!buyer &&
      (blockList.includes(buyer.id) || (buyer.externalId !== null && blockList.includes(buyer.externalId)));
    let recent = samples.get(conversation.id);
    if (!recent) {
      const upTo = conversation.lastSeq - (stored ? 1 : 0);
      const rows = await storage.conversations.listMessages(
        shopId,
        conversation.id,
        Math.max(0, upTo - 10),
        10,
      );
      recent = rows.flatMap((m) =>
        m.sender === 'buyer' && m.kind === 'text' && m.seq <= upTo
          ? [{ text: m.body.text, at: m.createdAt }]
          : [],
      );
      if (samples.size > 10_000) samples.delete(samples.keys().next().value as string);
    }
    recent = [...recent, { text, at: clock.now() }].slice(-10);
    samples.delete(conversation.id);
    samples.set(conversation.id, recent);
    return judgeSpam({ recent, blocked });
  });
  const bot = new BotService({
    chat,
    faqFor: (shopId) => faq.faqFor(shopId),
    ordersOf: recentOrders,
    ids: randomIds,
    model: models,
  });
  events.subscribe((event) => {
    if (
      event.type !== 'message.created' ||
      event.message.sender !== 'buyer' ||
      (event.conversation.status !== 'bot' && event.conversation.status !== 'queued')
    )
      return;
    bot
      .onBuyerMessage(event.conversation, event.message)
      .catch((error) => console.error('bot turn failed', error));
  });
  // Issue #15: a summary for the person a conversation goes to (when the shop's model is set so).
  const summaries = new TransferSummaries(storage, models, events, () => clock.now());
  events.subscribe((event) => void summaries.onEvent(event));
  // MET-1 … MET-6: roll-ups follow every message (MET-5 alerts: a durable timer, below).
  const metrics = new MetricsService(
    storage,
    clock,
    shopLock ? { run: (shopId, fn) => shopLock.run(`metrics:${shopId}`, fn) } : undefined,
  );
  events.subscribe((event) => {
    metrics.ingest(event).catch((error) => console.error('metrics ingest failed', error));
  });
  // Durable timers (ARCHITECTURE.md): any node sets them, worker nodes fire them, once.
  const scheduler = new TimerScheduler({
    timers: storage.timers,
    clock,
    nodeId: node.id,
    pollMs: config.TIMER_POLL_MS,
    handlers: {
      'routing.release': async (timer) => {
        if (timer.shopId) await chat.rebalance(timer.shopId as ShopId);
      },
      // Issue #19 (CMP-4): a promise's at-risk time and due time.
      [PROMISE_TIMER_KIND]: (timer): Promise<void> => promiseWatch.onTimer(timer),
      // MET-5: alerts re-evaluated every 20 s, by one node of the cluster.
      'metrics.alerts': async () => {
        await metrics.checkAlerts();
        return { repeatAt: clock.now() + 20_000 };
      },
      // RT-9 safety net: a linger release whose timer a node died before setting (between the
      // chat's end and the timer's insert) waits at most a minute.
      // Conversations left unrouted by a writer without a routing step (the command line's
      // disable) are routed by the same sweep.
      'routing.sweep': async () => {
        const unrouted = new Set(await storage.routing.shopsWithUnrouted());
        for (const shopId of await storage.shops.listShopIds())
          if (unrouted.has(shopId) || (await storage.routing.settings(shopId)).lingerMinutes > 0)
            await chat.rebalance(shopId);
        return { repeatAt: clock.now() + 60_000 };
      },
      // Issue #19 (AS-2): a case's deadline, a step the connector did not confirm, an alert.
      [AFTERSALES_TIMER]: async (timer) => aftersales.onDeadline(timer),
      [AFTERSALES_STEP_TIMER]: async (timer) => aftersales.onStepTimeout(timer),
      [AFTERSALES_ALERT_TIMER]: async (timer) => aftersales.onAlertTimer(timer),
      // Issue #14: uploads nothing uses, past UPLOAD_ORPHAN_HOURS, removed hourly by one node.
      'uploads.sweep': async () => {
        const now = clock.now();
        await storage.uploads.sweepOrphans(now - config.UPLOAD_ORPHAN_HOURS * 3_600_000, now);
        return { repeatAt: clock.now() + 3_600_000 };
      },
      // Raw timing state past each shop's retention, and timers fired a week ago, dropped hourly.
      'housekeeping.prune': async () => {
        for (const shopId of await storage.shops.listShopIds()) await metrics.prune(shopId);
        await storage.timers.prune(clock.now() - 7 * DAY);
        // Issue #16: the webhook delivery log keeps 30 days.
        await storage.webhooks.prune(clock.now() - 30 * DAY);
        await storage.channels.prune(clock.now() - 30 * DAY);
        // Issue #14: used identity nonces, once their identity has expired.
        await storage.kv.pruneExpired(clock.now());
        // Issue #14: expired login sessions are deleted, not kept for ever.
        await storage.sessions.deleteExpired(clock.now());
        return { repeatAt: clock.now() + 3_600_000 };
      },
    },
  });
  // Issue #19 (CMP-4): promises checked against the order's data and its after-sales cases; the
  // shop's admins hear of one at risk (still avoidable) or broken, on the workbench and the console.
  const promiseWatch: PromiseWatch = new PromiseWatch({
    storage,
    clock,
    schedule: (timer): Promise<boolean> => scheduler.schedule(timer),
    // The order's after-sales cases: an exchange or refund promise is kept by their outcome.
    casesOf: async (shopId, orderId) =>
      (await storage.aftersales.listForOrder(shopId, orderId)).map((r) => ({
        purpose: r.case.purpose,
        status: r.case.status,
        finishedAt: r.finishedAt,
      })),
    alert: (promise) => {
      const { shopId, ...view } = promise;
      agentNs
        .to([rooms.admins(shopId), rooms.live(shopId)])
        .emit('compliance:promise', { shopId, promise: view });
    },
  });
  // Cluster presence (RT-8): an agent with no live socket on any node goes offline; back, they
  // get their status again.
  const presence = redis
    ? new RedisPresence(
        redis,
        node.id,
        config.PRESENCE_EXPIRY_SECONDS * 1000,
        {
          statusOf: async (shopId, agentId) => (await storage.agents.findAgent(shopId, agentId))?.status,
          setStatus: async (shopId, agentId, status) => {
            await chat.setAgentStatus(shopId, agentId, status);
          },
          arrive: (shopId, agentId) => chat.agentArrived(shopId, agentId),
        },
        config.REDIS_PREFIX,
      )
    : undefined;
  // One node: presence in this process, with the same grace.
  const localPresence = redis
    ? undefined
    : new LocalPresence(config.PRESENCE_EXPIRY_SECONDS * 1000, {
        arrive: (shopId, agentId) => chat.agentArrived(shopId, agentId),
        leave: (shopId, agentId) => chat.agentLeft(shopId, agentId),
      });
  // TEAM-1, TEAM-4: shops, their owners and teams. A change to someone's access ends their live
  // sockets at once, on every node (Socket.IO's adapter carries the disconnect).
  let disconnectAccount: (id: string, change: AccessChange) => void = () => undefined;
  const team = new TeamService({
    store: storage.team,
    effects: {
      accessChanged: async (id, change) => disconnectAccount(id, change),
      releaseAgent: async (shopId, id) => {
        await chat.releaseAgent(shopId, id);
      },
      rebalance: (shopId) => chat.rebalance(shopId),
    },
    clock,
    ids: randomIds,
    hashPassword,
    passwordProblem,
    newSecret: () => randomBytes(24).toString('base64url'),
  });
  // Issue #16: the outbox's deliveries go out from worker nodes; a node that queued some says so
  // (to itself, or in cluster mode to the workers) so they go now rather than at the next poll.
  const dispatcher = new WebhookDispatcher({
    webhooks: storage.webhooks,
    clock,
    nodeId: node.id,
    pollMs: config.TIMER_POLL_MS,
    rules: {
      allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
      ownPorts: [config.PORT],
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    },
  });
  let hinted = false;
  const webhookKick = {
    kick() {
      // Only when this node queued a delivery (a shop without webhooks wakes nobody).
      if (!storage.webhooks.takeQueued()) return;
      if (roles.has('worker')) dispatcher.kick();
      if (!peers || hinted) return;
      // At most one hint per 50 ms to the other nodes.
      hinted = true;
      setTimeout(() => (hinted = false), 50).unref();
      peers.publish('webhooks', {}).catch(() => undefined);
    },
  };
  if (roles.has('worker')) await peers?.subscribe('webhooks', () => dispatcher.kick());
  // Issue #19: after-sales cases; their deadlines are durable timers (set in the case's own write).
  const aftersales = new AftersalesService({
    storage,
    clock,
    ids: randomIds,
    kickWebhooks: () => webhookKick.kick(),
    timerSet: (at) => scheduler.wakeFor(at),
  });
  events.subscribe((event) => {
    if (event.type === 'message.created' || event.type === 'conversation.updated') webhookKick.kick();
  });
  // CMP-1 … CMP-5: a shop's rules edited on another node apply here at once.
  await peers?.subscribe('compliance', (payload) => {
    const shopId = (payload as { shopId?: unknown } | null)?.shopId;
    if (typeof shopId === 'string') compliance.invalidate(shopId as ShopId);
  });
  const ctx: AppContext = {
    config,
    node,
    ...(peers ? { peers } : {}),
    presence: (presence ?? localPresence)!,
    storage,
    chat,
    team,
    bot,
    faq,
    models,
    compliance,
    promises: promiseWatch,
    metrics,
    events,
    aftersales,
    webhooks: webhookKick,
    clock,
    secret: await resolveSecret(config, storage),
    probes: {
      database: () => sql`select 1`.execute(storage.db.kysely),
      // While Redis is away, say so at once instead of queueing a ping behind the reconnection.
      ...(redis
        ? { redis: () => (redis.status === 'ready' ? redis.ping() : Promise.reject(new Error(redis.status))) }
        : {}),
    },
    buyerMessageLimiter: new RateLimiterMemory({ points: config.BUYER_MESSAGES_PER_10S, duration: 10 }),
  };

  const app = Fastify({
    logger: config.LOG_LEVEL === 'silent' ? false : { level: config.LOG_LEVEL },
    bodyLimit: 64 * 1024,
    trustProxy: config.TRUST_PROXY,
  });
  app.setErrorHandler((error, req, reply) => {
    const { status, body, internal } = toErrorResponse(error);
    if (internal) req.log.error(error);
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((_req, reply) => {
    void reply.status(404).send({ error: { code: 'not_found', message: 'no such route' } });
  });
  // Issue #14: NUL characters and lone surrogates are refused at the edge, naming the field.
  refuseInvalidText(app);
  await app.register(fastifyCookie);
  // Issue #14 (CSRF): what acts with the agent session cookie comes from our own origin.
  app.addHook('onRequest', originCheck(new OriginGuard(config, (m) => app.log.warn(m))));
  // The widget runs on shops' own pages: its routes answer any origin (it authenticates by bearer token, not cookies).
  await app.register(fastifyCors, {
    origin: (origin, cb) => cb(null, true),
    credentials: false,
  });
  // Issue #14: CSP and frame-ancestors 'none' for our pages (the widget's routes opt out).
  await securityHeaders(app);
  await app.register(fastifyRateLimit, {
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: '1 minute',
    allowList: (req) => !req.url.startsWith('/api/'),
    errorResponseBuilder: () => ({
      statusCode: 429,
      error: { code: 'rate_limited', message: 'too many requests, slow down' },
    }),
  });
  await app.register(fastifyMultipart, { limits: { fileSize: 10 * 1024 * 1024, files: 1, fields: 5 } });

  await healthRoutes(app, ctx);
  // A node without the web role answers only /health, /ready and (with ws) Socket.IO.
  for (const routes of roles.has('web')
    ? [
        authRoutes,
        conversationRoutes,
        buyerRoutes,
        quickReplyRoutes,
        adminRoutes,
        faqRoutes,
        modelRoutes,
        routingRoutes,
        complianceRoutes,
        metricsRoutes,
        liveRoutes,
        spamRoutes,
        historyRoutes,
        staffingRoutes,
        aftersalesRoutes,
        widgetRoutes,
        uploadRoutes,
        setupRoutes,
        apiKeyRoutes,
        v1Routes,
        webhookRoutes,
        importRoutes,
        apiDocsRoutes,
        pageRoutes,
      ]
    : []) {
    await routes(app, ctx);
  }

  // Every node pushes the events its own work publishes (through Redis to the sockets on other
  // nodes); only nodes with the ws role take socket connections.
  const ioOptions = {
    ...(redis
      ? {
          adapter: createAdapter(redis, {
            streamName: `${config.REDIS_PREFIX}:socket.io`,
            channelPrefix: `${config.REDIS_PREFIX}:socket.io`,
            sessionKeyPrefix: `${config.REDIS_PREFIX}:sio:session:`,
          }),
        }
      : {}),
    cors: { origin: true, credentials: false },
    maxHttpBufferSize: 64 * 1024,
    pingInterval: 20_000,
    pingTimeout: 20_000,
    // A draining node takes no new connection; the client retries (another node, behind a balancer).
    allowRequest: (_req: unknown, callback: (err: string | null | undefined, ok: boolean) => void) =>
      callback(node.draining ? 'draining' : null, !node.draining),
  };
  const io = roles.has('ws') ? new Server(app.server, ioOptions) : new Server(ioOptions);
  const detach = attachGateway(io, ctx);
  // Every push below goes through the namespaces typed with the protocol's event maps.
  const { agents: agentNs, buyers: buyerNs } = namespaces(io);
  disconnectAccount = (id, change) => {
    const sockets = agentNs.in(rooms.account(id));
    sockets.emit('account:changed', { change });
    sockets.disconnectSockets(true);
  };
  // Issue #19: a case's change reaches the shop's agents and, when its status moved, its buyer;
  // CMP-4: the order's promises (an exchange, a refund) are checked against the case's outcome.
  aftersales.onChange(({ record, moved }) => {
    if (moved)
      promiseWatch
        .orderWritten(record.shopId, record.case.orderId)
        .catch((error) => console.error('promise check failed', error));
    agentNs.to(rooms.agents(record.shopId)).emit('aftersales:changed', {
      case: caseView(record),
    });
    if (moved)
      buyerNs.to(rooms.buyer(record.buyerId)).emit('aftersales:changed', {
        case: buyerCaseView(record),
      });
  });
  // AS-2: a deadline near: its holder and the shop's supervisors are told while it is avoidable.
  aftersales.onAlert(({ record, kind, at }) => {
    const targets = [
      rooms.admins(record.shopId),
      ...(record.case.holder ? [rooms.agent(record.case.holder)] : []),
    ];
    agentNs.to(targets).emit('aftersales:alert', { case: caseView(record), kind, at });
  });
  ctx.disconnectBuyer = (id) => buyerNs.in(rooms.buyer(id)).disconnectSockets(true);
  // MET-5: each agent whose buyers the alert names, by shop (to clear their banner when it passes).
  const alertedAgents = new Map<ShopId, string[]>();
  metrics.setAlertListener((shopId, alert) => {
    const admins = agentNs.to(rooms.admins(shopId));
    if (alert) admins.emit('metrics:alert', alert);
    else admins.emit('metrics:alert-cleared', {});
    // Issue #18: an agent hears of the buyers they hold (admins have the whole alert above).
    const now = agentsAtRisk(alert);
    for (const agentId of now) {
      const theirs = alertForAgent(alert, agentId);
      if (theirs) agentNs.to(rooms.agent(agentId)).except(rooms.admins(shopId)).emit('metrics:alert', theirs);
    }
    for (const agentId of alertedAgents.get(shopId) ?? [])
      if (!now.includes(agentId))
        agentNs.to(rooms.agent(agentId)).except(rooms.admins(shopId)).emit('metrics:alert-cleared', {});
    if (now.length > 0) alertedAgents.set(shopId, now);
    else alertedAgents.delete(shopId);
    // The live board shows the alert and the rate it projects.
    agentNs.to(rooms.live(shopId)).emit('live:changed', { shopId });
  });
  const worker = roles.has('worker');
  if (worker) {
    const now = clock.now();
    await storage.timers.schedule(
      { id: 'metrics.alerts', kind: 'metrics.alerts', shopId: null, dueAt: now + 20_000 },
      now,
    );
    await storage.timers.schedule(
      { id: 'housekeeping.prune', kind: 'housekeeping.prune', shopId: null, dueAt: now + 60_000 },
      now,
    );
    await storage.timers.schedule(
      { id: 'routing.sweep', kind: 'routing.sweep', shopId: null, dueAt: now + 60_000 },
      now,
    );
    await storage.timers.schedule(
      { id: 'uploads.sweep', kind: 'uploads.sweep', shopId: null, dueAt: now + 60_000 },
      now,
    );
    // RT-8: nobody is here until their workbench connects; whoever the database has as available
    // gets the grace to come back (a restart is a reload for everyone).
    const notOffline = (await storage.agents.listNotOffline()).map((a) => ({
      shopId: a.shopId,
      agentId: a.id,
    }));
    localPresence?.adopt(notOffline);
    await presence?.adopt(notOffline);
    // A restart loses no routing: conversations left unrouted or lingering are settled at boot.
    for (const shopId of await storage.shops.listShopIds()) await chat.rebalance(shopId);
    // CMP-4: an open promise whose timers a node died before setting gets them now.
    await promiseWatch.rearm();
    scheduler.start();
    dispatcher.start();
  }
  presence?.start({ reap: worker });

  return {
    app,
    io,
    ctx,
    scheduler,
    dispatcher,
    async listen() {
      await app.listen({ port: config.PORT, host: config.HOST });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.PORT;
      return `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
    },
    async close({ drainMs = 2000 } = {}) {
      node.draining = true;
      // Timers in hand finish (10 s at most; one cut short is fired again by another node).
      await Promise.race([
        Promise.all([scheduler.stop(), dispatcher.stop()]),
        new Promise((r) => setTimeout(r, 10_000).unref()),
      ]);
      if (roles.has('ws') && app.server.listening) {
        // No new connections; the open sockets are closed a batch at a time, so their clients
        // reconnect to the other nodes without all arriving at once.
        app.server.close(() => undefined);
        const sockets = [WS_AGENT_NAMESPACE, WS_BUYER_NAMESPACE].flatMap((ns) => [
          ...io.of(ns).sockets.values(),
        ]);
        const steps = Math.max(1, Math.floor(drainMs / 50));
        const batch = Math.max(50, Math.ceil(sockets.length / steps));
        for (let i = 0; i < sockets.length; i += batch) {
          for (const socket of sockets.slice(i, i + batch)) socket.conn.close();
          if (i + batch < sockets.length) await new Promise((r) => setTimeout(r, 50));
        }
      }
      // Beats go on until the sockets have left, so no agent is taken offline while still here.
      // (a beat queued while Redis is away is not waited for long)
      await Promise.race([presence?.stop(), new Promise((r) => setTimeout(r, 2000).unref())]);
      await localPresence?.stop();
      await nodeClaim?.release();
      chat.dispose();
      detach();
      // Any socket still here leaves with a transport close (its client reconnects elsewhere).
      // Not io.close(): it waits for the HTTP server to end every connection, nginx's idle
      // keep-alive ones included, which app.close() ends.
      if (roles.has('ws')) io.engine.close();
      await Promise.allSettled([...io._nsps.values()].map((ns) => ns.adapter.close()));
      await app.close();
      // Messages already taken in reach the metrics before the database closes (5 s at most).
      await Promise.race([metrics.flush(), new Promise((r) => setTimeout(r, 5000).unref())]);
      await peers?.close();
      await shopLock?.close();
      await imageCodeReader.close();
      if (redis) {
        // quit() waits for queued commands, which never go while Redis is away.
        if (redis.status === 'ready')
          await Promise.race([
            redis.quit().catch(() => undefined),
            new Promise((r) => setTimeout(r, 2000).unref()),
          ]);
        redis.disconnect();
      }
      if (!options.storage) await storage.close();
    },
  };
}
