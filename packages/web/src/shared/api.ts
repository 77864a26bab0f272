/** An error answer from the API: its code, message and the field at fault. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Extra data some errors carry (compliance findings, nextAllowedAt, …). */
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Calls the API with the session cookie; throws ApiError on a non-2xx answer. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: {} };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(path, init);
  if (res.status === 204) return undefined as T;
  const json = (await res.json().catch(() => ({}))) as {
    error?: { code: string; message: string; field?: string; details?: unknown };
  };
  if (!res.ok) {
    const e = json.error ?? { code: 'error', message: res.statusText };
    throw new ApiError(res.status, e.code, e.message, e.field, 'details' in e ? e.details : undefined);
  }
  return json as T;
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
