/**
 * bench/chat: buyers and agents on loopback through the real path (stored, assigned, delivered
 * to the agent), next to a bare Socket.IO relay measured in the same run.
 *
 * Env: BENCH_BUYERS (2000), BENCH_AGENTS (50), BENCH_RATE (1000 msgs/s), BENCH_SECONDS (30),
 * BENCH_SATURATE_SECONDS (10).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { Socket } from 'socket.io-client';
import { connect, inBatches, widgetBuyer } from '../lib/clients';
import { fmt, printTable, quantile, rssMb } from '../lib/stats';

const BUYERS = Number(process.env.BENCH_BUYERS ?? 2000);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 50);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const SATURATE_SECONDS = Number(process.env.BENCH_SATURATE_SECONDS ?? 10);
const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
// About 60 bytes, as in BENCHMARKS.md; each message differs (the same line over and over is spam, SPAM-1).
const TEXT = '亲，请问这款保温杯什么时候发货？我想明天送人，能加急吗';

type Kind = 'xiaoer' | 'bare';

interface PacedResult {
  sent: number;
  acked: number;
  ackErrors: number;
  received: number;
  lost: number;
  duplicated: number;
  p50: number;
  p99: number;
  msgsPerSecond: number;
  rssIdleMb: number;
  rssLoadedMb: number;
  saturatedPerSecond: number;
  /** Server CPU time (user + system) per message delivered while saturated, µs. */
  saturatedCpuUs: number;
}

/** A process's CPU time so far (user + system), ms, from /proc (Linux). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime: fields 14 and 15 of stat, in clock ticks (100 a second).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function startChild(
  script: string,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_PROF && script.includes('xiaoer')
        ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']
        : []),
      '--import',
      'tsx',
      script,
    ],
    {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const { port } = JSON.parse(line) as { port: number };
        if (port) resolve({ child, port });
      } catch {
        /* not our line */
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function scenario(kind: Kind): Promise<PacedResult> {
  const script = join(here, kind === 'xiaoer' ? 'xiaoer-server.ts' : 'bare-server.ts');
  const { child, port } = await startChild(script, { AGENTS: String(AGENTS) });
  const base = `http://127.0.0.1:${port}`;
  try {
    await sleep(1000);
    const rssIdleMb = rssMb(child.pid!);
    const agents = await inBatches(AGENTS, 10, async (i) => {
      if (kind === 'bare') return connect(`${base}/agent`, { auth: { agent: i } });
      const res = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `agent${i}@bench.xiaoer.dev`, password: 'benchpass1' }),
      });
      const cookie = res.headers
        .getSetCookie()
        .find((c) => c.startsWith('xiaoer_sid='))!
        .split(';')[0]!;
      return connect(`${base}/agent`, { cookie });
    });
    const buyers = await inBatches(BUYERS, 50, async (i) => {
      if (kind === 'bare') return connect(`${base}/buyer`, { auth: { buyer: i } });
      return (await widgetBuyer(base, 'bench')).socket;
    });

    const receivedAt = new Map<string, number>();
    let duplicated = 0;
    for (const agent of agents) {
      agent.on('message:new', ({ message }: { message: { clientId: string } }) => {
        const at = performance.now();
        if (receivedAt.has(message.clientId)) duplicated++;
        else receivedAt.set(message.clientId, at);
      });
    }
    const send = (buyer: Socket, clientId: string) =>
      buyer.timeout(30_000).emitWithAck('message:send', {
        clientId,
        kind: 'text',
        body: { text: `${TEXT} ${clientId}` },
      }) as Promise<{
        ok: boolean;
      }>;

    // Warm-up: every buyer opens its conversation (xiaoer assigns it to an agent before acking).
    await inBatches(BUYERS, 200, (i) => send(buyers[i]!, `warm-${i}`));

    // Paced phase: RATE msgs/s for SECONDS, spread over all buyers in 10 ms ticks.
    const sentAt = new Map<string, number>();
    let acked = 0;
    let ackErrors = 0;
    let n = 0;
    const total = RATE * SECONDS;
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
        while (n < due) {
          const clientId = `m-${n}`;
          const buyer = buyers[n % BUYERS]!;
          sentAt.set(clientId, performance.now());
          send(buyer, clientId).then(
            (r) => (r.ok ? acked++ : ackErrors++),
            () => ackErrors++,
          );
          n++;
        }
        if (n >= total) {
          clearInterval(tick);
          resolve();
        }
      }, 10);
    });
    const rssLoadedMb = rssMb(child.pid!);
    const drainStart = performance.now();
    const pacedDelivered = () => [...sentAt.keys()].filter((id) => receivedAt.has(id)).length;
    while (pacedDelivered() < total && performance.now() - drainStart < 15_000) await sleep(100);
    const elapsed = (performance.now() - started) / 1000;
    const latencies: number[] = [];
    for (const [id, t0] of sentAt) {
      const t1 = receivedAt.get(id);
      if (t1 !== undefined) latencies.push(t1 - t0);
    }
    const delivered = latencies.length;

    // Saturation: 400 lanes each send the next message as soon as the previous is acked.
    const satStart = performance.now();
    const satCpu = cpuMs(child.pid!);
    let satSent = 0;
    const deadline = satStart + SATURATE_SECONDS * 1000;
    const lanes = Array.from({ length: 400 }, async (_, lane) => {
      let k = lane;
      while (performance.now() < deadline) {
        await send(buyers[k % BUYERS]!, `s-${lane}-${satSent++}`).catch(() => undefined);
        k += 400;
      }
    });
    await Promise.all(lanes);
    const satWindow = (performance.now() - satStart) / 1000;
    await sleep(500);
    const satCpuMs = cpuMs(child.pid!) - satCpu;
    const satReceived = [...receivedAt.keys()].filter((id) => id.startsWith('s-')).length;

    for (const s of [...buyers, ...agents]) s.close();
    return {
      sent: total,
      acked,
      ackErrors,
      received: delivered,
      lost: total - delivered,
      duplicated,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      msgsPerSecond: delivered / elapsed,
      rssIdleMb,
      rssLoadedMb,
      saturatedPerSecond: satReceived / satWindow,
      saturatedCpuUs: satReceived > 0 ? (satCpuMs * 1000) / satReceived : 0,
    };
  } finally {
    // SIGTERM lets a profiled server write its profile; SIGKILL if it lingers.
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(3000)]);
    child.kill('SIGKILL');
  }
}

/** A process and its descendants, from /proc (Linux). */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command may hold spaces and parentheses: the fields after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* gone meanwhile */
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []));
  return out;
}

/** RSS of the server process (the one running main; under tsx, the loader's child, the largest) and of every process. */
function treeRss(pid: number): { server: number; total: number } {
  const rss = processTree(pid).map((p) => {
    try {
      return { mb: rssMb(p), main: /main\.(js|ts)/.test(readFileSync(`/proc/${p}/cmdline`, 'utf8')) };
    } catch {
      return { mb: 0, main: false };
    }
  });
  return {
    server: Math.max(...rss.filter((r) => r.main).map((r) => r.mb)),
    total: rss.reduce((sum, r) => sum + r.mb, 0),
  };
}

/** One buyer in the demo shop's widget asks a question and waits for the bot's answer. */
async function firstQuestion(base: string): Promise<void> {
  const { socket: buyer } = await widgetBuyer(base, 'demo');
  try {
    const answered = new Promise<void>((resolve) =>
      buyer.on('message:new', ({ message }: { message: { sender: string } }) => {
        if (message.sender === 'bot') resolve();
      }),
    );
    await buyer.timeout(60_000).emitWithAck('message:send', {
      clientId: 'first-question',
      kind: 'text',
      body: { text: '你好，请问什么时候发货？' },
    });
    await answered;
  } finally {
    buyer.close();
  }
}

/**
 * RSS with the demo shop: 3 s after the start banner (idle), and 3 s after one buyer's first
 * question was answered by the bot (the bot's catalogue and the shop's FAQ are built on first use,
 * so this is what a server that has served holds) — the server process alone, and every process
 * the command leaves running. `npm start` (issue #20: the compiled server under plain node, npm its
 * parent) beside the development start the README's command used before (`tsx` running the
 * sources under npm).
 */
async function startRss(
  command: string[],
): Promise<{ idle: { server: number; total: number }; served: { server: number; total: number } }> {
  const dir = mkdtempSync(join(tmpdir(), 'xiaoer-idle-'));
  const child = spawn(command[0]!, command.slice(1), {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      LOG_LEVEL: 'warn',
      DATABASE_URL: `sqlite:${join(dir, 'x.db')}`,
      DEMO: 'true',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  try {
    const base = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (l) => {
        const url = /demo shop page\s+(http:\/\/[^/\s]+)/.exec(l)?.[1];
        if (url) resolve(url);
      });
      child.once('exit', (c) => reject(new Error(`${command.join(' ')} exited with ${c}`)));
    });
    await sleep(3000);
    const idle = treeRss(child.pid!);
    await firstQuestion(base);
    await sleep(3000);
    return { idle, served: treeRss(child.pid!) };
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the chat benchmark and prints its table. */
export async function run(): Promise<void> {
  console.log(
    `${BUYERS} buyers, ${AGENTS} agents, ${RATE} msgs/s for ${SECONDS} s, saturation ${SATURATE_SECONDS} s, loopback`,
  );
  const bare = await scenario('bare');
  const ours = await scenario('xiaoer');
  const start = await startRss(['npm', 'start', '--silent']);
  const dev = await startRss([
    'npm',
    'exec',
    '--',
    'tsx',
    '--max-semi-space-size=32',
    'packages/server/src/main.ts',
  ]);
  const ratio = (a: number, b: number) => (b > 0 ? `${fmt(a / b, 2)}×` : 'n/a');
  printTable('chat: buyer send → agent receive', [
    {
      label: 'p50 latency (ms)',
      ours: fmt(ours.p50),
      baseline: fmt(bare.p50),
      ratio: ratio(ours.p50, bare.p50),
    },
    {
      label: 'p99 latency (ms)',
      ours: fmt(ours.p99),
      baseline: fmt(bare.p99),
      ratio: ratio(ours.p99, bare.p99),
      note: 'target < 100 ms',
    },
    {
      label: 'paced msgs/s delivered',
      ours: fmt(ours.msgsPerSecond, 0),
      baseline: fmt(bare.msgsPerSecond, 0),
      ratio: ratio(ours.msgsPerSecond, bare.msgsPerSecond),
    },
    { label: 'lost', ours: String(ours.lost), baseline: String(bare.lost), ratio: '', note: 'must be 0' },
    {
      label: 'duplicated',
      ours: String(ours.duplicated),
      baseline: String(bare.duplicated),
      ratio: '',
      note: 'must be 0',
    },
    { label: 'ack errors', ours: String(ours.ackErrors), baseline: String(bare.ackErrors), ratio: '' },
    {
      label: 'saturated msgs/s',
      ours: fmt(ours.saturatedPerSecond, 0),
      baseline: fmt(bare.saturatedPerSecond, 0),
      ratio: ratio(ours.saturatedPerSecond, bare.saturatedPerSecond),
      note: 'target ≥ 0.5×',
    },
    {
      label: 'server CPU per message, saturated (µs)',
      ours: fmt(ours.saturatedCpuUs),
      baseline: fmt(bare.saturatedCpuUs),
      ratio: ratio(ours.saturatedCpuUs, bare.saturatedCpuUs),
      note: 'user + system time of the server process; steadier than msgs/s on a shared machine',
    },
    {
      label: 'server RSS idle (MB)',
      ours: fmt(ours.rssIdleMb),
      baseline: fmt(bare.rssIdleMb),
      ratio: ratio(ours.rssIdleMb, bare.rssIdleMb),
    },
    {
      label: 'server RSS under load (MB)',
      ours: fmt(ours.rssLoadedMb),
      baseline: fmt(bare.rssLoadedMb),
      ratio: ratio(ours.rssLoadedMb, bare.rssLoadedMb),
    },
    {
      label: '`npm start` idle server RSS, demo shop (MB)',
      ours: fmt(start.idle.server),
      baseline: fmt(dev.idle.server),
      ratio: ratio(start.idle.server, dev.idle.server),
      note: 'baseline: tsx on the sources (the old start); target < 150 MB',
    },
    {
      label: '`npm start` idle RSS, every process (MB)',
      ours: fmt(start.idle.total),
      baseline: fmt(dev.idle.total),
      ratio: ratio(start.idle.total, dev.idle.total),
      note: 'npm + the server; target < 200 MB',
    },
    {
      label: '`npm start` server RSS after the first bot answer (MB)',
      ours: fmt(start.served.server),
      baseline: fmt(dev.served.server),
      ratio: ratio(start.served.server, dev.served.server),
      note: "the bot's catalogue and the demo FAQ are built on first use",
    },
    {
      label: '`npm start` RSS after the first bot answer, every process (MB)',
      ours: fmt(start.served.total),
      baseline: fmt(dev.served.total),
      ratio: ratio(start.served.total, dev.served.total),
    },
  ]);
}
