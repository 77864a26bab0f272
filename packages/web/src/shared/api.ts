import type { HttpMethod, HttpResponseOf, HttpRouteOf } from '@xiaoer/protocol';
import { errorText, type ErrorLang, type ErrorLike } from '@xiaoer/protocol/error-text';

/**
 * An error answer from the API: its code, the field at fault, and `message` — the text to show, in
 * the reader's language (issue #18: never the server's own English, kept in `serverMessage`).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Extra data some errors carry (compliance findings, nextAllowedAt, …). */
    readonly details?: unknown,
    /** What the server said, for logs and the console of a developer. */
    readonly serverMessage?: string,
  ) {
    super(message);
  }
}

/** The language the UI speaks now (the header's switch; Chinese first). */
export function uiLang(): ErrorLang {
  try {
    return localStorage.getItem('xiaoer.lang') === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

/** The text to show for an error body (an HTTP answer's or a socket ack's), in the UI's language. */
export function errorMessage(error: ErrorLike, status?: number): string {
  return complianceMessage(error.code, error.details) ?? errorText(error, uiLang(), status);
}

/** The text to show for anything a call threw: an ApiError's own text, else a generic failure. */
export function failureText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return errorText({ code: 'internal_error' }, uiLang());
}

const SHOP_KEY = 'xiaoer.shop';

/** TEAM-4: the shop this browser acts in (kept across reloads), or null for the session's own. */
export function currentShop(): string | null {
  try {
    return localStorage.getItem(SHOP_KEY);
  } catch {
    return null;
  }
}

/** Remembers the shop every later API call acts in (`X-Xiaoer-Shop`). */
export function setCurrentShop(shopId: string | null): void {
  try {
    if (shopId) localStorage.setItem(SHOP_KEY, shopId);
    else localStorage.removeItem(SHOP_KEY);
  } catch {
    // storage blocked (private mode): the session's own shop is used
  }
}

/** The header naming the current shop, for calls made without `api` (an upload's raw body). */
export function shopHeaders(): Record<string, string> {
  const shopId = currentShop();
  return shopId ? { 'x-xiaoer-shop': shopId } : {};
}

/** A download link in the current shop: links cannot carry the header, so it goes as `shop=`. */
export function shopLink(path: string): string {
  const shopId = currentShop();
  if (!shopId) return path;
  return `${path}${path.includes('?') ? '&' : '?'}shop=${encodeURIComponent(shopId)}`;
}

let onUnauthenticated: (() => void) | null = null;

/** Who hears that a call was refused for want of a session (401): the session, to show the login form. */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

/** How one call is made. */
export interface ApiOptions {
  /** TEAM-4: the shop this call acts in (a conversation's), instead of the current one. */
  shop?: string | null;
}

/** A call's body and options; a path that fits no route of the method gets an argument nobody can give. */
export type ApiArgs<M extends HttpMethod, P extends string> = [HttpRouteOf<M, P>] extends [never]
  ? [noSuchRoute: never]
  : [body?: unknown, options?: ApiOptions];

/**
 * Calls the API with the session cookie; throws ApiError on a non-2xx answer. The answer has the
 * type the protocol declares for the route the path fits (`HttpResponses`): callers name no type.
 */
export function api<M extends HttpMethod, P extends string>(
  method: M,
  path: P,
  ...args: ApiArgs<M, P>
): Promise<HttpResponseOf<M, P>> {
  const [body, options] = args as Partial<[unknown, ApiOptions]>;
  // The one place JSON becomes a type: the server's answer to the route is the shape it declares.
  return request(method, path, body, options) as Promise<HttpResponseOf<M, P>>;
}

/** TEAM-4: `api` acting in a given shop (null: the current one) unless a call names its own. */
export function apiInShop(shop: string | null): typeof api {
  return (method, path, ...args) => {
    const [body, options] = args as Partial<[unknown, ApiOptions]>;
    return request(method, path, body, { shop: options?.shop ?? shop }) as Promise<
      HttpResponseOf<typeof method, typeof path>
    >;
  };
}

async function request(
  method: string,
  path: string,
  body?: unknown,
  options: ApiOptions = {},
): Promise<unknown> {
  // TEAM-4: an account serving several shops says which one it acts in.
  const headers: Record<string, string> = options.shop ? { 'x-xiaoer-shop': options.shop } : shopHeaders();
  const init: RequestInit = { method, credentials: 'same-origin', headers };
  if (body instanceof FormData) init.body = body;
  else if (body instanceof Blob) {
    // A file sent as it is (issue #16: imports read its bytes, to tell GBK from UTF-8).
    init.body = body;
    headers['content-type'] = 'application/octet-stream';
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    // Offline, or the server is down: the browser says only "Failed to fetch".
    throw new ApiError(0, 'network', errorText({ code: 'network' }, uiLang()));
  }
  if (res.status === 204) return undefined;
  const json = (await res.json().catch(() => ({}))) as {
    error?: { code: string; message: string; field?: string; details?: unknown; retryAfterMs?: number };
  };
  if (!res.ok) {
    const e = json.error ?? { code: res.status >= 500 ? 'internal_error' : 'error', message: res.statusText };
    if (res.status === 401) onUnauthenticated?.();
    const details = 'details' in e ? e.details : undefined;
    throw new ApiError(res.status, e.code, errorMessage(e, res.status), e.field, details, e.message);
  }
  return json;
}

/**
 * A compliance refusal in the reader's language: the reasons of its findings (the server's own
 * message is English). Undefined for any other error.
 */
function complianceMessage(code: string, details: unknown): string | undefined {
  if (code !== 'compliance_blocked' && code !== 'compliance_confirm') return undefined;
  const findings = (details as { findings?: { reason?: { 'zh-CN'?: string; en?: string } }[] } | undefined)
    ?.findings;
  if (!Array.isArray(findings) || findings.length === 0) return undefined;
  const en = uiLang() === 'en';
  const reasons = [
    ...new Set(findings.map((f) => (en ? f.reason?.en : f.reason?.['zh-CN'])).filter(Boolean)),
  ];
  return en ? `Against the compliance rules: ${reasons.join('; ')}` : `不符合合规规则：${reasons.join('；')}`;
}

/** A new client id for a message (kept for retries). */
export function newClientId(): string {
  return (
    globalThis.crypto?.randomUUID?.() ??
    `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`
  );
}

/** ¥ from cents. */
export function yuan(cents: number): string {
  return `¥${(cents / 100).toFixed(2)}`;
}
