/**
 * How long any wait in the tests may take before it is called a hang: minutes, not seconds. A
 * loaded machine makes the suite slow, never wrong — a deadline is only a guard against a wait
 * that would never end, and no test asserts how fast something happened (speeds are figures of
 * `npm run bench`). `TEST_DEADLINE_MS` overrides it.
 */
export const DEADLINE_MS = Number(process.env.TEST_DEADLINE_MS) || 180_000;

/** Resolves after `ms` (pacing only: a test never waits a fixed time for something to happen). */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it returns something other than undefined or false, and returns that;
 * fails (naming `what`) only when nothing came within the deadline.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: { every?: number; deadlineMs?: number } = {},
): Promise<T> {
  const deadlineMs = options.deadlineMs ?? DEADLINE_MS;
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - start > deadlineMs)
      throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await sleep(options.every ?? 50);
  }
}

/**
 * The next `event` an emitter (a Socket.IO client, a child process…) gives whose payload passes
 * `accept`, as a promise; fails only at the deadline.
 */
export function nextEvent<T>(
  emitter: {
    on(event: string, listener: (payload: T) => void): unknown;
    off(event: string, listener: (payload: T) => void): unknown;
  },
  event: string,
  accept: (payload: T) => boolean = () => true,
  what = event,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const listener = (payload: T) => {
      if (!accept(payload)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no ${what} within ${DEADLINE_MS} ms`));
    }, DEADLINE_MS);
    emitter.on(event, listener);
  });
}
