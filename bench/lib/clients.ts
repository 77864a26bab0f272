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

/** A new widget buyer of the shop `slug`: its session token and its connected socket. */
export async function widgetBuyer(base: string, slug: string): Promise<{ token: string; socket: Socket }> {
  const res = await fetch(`${base}/api/widget/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ shop: slug }),
  });
  if (res.status !== 200) throw new Error(`widget session: ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  return { token, socket: await connect(`${base}/buyer`, { auth: { token } }) };
}
