import { z } from 'zod';

/** Everything the server reads from the environment, checked once at boot. */
const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('127.0.0.1'),
    /** `postgres://…` for PostgreSQL; otherwise a SQLite file path (`sqlite:` prefix optional). */
    DATABASE_URL: z.string().default('sqlite:./data/xiaoer.db'),
    /**
     * Cluster mode (issue #7): with a PostgreSQL DATABASE_URL, Socket.IO events cross nodes through
     * Redis streams and each shop's routing steps are serialized across nodes.
     */
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional(),
    /**
     * What this node does (issue #7): `web` (HTTP API and pages), `ws` (Socket.IO), `worker`
     * (durable timers, presence expiry, MET-5 alert checks, pruning); comma-separated, or `all`.
     * `npm start -- --role web,ws` sets it too.
     */
    ROLE: z
      .string()
      .default('all')
      .transform((v, ctx) => {
        const parts = v
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean);
        const roles = new Set<'web' | 'ws' | 'worker'>();
        for (const part of parts) {
          if (part === 'all') ['web', 'ws', 'worker'].forEach((r) => roles.add(r as 'web'));
          else if (part === 'web' || part === 'ws' || part === 'worker') roles.add(part);
          else {
            ctx.addIssue({ code: 'custom', message: `unknown role "${part}" (web, ws, worker or all)` });
            return z.NEVER;
          }
        }
        if (roles.size === 0) {
          ctx.addIssue({ code: 'custom', message: 'at least one role: web, ws, worker or all' });
          return z.NEVER;
        }
        return roles;
      }),
    /** This node's name in a cluster (timers record who fired them). Default: host, pid and a random part. */
    NODE_ID: z
      .string()
      .regex(/^[\w.-]{1,64}$/, 'letters, digits, ".", "-" or "_", at most 64')
      .optional(),
    /** Cluster mode: an agent with no live socket on any node for this long goes offline (RT-8). */
    PRESENCE_EXPIRY_SECONDS: z.coerce.number().min(0.1).max(300).default(10),
    /**
     * Issue #16: whether webhooks may deliver to loopback and private addresses (a shop's ERP often
     * runs beside xiaoer). `false` refuses them, when endpoints are made and as names resolve.
     */
    WEBHOOK_ALLOW_PRIVATE: z
      .enum(['true', 'false', '1', '0'])
      .default('true')
      .transform((v) => v === 'true' || v === '1'),
    /** Issue #16: how long a webhook receiver has to answer one delivery. */
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    /** How often a worker looks for due durable timers. */
    TIMER_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
    /** Prefixes every Redis key, channel and stream of this deployment (several may share a Redis). */
    REDIS_PREFIX: z
      .string()
      .regex(/^[\w.-]{1,32}$/, 'letters, digits, ".", "-" or "_", at most 32')
      .default('xiaoer'),
    /** Signs buyer tokens. Generated and kept in the database when unset (fine for one node). */
    SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /**
     * Demo mode (issue #13): the demo shop 小二旗舰店 is seeded and served — its page `/demo`, its
     * accounts' logins (known passwords) and its widget. Unset (or `auto`): on while the database has
     * no shop other than the demo; `true`: on even beside real shops; `false`: off.
     */
    DEMO: z
      .enum(['', 'auto', 'true', 'false', '1', '0'], {
        message: 'true, false or auto (unset: on until a real shop exists)',
      })
      .default('auto')
      .transform((v): 'auto' | 'on' | 'off' =>
        v === 'true' || v === '1' ? 'on' : v === 'false' || v === '0' ? 'off' : 'auto',
      ),
    /**
     * The public base URL printed at start (defaults to http://HOST:PORT); its origin may also send
     * agent requests (issue #14).
     */
    PUBLIC_URL: z.string().url().optional(),
    /**
     * Issue #14: origins besides the server's own (and PUBLIC_URL's) whose pages may send requests
     * with the agent session cookie and open the agent socket — e.g. a console on another host.
     * Comma-separated `scheme://host[:port]`. The widget answers every origin regardless.
     */
    ALLOWED_ORIGINS: z
      .string()
      .default('')
      .transform((v, ctx) => {
        const origins: string[] = [];
        for (const item of v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)) {
          let url: URL | undefined;
          try {
            url = new URL(item);
          } catch {
            url = undefined;
          }
          if (
            !url ||
            (url.protocol !== 'http:' && url.protocol !== 'https:') ||
            url.pathname !== '/' ||
            url.search ||
            url.hash ||
            url.username ||
            url.password
          ) {
            ctx.addIssue({
              code: 'custom',
              message: `"${item}" is not an origin like https://console.example.com (scheme, host, port only)`,
            });
            return z.NEVER;
          }
          origins.push(url.origin);
        }
        return origins;
      }),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /**
     * Which peers are proxies whose X-Forwarded-For / -Proto / -Host count (the client IP the per-IP
     * limits count; the scheme and host of the server's own origin): `false` (default: none, the
     * headers are ignored), `true` (any peer: only when nothing but the proxy can reach the node), or
     * IPs / CIDRs / proxy-addr names (`loopback`, `linklocal`, `uniquelocal`), comma-separated.
     * Issue #14: trusting private networks by default let any client on them dodge the limits.
     */
    TRUST_PROXY: z
      .string()
      .default('false')
      .transform((v): boolean | string => {
        const t = v.trim();
        return t === 'true' ? true : t === 'false' || t === '' ? false : t;
      }),
    /** Requests per minute per IP on the HTTP API. */
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
    /** Issue #16: requests per minute per v1 API key. */
    API_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
    /** Login attempts per minute per IP. */
    LOGIN_ATTEMPTS_PER_MINUTE: z.coerce.number().int().min(1).default(20),
    /**
     * Failed logins per email per 15 minutes, from any IP (issue #14); then that email's logins are
     * 429 until the window ends. A successful login clears the count.
     */
    LOGIN_FAILURES_PER_EMAIL_PER_15MIN: z.coerce.number().int().min(1).default(10),
    /** New widget sessions per minute per IP (each may create a buyer). */
    WIDGET_SESSIONS_PER_MINUTE: z.coerce.number().int().min(1).default(60),
    /** Messages per 10 seconds per buyer. */
    BUYER_MESSAGES_PER_10S: z.coerce.number().int().min(1).default(20),
    /**
     * Socket events (issue #14), each budget per buyer or agent account, shared by all its sockets
     * on a node: typing indicators, `messages:sync` and read receipts per 10 seconds…
     */
    WS_TYPING_PER_10S: z.coerce.number().int().min(1).default(50),
    WS_SYNC_PER_10S: z.coerce.number().int().min(1).default(100),
    WS_READ_PER_10S: z.coerce.number().int().min(1).default(100),
    /** …and every other event (message:send, message:order-card, anything unknown). */
    WS_EVENTS_PER_10S: z.coerce.number().int().min(1).default(100),
    /** Typing pushes: at most one per conversation and side in this many ms (the last state wins). */
    WS_TYPING_PUSH_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
    /** Refused events per 10 s after which the sender's sockets are disconnected… */
    WS_FLOOD_DISCONNECT_AFTER: z.coerce.number().int().min(1).default(200),
    /** …and its new ones refused for this many seconds. */
    WS_FLOOD_BLOCK_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    /** Issue #14: days a buyer token lives; each widget session open renews it (sliding). */
    BUYER_TOKEN_TTL_DAYS: z.coerce.number().min(0.001).max(3650).default(30),
    /** Issue #14: bytes a buyer may upload per hour. */
    UPLOAD_BUYER_BYTES_PER_HOUR: z.coerce
      .number()
      .int()
      .min(0)
      .default(30 * 1024 * 1024),
    /** Issue #14: bytes of uploads a shop may keep in all. */
    UPLOAD_SHOP_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(0)
      .default(20 * 1024 * 1024 * 1024),
    /** Issue #14: hours an upload no message or quick reply uses is kept before it is removed. */
    UPLOAD_ORPHAN_HOURS: z.coerce
      .number()
      .min(0.01)
      .max(24 * 365)
      .default(24),
    /** Secure flag on the session cookie (turn on behind HTTPS). */
    COOKIE_SECURE: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
  })
  .superRefine((env, ctx) => {
    // A single node must do everything: nobody else would fire its timers or take its sockets.
    if (!env.REDIS_URL && env.ROLE.size < 3)
      ctx.addIssue({
        code: 'custom',
        path: ['ROLE'],
        message: 'node roles other than "all" need cluster mode (REDIS_URL with a PostgreSQL DATABASE_URL)',
      });
    // Several nodes share one database: SQLite is one node's file.
    if (env.REDIS_URL && !/^postgres(ql)?:\/\//.test(env.DATABASE_URL))
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_URL'],
        message: 'cluster mode needs a PostgreSQL DATABASE_URL (postgres://…)',
      });
  });

/** The validated configuration. */
export type Config = z.infer<typeof envSchema>;

/** Reads the config; on any problem prints every one of them and exits non-zero. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  console.error('xiaoer: invalid configuration:');
  for (const issue of parsed.error.issues) console.error(`  ${issue.path.join('.')}: ${issue.message}`);
  process.exit(1);
}

/** Parses a config from a plain object, throwing on problems (tests). */
export function parseConfig(env: Record<string, string | undefined>): Config {
  return envSchema.parse(env);
}
