/**
 * bench/flood (issue #14): one buyer socket floods one client event for a few seconds while
 * `/health` is timed; the same figures at idle, in the same run, are the baseline. The server is
 * a real xiaoer node on loopback (bench/chat's), with the default socket limits.
 *
 * Env: BENCH_FLOOD_SECONDS (5), BENCH_IDLE_SECONDS (5), BENCH_FLOOD_MAX_EVENTS (2,000,000 per event).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'socket.io-client';
import { connect, widgetBuyer } from '../lib/clients';
import { fmt, printTable, quantile } from '../lib/stats';

const FLOOD_SECONDS = Number(process.env.BENCH_FLOOD_SECONDS ?? 5);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 5);
const MAX_EVENTS = Number(process.env.BENCH_FLOOD_MAX_EVENTS ?? 2_000_000);
const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Starts bench/chat's xiaoer node (one agent) and waits for its port. */
function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const script = join(here, '..', 'chat', 'xiaoer-server.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: { ...process.env, AGENTS: '1', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const { port } = JSON.parse(line) as { port: number };
        if (port) resolve({ child, port });
      } catch {
        /* not our line */
      }
    });
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
}

/** Times GET /health back to back (one in flight) until `stop` resolves. */
async function sampleHealth(base: string, stop: Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  let done = false;
  void stop.then(() => (done = true));
  while (!done) {
    const t0 = performance.now();
    const res = await fetch(`${base}/health`);
    await res.arrayBuffer();
    latencies.push(performance.now() - t0);
    await sleep(10);
  }
  return latencies;
}

interface FloodResult {
  event: string;
  latencies: number[];
  sent: number;
  acked: number;
  limited: number;
  disconnects: number;
  typingPushes: number;
}

/** A new buyer of the bench shop with an open conversation (held by the one agent). */
async function newBuyer(base: string): Promise<{ token: string; socket: Socket; conversationId: string }> {
  const { token, socket } = await widgetBuyer(base, 'bench');
  const sent = (await socket.timeout(10_000).emitWithAck('message:send', {
    clientId: `open-${token.slice(-8)}`,
    kind: 'text',
    body: { text: '你好，请问在吗' },
  })) as { ok: boolean; data: { message: { conversationId: string } } };
  if (!sent.ok) throw new Error('the bench buyer could not open a conversation');
  return { token, socket, conversationId: sent.data.message.conversationId };
}

async function flood(base: string, agent: Socket, event: string): Promise<FloodResult> {
  const buyer = await newBuyer(base);
  let socket = buyer.socket;
  const payload = (i: number): unknown => {
    switch (event) {
      case 'conversation:typing':
        return { conversationId: buyer.conversationId, isTyping: i % 2 === 0 };
      case 'messages:sync':
        return { conversationId: buyer.conversationId, afterSeq: 0 };
      case 'conversation:read':
        return { conversationId: buyer.conversationId, seq: i };
      default:
        return { clientId: `flood-${i}`, kind: 'text', body: { text: `刷屏第 ${i} 条` } };
    }
  };
  let typingPushes = 0;
  const onTyping = (e: { conversationId: string }) => {
    if (e.conversationId === buyer.conversationId) typingPushes++;
  };
  agent.on('conversation:typing', onTyping);
  const result = { sent: 0, acked: 0, limited: 0, disconnects: 0 };
  const onAck = (r: { ok: boolean; error?: { code: string } }) => {
    result.acked++;
    if (!r.ok && r.error?.code === 'rate_limited') result.limited++;
  };
  const deadline = performance.now() + FLOOD_SECONDS * 1000;
  // The attacker: emits as fast as the client can, acks asked for (more work for the server),
  // yielding now and then; put out, it comes straight back as socket.io would.
  const attacker = (async () => {
    while (performance.now() < deadline && result.sent < MAX_EVENTS) {
      if (!socket.connected) {
        result.disconnects++;
        socket.close();
        socket = await connect(`${base}/buyer`, { auth: { token: buyer.token } }).catch(() => socket);
        await sleep(100);
        continue;
      }
      for (let k = 0; k < 200; k++) socket.emit(event, payload(result.sent++), onAck);
      await new Promise((r) => setImmediate(r));
    }
  })();
  const latencies = await sampleHealth(base, attacker);
  await attacker;
  socket.close();
  await sleep(1500); // the last coalesced typing push
  agent.off('conversation:typing', onTyping);
  return { event, latencies, ...result, typingPushes };
}

interface Pass {
  idle: number[];
  results: FloodResult[];
}

/** One server: idle, then a flood of each event. */
async function pass(env: Record<string, string>): Promise<Pass> {
  const { child, port } = await startServer(env);
  const base = `http://127.0.0.1:${port}`;
  try {
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'agent0@bench.xiaoer.dev', password: 'benchpass1' }),
    });
    const cookie = login.headers
      .getSetCookie()
      .find((c) => c.startsWith('xiaoer_sid='))!
      .split(';')[0]!;
    const agent = await connect(`${base}/agent`, { cookie });
    await sleep(500);
    const idle = await sampleHealth(base, sleep(IDLE_SECONDS * 1000));
    const results: FloodResult[] = [];
    for (const event of EVENTS) results.push(await flood(base, agent, event));
    agent.close();
    return { idle, results };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(3000)]);
    child.kill('SIGKILL');
  }
}

const EVENTS = ['conversation:typing', 'messages:sync', 'conversation:read', 'message:send'];

function table(title: string, { idle, results }: Pass): void {
  const idleP50 = quantile(idle, 0.5);
  const idleP99 = quantile(idle, 0.99);
  const ratio = (a: number, b: number) => (b > 0 ? `${fmt(a / b, 2)}×` : 'n/a');
  printTable(title, [
    { label: '/health p50 idle (ms)', ours: fmt(idleP50), baseline: fmt(idleP50), ratio: '1.00×' },
    { label: '/health p99 idle (ms)', ours: fmt(idleP99), baseline: fmt(idleP99), ratio: '1.00×' },
    ...results.flatMap((r) => {
      const p50 = quantile(r.latencies, 0.5);
      const p99 = quantile(r.latencies, 0.99);
      return [
        {
          label: `/health p50, ${r.event} flood (ms)`,
          ours: fmt(p50),
          baseline: fmt(idleP50),
          ratio: ratio(p50, idleP50),
        },
        {
          label: `/health p99, ${r.event} flood (ms)`,
          ours: fmt(p99),
          baseline: fmt(idleP99),
          ratio: ratio(p99, idleP99),
          note:
            `goal < 500 ms; ${r.sent} sent, ${r.acked} acked, ${r.limited} rate_limited, ` +
            `${r.disconnects} put out` +
            (r.event === 'conversation:typing' ? `, ${r.typingPushes} typing pushes at the agent` : ''),
        },
      ];
    }),
  ]);
}

/** Runs the flood benchmark and prints its tables. */
export async function run(): Promise<void> {
  console.log(`one buyer socket, ${FLOOD_SECONDS} s per event, /health timed back to back, loopback`);
  table('flood: /health while one socket floods an event (default limits)', await pass({}));
  // The refusals alone: the flooder is never put out, every event past the budget is refused.
  table(
    'flood: the same, never disconnected (WS_FLOOD_DISCONNECT_AFTER=1000000000)',
    await pass({ WS_FLOOD_DISCONNECT_AFTER: '1000000000' }),
  );
}
