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
    /** Signs buyer tokens. Generated and kept in the database when unset (fine for one node). */
    SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /** Seed the demo shop (小二旗舰店) when the database has no shop. */
    DEMO: z
      .enum(['true', 'false', '1', '0'])
      .default('true')
      .transform((v) => v === 'true' || v === '1'),
    /** The public base URL printed at start (defaults to http://HOST:PORT). */
    PUBLIC_URL: z.string().url().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /**
     * Which peers may set X-Forwarded-For (the client IP the per-IP limits count): `true`, `false`,
     * or IPs / CIDRs / proxy-addr names. The default trusts proxies on this host and private networks
     * only, so a client on the internet cannot dodge the limits by sending its own header.
     */
    TRUST_PROXY: z
      .string()
      .default('loopback,linklocal,uniquelocal')
      .transform((v): boolean | string => (v === 'true' ? true : v === 'false' ? false : v)),
    /** Requests per minute per IP on the HTTP API. */
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
    /** Login attempts per minute per IP. */
    LOGIN_ATTEMPTS_PER_MINUTE: z.coerce.number().int().min(1).default(20),
    /** New widget sessions per minute per IP (each may create a buyer). */
    WIDGET_SESSIONS_PER_MINUTE: z.coerce.number().int().min(1).default(60),
    /** Messages per 10 seconds per buyer. */
    BUYER_MESSAGES_PER_10S: z.coerce.number().int().min(1).default(20),
    /** Secure flag on the session cookie (turn on behind HTTPS). */
    COOKIE_SECURE: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
  })
  .superRefine((env, ctx) => {
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
