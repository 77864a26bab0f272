import {
  BotService,
  ChatService,
  ComplianceGuard,
  createChecker,
  RoutingService,
  DAY,
  isNewCustomerPriority,
  PROFILE_ORDER_WINDOW_DAYS,
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
import { spamJudge } from './bot/spam-judge';
import { hashPassword } from './auth/password';
import { passwordProblem } from './auth/password-strength';
import { buyerTokenSecret } from './auth/secret';
import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Server } from 'socket.io';
import type { Config } from './config';
import { EventBus } from './events/event-bus';
import { createPino, pinoLogger } from './logging/pino-logger';
import type { DestinationStream } from 'pino';
import type { AppContext } from './http/context';
import { createHttpApp } from './http/http-app';
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
import { crmRoutes } from './http/routes/crm.routes';
import { AftersalesService } from './aftersales/aftersales.service';
import { MetricsService } from './metrics/metrics.service';
import { PgAdvisoryLock } from './cluster/pg-lock';
import { RedisPeerBus } from './cluster/bus';
import { connectRedis, redisProbe } from './cluster/redis';
import { shutDownNode } from './cluster/shutdown';
import { WebhookDispatcher } from './integration/webhook-dispatcher';
import { webhookKicker } from './integration/webhook-kick';
import { RedisPresence } from './cluster/presence';
import { LocalPresence } from './cluster/local-presence';
import { NodeClaim } from './cluster/node-claim';
import { TimerScheduler } from './jobs/scheduler';
import { JourneyRunner } from './crm/journey-runner';
import { timerHandlers } from './jobs/timer-handlers';
import { startWorker } from './jobs/worker';
import { PromiseWatch } from './compliance/promise-watch';
import { healthRoutes } from './http/routes/health.routes';
import { sql } from 'kysely';
import { uploadRoutes } from './http/routes/upload.routes';
import { widgetRoutes } from './http/routes/widget.routes';
import { openStorage, type Storage } from './storage';
import { attachGateway } from './ws/gateway';
import { socketPushes } from './ws/pushes';
import { createSocketServer } from './ws/socket-server';

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

/** Composes storage, the core services, HTTP routes and the Socket.IO gateway (the composition root). */
export async function createServer(
  config: Config,
  /** `logTo`: where the node's log lines go (default stdout; tests read them). */
  options: { storage?: Storage; clock?: Clock; logTo?: DestinationStream } = {},
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
  // One logger for the node (LOG_LEVEL; every line names the node): Fastify's, the services'.
  const pino = createPino({ level: config.LOG_LEVEL, node: node.id }, options.logTo);
  const log = pinoLogger(pino);
  const events = new EventBus(log);
  // Cluster mode: Redis (Socket.IO streams, and pub/sub between nodes for cache edits).
  const redis = config.REDIS_URL ? await connectRedis(config.REDIS_URL, log) : undefined;
  // No two running nodes share a name (their timer claims and presence beats would mix).
  const nodeClaim = redis
    ? await NodeClaim.acquire(
        redis,
        config.REDIS_PREFIX,
        node.id,
        config.PRESENCE_EXPIRY_SECONDS * 1000,
        log,
      ).catch((error: unknown) => {
        redis.disconnect();
        throw error;
      })
    : undefined;
  const peers = redis ? new RedisPeerBus(redis, log, config.REDIS_PREFIX) : undefined;
  const faq = new FaqCache(storage, log, peers);
  // Issue #15: each shop's optional model provider (nothing is called unless the shop sets one).
  const models = new ShopModels(storage, faq, log, () => clock.now());
  await faq.listen();
  const recentOrders = (
    shopId: Parameters<typeof storage.orders.listBuyerOrders>[0],
    buyerId: Parameters<typeof storage.orders.listBuyerOrders>[1],
  ) => storage.orders.listBuyerOrders(shopId, buyerId, 0); // all of them: RT-7 needs the first payment ever
  // CMP-1 … CMP-5: every agent text is screened before it is stored; the shop's checker is
  // compiled once per settings. The buyer's orders of the last 90 days are never taken for phone
  // or bank-card numbers.
  const imageCodeReader = new ImageCodeReader();
  const complianceReader = complianceModel(log).reader;
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
      promiseWatch.recorded(promises).catch((err) => log.error('CMP-4 promise check failed', { err })),
  });
  // Cluster mode (issue #7): a shop's routing steps and metric updates are serialized across
  // nodes by a PostgreSQL advisory lock; Socket.IO events cross nodes through Redis streams.
  const clustered = config.REDIS_URL !== undefined;
  const shopLock = clustered ? new PgAdvisoryLock(config.DATABASE_URL) : undefined;
  // RT-1 … RT-10: routing conversations to agents, under the shop's lock.
  const routing = new RoutingService({
    ...(shopLock ? { lock: { run: (shopId, fn) => shopLock.run(`routing:${shopId}`, fn) } } : {}),
    conversations: storage.conversations,
    agents: storage.agents,
    store: storage.routing,
    events,
    clock,
    ids: randomIds,
    logger: log,
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
  });
  const chat = new ChatService({
    routing,
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
    // BOT-1: the bot answers first when the shop has it on; RT-7: new customers skip it.
    openingStatus: async (shopId, buyerId) => {
      if (!(await faq.faqFor(shopId))) return 'queued';
      return isNewCustomerPriority(await recentOrders(shopId, buyerId), clock.now()) ? 'queued' : 'bot';
    },
  });
  // SPAM-1: the buyer's latest texts and the shop's block list.
  chat.setSpamJudge(spamJudge({ storage, faq, clock }));
  const bot = new BotService({
    chat,
    routing,
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
      .catch((err) => log.error('bot turn failed', { shop: event.conversation.shopId, err }));
  });
  // Issue #15: a summary for the person a conversation goes to (when the shop's model is set so).
  const summaries = new TransferSummaries(storage, models, events, () => clock.now(), log);
  events.subscribe((event) => void summaries.onEvent(event));
  // MET-1 … MET-6: roll-ups follow every message (MET-5 alerts: a durable timer, below).
  const metrics = new MetricsService(
    storage,
    clock,
    shopLock ? { run: (shopId, fn) => shopLock.run(`metrics:${shopId}`, fn) } : undefined,
  );
  events.subscribe((event) => {
    metrics.ingest(event).catch((err) => log.error('metrics ingest failed', { err }));
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
    alert: (promise) => pushes.promiseAlert(promise),
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
            await routing.setAgentStatus(shopId, agentId, status);
          },
          arrive: (shopId, agentId) => routing.agentArrived(shopId, agentId),
        },
        log,
        config.REDIS_PREFIX,
      )
    : undefined;
  // One node: presence in this process, with the same grace.
  const localPresence = redis
    ? undefined
    : new LocalPresence(
        config.PRESENCE_EXPIRY_SECONDS * 1000,
        {
          arrive: (shopId, agentId) => routing.agentArrived(shopId, agentId),
          leave: (shopId, agentId) => routing.agentLeft(shopId, agentId),
        },
        log,
      );
  // TEAM-1, TEAM-4: shops, their owners and teams. A change to someone's access ends their live
  // sockets at once, on every node (Socket.IO's adapter carries the disconnect).
  let disconnectAccount: (id: string, change: AccessChange) => void = () => undefined;
  const team = new TeamService({
    store: storage.team,
    effects: {
      accessChanged: async (id, change) => disconnectAccount(id, change),
      releaseAgent: async (shopId, id) => {
        await routing.releaseAgent(shopId, id);
      },
      rebalance: (shopId) => routing.rebalance(shopId),
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
    logger: log,
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
  const webhookKick = webhookKicker({
    webhooks: storage.webhooks,
    dispatcher,
    worker: roles.has('worker'),
    peers,
  });
  if (roles.has('worker')) await peers?.subscribe('webhooks', () => dispatcher.kick());
  // Issue #19: after-sales cases; their deadlines are durable timers (set in the case's own write).
  const aftersales = new AftersalesService({
    storage,
    clock,
    ids: randomIds,
    kickWebhooks: () => webhookKick.kick(),
    timerSet: (at) => scheduler.wakeFor(at),
    logger: log,
  });
  // Issue #21: journeys, moved by the recurring crm.sweep timer.
  const journeys = new JourneyRunner({ storage, chat, clock, ids: randomIds, logger: log, nodeId: node.id });
  // Durable timers (ARCHITECTURE.md): any node sets them, worker nodes fire them, once.
  const scheduler = new TimerScheduler({
    logger: log,
    timers: storage.timers,
    clock,
    nodeId: node.id,
    pollMs: config.TIMER_POLL_MS,
    handlers: timerHandlers({
      storage,
      clock,
      routing,
      metrics,
      aftersales,
      promises: promiseWatch,
      journeys,
      uploadOrphanHours: config.UPLOAD_ORPHAN_HOURS,
    }),
  });
  events.subscribe((event) => {
    if (event.type === 'message.created' || event.type === 'conversation.updated') webhookKick.kick();
    // Issue #21: a buyer's answer to a journey message is counted (written every 30 s, off this path).
    if (event.type === 'message.created' && event.message.sender === 'buyer')
      journeys.noteReply(event.shopId, event.conversation.buyerId, event.message.createdAt);
  });
  const replyFlush = setInterval(
    () => void journeys.flushReplies().catch((err: unknown) => log.error('journey replies failed', { err })),
    30_000,
  );
  replyFlush.unref();
  // CMP-1 … CMP-5: a shop's rules edited on another node apply here at once.
  await peers?.subscribe('compliance', (payload) => {
    const shopId = (payload as { shopId?: unknown } | null)?.shopId;
    if (typeof shopId === 'string') compliance.invalidate(shopId as ShopId);
  });
  const ctx: AppContext = {
    config,
    node,
    logger: log,
    ...(peers ? { peers } : {}),
    presence: (presence ?? localPresence)!,
    storage,
    chat,
    routing,
    team,
    bot,
    faq,
    models,
    compliance,
    promises: promiseWatch,
    metrics,
    events,
    aftersales,
    journeys,
    webhooks: webhookKick,
    clock,
    secret: await buyerTokenSecret(config, storage.kv),
    probes: {
      database: () => sql`select 1`.execute(storage.db.kysely),
      ...(redis ? { redis: redisProbe(redis) } : {}),
    },
    buyerMessageLimiter: new RateLimiterMemory({ points: config.BUYER_MESSAGES_PER_10S, duration: 10 }),
  };

  const app = await createHttpApp(config, pino);

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
        crmRoutes,
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

  const io = await createSocketServer({
    http: roles.has('ws') ? app.server : undefined,
    redis,
    redisPrefix: config.REDIS_PREFIX,
    node,
  });
  const detach = attachGateway(io, ctx, { singleNode: !redis });
  const pushes = socketPushes(io);
  disconnectAccount = pushes.disconnectAccount;
  ctx.disconnectBuyer = pushes.disconnectBuyer;
  // CMP-4: the order's promises (an exchange, a refund) are checked against the case's outcome.
  aftersales.onChange((change) => {
    if (change.moved)
      promiseWatch
        .orderWritten(change.record.shopId, change.record.case.orderId)
        .catch((err) => log.error('promise check failed', { shop: change.record.shopId, err }));
    pushes.caseChanged(change);
  });
  aftersales.onAlert(pushes.caseAlert);
  metrics.setAlertListener(pushes.metricsAlert);
  const worker = roles.has('worker');
  if (worker)
    await startWorker({
      storage,
      clock,
      routing,
      promises: promiseWatch,
      scheduler,
      dispatcher,
      presence: { local: localPresence, cluster: presence },
    });
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
    close: ({ drainMs = 2000 } = {}) =>
      shutDownNode(
        {
          node,
          ws: roles.has('ws'),
          app,
          io,
          scheduler,
          dispatcher,
          presence,
          localPresence,
          nodeClaim,
          routing,
          detachGateway: detach,
          metrics,
          journeys: {
            flush: () => {
              clearInterval(replyFlush);
              return journeys.flushReplies();
            },
          },
          peers,
          shopLock,
          imageCodeReader,
          redis,
          ownStorage: options.storage ? undefined : storage,
        },
        { drainMs },
      ),
  };
}
