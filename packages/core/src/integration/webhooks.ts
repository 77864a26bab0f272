import { invalid } from '../kernel/errors';

/**
 * Issue #16: what a shop's other systems can hear of. Each is posted as
 * `{id, type, createdAt, shopId, data}`; `webhook.ping` is sent only when the console (or the API)
 * asks for a test, to the endpoint asked.
 */
export const WEBHOOK_EVENT_TYPES = [
  'conversation.created',
  'conversation.assigned',
  'conversation.ended',
  'message.created',
  'rating.created',
  'order.created',
  'order.updated',
  // Issue #19: a case opened, a case's status changed, a step for the connector to perform on the
  // platform (confirmed back through the API), a confirmed step to take back after a failure.
  'aftersales.created',
  'aftersales.updated',
  'aftersales.step',
  'aftersales.undo',
  // Issue #21: a review answered (CRM-7) and a coupon given (CRM-4, CRM-6), for the connector to
  // carry to the platform.
  'review.replied',
  'coupon.issued',
] as const;
/**
 * Issue #19: heard only by endpoints that list them — an endpoint that hears a step must perform
 * and confirm it, so a catch-all endpoint (a log) never leaves cases waiting on it.
 */
export const EXPLICIT_WEBHOOK_EVENTS: readonly string[] = ['aftersales.step', 'aftersales.undo'];
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number] | 'webhook.ping';

/** Whether an endpoint subscribed to `events` (a list, or `["*"]`) hears `type`. */
export function subscribes(events: readonly string[], type: string): boolean {
  return (
    type === 'webhook.ping' ||
    events.includes(type) ||
    (events.includes('*') && !EXPLICIT_WEBHOOK_EVENTS.includes(type))
  );
}

/**
 * The waits before each retry after a failed delivery: 1 min, 5 min, 15 min, 30 min, 1 h, 2 h,
 * 4 h, 8 h, 12 h, 12 h — eleven tries over about 28 hours (at least a day, as receivers go down for
 * a night), then the delivery is marked failed and the next one of its chain may go.
 */
export const WEBHOOK_RETRY_DELAYS_MS: readonly number[] = [
  60_000,
  5 * 60_000,
  15 * 60_000,
  30 * 60_000,
  3_600_000,
  2 * 3_600_000,
  4 * 3_600_000,
  8 * 3_600_000,
  12 * 3_600_000,
  12 * 3_600_000,
];

/** When to try again after `attempts` failed tries at `now`; null: give up. */
export function nextWebhookAttempt(attempts: number, now: number): number | null {
  const wait = WEBHOOK_RETRY_DELAYS_MS[attempts - 1];
  return wait === undefined ? null : now + wait;
}

/** An IPv4 address as four octets, or undefined when `host` is not one. */
function ipv4(host: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets : undefined;
}

/**
 * Whether an IP address (v4 or v6, as text) is loopback, private, link-local, shared or
 * unspecified — somewhere a shop's own network answers, not the internet.
 */
export function isPrivateAddress(address: string): boolean {
  const host = address.replace(/^\[|\]$/g, '').toLowerCase();
  const v4 = ipv4(host);
  if (v4) {
    const [a, b] = v4 as [number, number, number, number];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168)
    );
  }
  if (!host.includes(':')) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  if (mapped) return isPrivateAddress(mapped[1]!);
  if (host === '::' || host === '::1') return true;
  // fc00::/7 (unique local), fe80::/10 (link-local).
  return /^f[cd][0-9a-f]{0,2}:/.test(host) || /^fe[89ab][0-9a-f]?:/.test(host);
}

/** Names every machine gives itself. */
const LOCAL_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback']);

/** Whether `host` (a name or an address) is this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (LOCAL_NAMES.has(h) || h.endsWith('.localhost')) return true;
  const v4 = ipv4(h);
  if (v4) return v4[0] === 127 || v4.every((o) => o === 0);
  return h === '::1' || h === '::' || h === '::ffff:127.0.0.1';
}

export interface WebhookUrlRules {
  /** The ports xiaoer itself listens on: a URL on this machine at one of them is refused. */
  ownPorts: readonly number[];
  /** This machine's names besides `localhost` (its hostname). */
  ownHosts?: readonly string[];
  /** Whether loopback and private addresses may receive (default yes: an ERP beside xiaoer). */
  allowPrivate: boolean;
}

/**
 * Checks a webhook URL as written (addresses a name resolves to are checked again when it is
 * delivered to): http or https, no user name or password in it, not xiaoer's own port, and not a
 * loopback or private address when the shop's setting forbids them. Throws naming `field`.
 */
export function checkWebhookUrl(raw: string, rules: WebhookUrlRules, field = 'url'): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(field, 'must be an absolute http(s) URL, such as https://erp.example.com/xiaoer', {
      issue: 'url_format',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalid(field, `must use http or https, not ${url.protocol.replace(/:$/, '')}`, {
      issue: 'url_scheme',
    });
  if (url.username || url.password)
    throw invalid(field, 'must not hold a user name or password: check the signature instead', {
      issue: 'url_credentials',
    });
  const host = url.hostname.toLowerCase();
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const self = isLoopbackHost(host) || (rules.ownHosts ?? []).some((h) => h.toLowerCase() === host);
  if (self && rules.ownPorts.includes(port))
    throw invalid(field, `points at xiaoer itself (port ${port}): give the address of the receiving system`, {
      issue: 'url_self',
    });
  if (!rules.allowPrivate && (self || isPrivateAddress(host)))
    throw invalid(field, 'points at a loopback or private address, which this server does not deliver to', {
      issue: 'url_private',
    });
  return url;
}
