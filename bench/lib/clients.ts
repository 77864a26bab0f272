import { io, type Socket } from 'socket.io-client';

/** A bench client: Socket.IO over WebSocket, no reconnection, as a buyer (auth) or an agent (cookie). */
export function connect(
  url: string,
  opts: { auth?: Record<string, unknown>; cookie?: string },
): Promise<Socket> {
  const socket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    ...(opts.auth ? { auth: opts.auth } : {}),
    ...(opts.cookie ? { extraHeaders: { cookie: opts.cookie } } : {}),
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** Runs `make` for 0 … count−1, `size` at a time. */
export async function inBatches<T>(
  count: number,
  size: number,
  make: (i: number) => Promise<T>,
): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < count; start += size) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(size, count - start) }, (_, k) => make(start + k)),
    );
    out.push(...batch);
  }
  return out;
}
