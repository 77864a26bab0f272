import { io, type Socket } from 'socket.io-client';
import type { Message } from '@xiaoer/core';
import { DEADLINE_MS } from './wait';

/** A Socket.IO ack as the server sends it. */
export type AckBody<T> =
  | { ok: true; data: T }
  | { ok: false; error: { code: string; message: string; field?: string; details?: unknown } };

/**
 * Connects to a namespace over WebSocket as an agent (cookie) or a buyer (token); `headers` adds
 * handshake headers (an `origin`, as a browser page would send); `auth` adds handshake auth fields
 * (issue #18: `{app: 'console'}` for the console's socket).
 */
export function connect(
  url: string,
  ns: string,
  opts: { cookie?: string; token?: string; headers?: Record<string, string>; auth?: Record<string, unknown> },
): Promise<Socket> {
  const extraHeaders = { ...opts.headers, ...(opts.cookie ? { cookie: opts.cookie } : {}) };
  const socket = io(`${url}${ns}`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    ...(Object.keys(extraHeaders).length > 0 ? { extraHeaders } : {}),
    ...(opts.token || opts.auth
      ? { auth: { ...opts.auth, ...(opts.token ? { token: opts.token } : {}) } }
      : {}),
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Emits with an ack (failing only at the hang guard: a loaded machine answers late, not never). */
export function emit<T>(socket: Socket, event: string, payload: unknown): Promise<AckBody<T>> {
  return socket.timeout(DEADLINE_MS).emitWithAck(event, payload) as Promise<AckBody<T>>;
}

/** Collects `message:new` pushes on a socket. */
export function collect(socket: Socket): Message[] {
  const got: Message[] = [];
  socket.on('message:new', ({ message }: { message: Message }) => got.push(message));
  return got;
}

/** Waits until an async `check` finds something (polling), and returns it; fails after `ms` (a hang guard). */
export async function untilFound<T>(
  check: () => Promise<T | undefined>,
  what: string,
  ms = DEADLINE_MS,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until `check` holds (polling), failing after `ms` (a hang guard). */
export async function until(check: () => boolean, what: string, ms = DEADLINE_MS): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
