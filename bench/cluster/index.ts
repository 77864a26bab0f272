/**
 * bench/cluster: the chat benchmark (bench/chat's load: buyers and agents over socket.io-client,
 * a paced phase then a saturation phase) run in the same run on
 *  - baseline: one node on PostgreSQL, no Redis, clients connected to it directly;
 *  - ours: two nodes in cluster mode (same PostgreSQL, one Redis) behind nginx with the shipped
 *    deploy/nginx/xiaoer.conf, clients connected through nginx, so they spread over both nodes and
 *    a buyer on one node whose agent is on the other is served through Redis.
 * Each scenario gets a fresh database on one throwaway PostgreSQL. Everything shares this
 * machine's cores (nodes, nginx, Redis, PostgreSQL, the load generator), so this is not a scaling
 * figure: read the ratios as what the cluster path costs (CPU per message, latency), and lost /
 * duplicated must be 0. (Saturated throughput can come out higher with two nodes: one node is one
 * event loop, two use two cores.)
 *
 * Env: BENCH_CLUSTER_BUYERS (500), BENCH_CLUSTER_AGENTS (20), BENCH_CLUSTER_RATE (300 msgs/s),
 * BENCH_CLUSTER_SECONDS (15), BENCH_CLUSTER_SATURATE_SECONDS (8); BENCH_CLUSTER_DEBUG=1 also prints
 * the paced phase's latency second by second.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join, delimiter } from 'node:path';
import { existsSync } from 'node:fs';
import pg from 'pg';
import type { Socket } from 'socket.io-client';
import { connect, inBatches, widgetBuyer } from '../lib/clients';
import { startRedis } from '../../tests/support/cluster';
import { nginxBinary, startNginx } from '../../tests/support/nginx';
import { fmt, printTable, quantile } from '../lib/stats';
import { postgresBinDir, startPostgres, SYSTEM_DEPS_HINT } from '../../scripts/lib/postgres.mjs';
import { createDatabase } from '../../tests/support/databases';
import type { NodeStats } from './node';

const BUYERS = Number(process.env.BENCH_CLUSTER_BUYERS ?? 500);
const AGENTS = Number(process.env.BENCH_CLUSTER_AGENTS ?? 20);
const RATE = Number(process.env.BENCH_CLUSTER_RATE ?? 300);
const SECONDS = Number(process.env.BENCH_CLUSTER_SECONDS ?? 15);
const SATURATE_SECONDS = Number(process.env.BENCH_CLUSTER_SATURATE_SECONDS ?? 8);
/** Saturation lanes: each sends its next message as soon as the previous one is acked. */
const LANES = Math.min(400, BUYERS);
/** How long delivery may lag behind the last send before what is missing counts as lost. */
const DRAIN_MS = 15_000;
const root = fileURLToPath(new URL('../..', import.meta.url));
const nodeScript = fileURLToPath(new URL('./node.ts', import.meta.url));
// About 60 bytes, as bench/chat; each message differs (the same line over and over is spam, SPAM-1).
const TEXT = '亲，请问这款保温杯什么时候发货？我想明天送人，能加急吗';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Processes

interface BenchNode {
  name: string;
  pid: number;
  /** `127.0.0.1:<port>`, for nginx. */
  address: string;
  url: string;
  stats(): Promise<NodeStats>;
  stop(): Promise<void>;
}

/** Node processes still running, killed when the bench process exits whatever the reason. */
const liveChildren = new Set<ChildProcess>();
const killLiveChildren = () => {
  for (const c of liveChildren) c.kill('SIGKILL');
};

function startBenchNode(name: string, env: Record<string, string>): Promise<BenchNode> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  delete childEnv.REDIS_URL; // only what `env` says: the baseline node has no Redis
  const child = spawn(process.execPath, ['--import', 'tsx', nodeScript], {
    cwd: root,
    env: { ...childEnv, NODE_ID: name, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  liveChildren.add(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-20_000);
    // Anything a node prints on stderr (errors it logged) is worth seeing next to the figures.
    process.stderr.write(`[${name}] ${d.toString()}`);
  });
  const exited = new Promise<void>((r) =>
    child.once('exit', () => {
      liveChildren.delete(child);
      r();
    }),
  );
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
    await exited;
    clearTimeout(timer);
  };
  const stats = () =>
    new Promise<NodeStats>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.off('message', onMessage);
        reject(new Error(`node ${name} did not answer stats`));
      }, 5000);
      const onMessage = (msg: unknown) => {
        const s = (msg as { stats?: NodeStats }).stats;
        if (!s) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(s);
      };
      child.on('message', onMessage);
      child.send('stats');
    });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const { port } = JSON.parse(line) as { port?: number };
        if (port)
          resolve({
            name,
            pid: child.pid!,
            address: `127.0.0.1:${port}`,
            url: `http://127.0.0.1:${port}`,
            stats,
            stop,
          });
      } catch {
        // not our line
      }
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`node ${name} exited (${code ?? signal}) before listening:\n${stderr}`)),
    );
  });
}

/** Fails early, and clearly, when a binary the bench runs is missing. */
function checkSystemDeps(): void {
  const missing: string[] = [];
  if (!postgresBinDir()) missing.push('postgresql (initdb, pg_ctl)');
  const onPath = (bin: string) =>
    (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, bin)));
  if (!onPath('redis-server')) missing.push('redis-server');
  try {
    nginxBinary();
  } catch {
    missing.push('nginx');
  }
  if (missing.length > 0)
    throw new Error(`bench/cluster needs ${missing.join(', ')}, not found: ${SYSTEM_DEPS_HINT}`);
}

/** Cleanups of the scenario under way, run by a signal too (see `run`). */
const pendingCleanups = new Set<() => Promise<void>>();

/** Runs `fn` with a `defer` for cleanups, which run once, in reverse order, however `fn` ends. */
async function withCleanup<T>(fn: (defer: (cleanup: () => Promise<void>) => void) => Promise<T>): Promise<T> {
  const cleanups: (() => Promise<void>)[] = [];
  let done: Promise<void> | undefined;
  const cleanAll = () =>
    (done ??= (async () => {
      for (const cleanup of cleanups.reverse()) {
        await cleanup().catch((error: unknown) => console.error('bench/cluster: cleanup failed', error));
      }
    })());
  pendingCleanups.add(cleanAll);
  try {
    return await fn((c) => cleanups.push(c));
  } finally {
    await cleanAll();
    pendingCleanups.delete(cleanAll);
  }
}

// ---------------------------------------------------------------------------------------------
// Load (as bench/chat)

interface LoadResult {
  p50: number;
  p99: number;
  pacedPerSecond: number;
  saturatedPerSecond: number;
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  ackErrors: number;
  /** Per node, read while every client was connected. */
  spread: NodeStats[];
  /** Paced messages whose buyer and agent sockets are on different nodes: share, p50, p99. */
  cross: { share: number; p50: number; p99: number };
  /** …and on the same node. */
  same: { p50: number; p99: number };
  /** CPU seconds the xiaoer node processes used per 1000 paced messages. */
  cpuPerThousand: number;
  rssLoadedMb: number;
  /** Lines explaining lost / duplicated messages, when there are any. */
  diagnosis: string[];
}

type AckState = 'pending' | 'ok' | 'error';

async function load(
  label: string,
  base: string,
  nodes: BenchNode[],
  databaseUrl: string,
): Promise<LoadResult> {
  const sockets: Socket[] = [];
  try {
    const agents = await inBatches(AGENTS, 10, async (i) => {
      const res = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `agent${i}@bench.xiaoer.dev`, password: 'benchpass1' }),
      });
      if (res.status !== 200) throw new Error(`agent${i} login: ${res.status} ${await res.text()}`);
      const cookie = res.headers
        .getSetCookie()
        .find((c) => c.startsWith('xiaoer_sid='))!
        .split(';')[0]!;
      const socket = await connect(`${base}/agent`, { cookie });
      sockets.push(socket);
      return socket;
    });
    const buyers = await inBatches(BUYERS, 50, async () => {
      const { socket } = await widgetBuyer(base, 'bench');
      sockets.push(socket);
      return socket;
    });

    // Every agent socket's `message:new` for a buyer message: the first one is the delivery, any
    // other (same socket or another agent's) is a duplicate.
    const receivedAt = new Map<string, number>();
    const receivedBy = new Map<string, number>();
    const duplicates: string[] = [];
    for (const [j, agent] of agents.entries()) {
      agent.on('message:new', ({ message }: { message: { clientId: string; sender: string } }) => {
        const at = performance.now();
        if (message.sender !== 'buyer') return;
        if (receivedAt.has(message.clientId)) duplicates.push(message.clientId);
        else {
          receivedAt.set(message.clientId, at);
          receivedBy.set(message.clientId, j);
        }
      });
    }
    const acks = new Map<string, AckState>();
    let ackErrors = 0;
    const send = (buyer: Socket, clientId: string): Promise<void> => {
      acks.set(clientId, 'pending');
      return (
        buyer.timeout(30_000).emitWithAck('message:send', {
          clientId,
          kind: 'text',
          body: { text: `${TEXT} ${clientId}` },
        }) as Promise<{ ok: boolean }>
      ).then(
        (r) => {
          acks.set(clientId, r.ok ? 'ok' : 'error');
          if (!r.ok) ackErrors++;
        },
        () => {
          acks.set(clientId, 'error');
          ackErrors++;
        },
      );
    };

    // Warm-up: every buyer opens its conversation (assigned to an agent before the ack).
    await inBatches(BUYERS, 200, (i) => send(buyers[i]!, `warm-${i}`));
    const spread = await Promise.all(nodes.map((n) => n.stats()));
    const nodeOf = new Map<string, number>();
    for (const [k, s] of spread.entries()) for (const id of [...s.buyerIds, ...s.agentIds]) nodeOf.set(id, k);
    const buyerNode = buyers.map((b) => nodeOf.get(b.id!) ?? -1);
    const agentNode = agents.map((a) => nodeOf.get(a.id!) ?? -1);
    const cpuBefore = spread.reduce((s, n) => s + n.cpuSeconds, 0);

    // Paced phase: RATE msgs/s for SECONDS, spread over all buyers in 10 ms ticks.
    const sentAt = new Map<string, number>();
    const total = RATE * SECONDS;
    let n = 0;
    const pacedAcks: Promise<void>[] = [];
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
        while (n < due) {
          const clientId = `m-${n}`;
          sentAt.set(clientId, performance.now());
          pacedAcks.push(send(buyers[n % BUYERS]!, clientId));
          n++;
        }
        if (n >= total) {
          clearInterval(tick);
          resolve();
        }
      }, 10);
    });
    const pacedDelivered = () => {
      let d = 0;
      for (const id of sentAt.keys()) if (receivedAt.has(id)) d++;
      return d;
    };
    const drainStart = performance.now();
    while (pacedDelivered() < total && performance.now() - drainStart < DRAIN_MS) await sleep(100);
    const elapsed = (performance.now() - started) / 1000;
    await Promise.all(pacedAcks);
    const loaded = await Promise.all(nodes.map((node) => node.stats()));
    const cpuAfter = loaded.reduce((s, x) => s + x.cpuSeconds, 0);
    const latencies: number[] = [];
    const crossLatencies: number[] = [];
    const sameLatencies: number[] = [];
    for (const [id, t0] of sentAt) {
      const t1 = receivedAt.get(id);
      if (t1 === undefined) continue;
      latencies.push(t1 - t0);
      const from = buyerNode[Number(id.slice(2)) % BUYERS]!;
      const to = agentNode[receivedBy.get(id)!]!;
      (from === to ? sameLatencies : crossLatencies).push(t1 - t0);
    }
    if (process.env.BENCH_CLUSTER_DEBUG) {
      const buckets = new Map<number, number[]>();
      for (const [id, t0] of sentAt) {
        const t1 = receivedAt.get(id);
        if (t1 === undefined) continue;
        const sec = Math.floor((t0 - started) / 1000);
        let bucket = buckets.get(sec);
        if (!bucket) buckets.set(sec, (bucket = []));
        bucket.push(t1 - t0);
      }
      for (const [sec, l] of buckets)
        console.log(
          `  ${label} second ${sec}: n=${l.length} p50=${fmt(quantile(l, 0.5))} p99=${fmt(quantile(l, 0.99))} max=${fmt(Math.max(...l))}`,
        );
    }

    // Saturation: LANES lanes, each sends the next message as soon as the previous is acked.
    const satIds: string[] = [];
    const satStart = performance.now();
    const deadline = satStart + SATURATE_SECONDS * 1000;
    let satCount = 0;
    await Promise.all(
      Array.from({ length: LANES }, async (_, lane) => {
        let k = lane;
        while (performance.now() < deadline) {
          const clientId = `s-${lane}-${satCount++}`;
          satIds.push(clientId);
          await send(buyers[k % BUYERS]!, clientId);
          k += LANES;
        }
      }),
    );
    const satEnd = performance.now();
    let satInWindow = 0;
    for (const id of satIds) if ((receivedAt.get(id) ?? Infinity) <= satEnd) satInWindow++;
    // Then every sent message gets DRAIN_MS to arrive before it counts as lost.
    const allIds = [...sentAt.keys(), ...satIds];
    const missing = () => allIds.filter((id) => !receivedAt.has(id));
    const satDrain = performance.now();
    while (missing().length > 0 && performance.now() - satDrain < DRAIN_MS) await sleep(100);
    // A late duplicate would come within this second.
    await sleep(1000);

    const lostIds = missing();
    const diagnosis: string[] = [];
    if (lostIds.length > 0 || duplicates.length > 0 || ackErrors > 0)
      diagnosis.push(...(await diagnose(databaseUrl, lostIds, duplicates, acks)));
    return {
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      pacedPerSecond: latencies.length / elapsed,
      saturatedPerSecond: satInWindow / ((satEnd - satStart) / 1000),
      sent: allIds.length,
      delivered: allIds.length - lostIds.length,
      lost: lostIds.length,
      duplicated: duplicates.length,
      ackErrors,
      spread,
      cross: {
        share: crossLatencies.length / Math.max(1, latencies.length),
        p50: quantile(crossLatencies, 0.5),
        p99: quantile(crossLatencies, 0.99),
      },
      same: { p50: quantile(sameLatencies, 0.5), p99: quantile(sameLatencies, 0.99) },
      cpuPerThousand: ((cpuAfter - cpuBefore) / total) * 1000,
      rssLoadedMb: loaded.reduce((s, x) => s + x.rssMb, 0),
      diagnosis,
    };
  } finally {
    for (const s of sockets) s.close();
  }
}

/** What became of lost and duplicated messages: stored or not, acked or not (from the database). */
async function diagnose(
  databaseUrl: string,
  lostIds: string[],
  duplicates: string[],
  acks: Map<string, AckState>,
): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const stored = new Set(
      (
        await client.query<{ client_id: string }>(
          `select client_id from messages where sender = 'buyer' and client_id = any($1)`,
          [lostIds],
        )
      ).rows.map((r) => r.client_id),
    );
    const byAck = (ids: string[], state: AckState) => ids.filter((id) => acks.get(id) === state).length;
    const lines = [
      `lost ${lostIds.length}: ${stored.size} stored in the database (pushed to no agent), ` +
        `${lostIds.length - stored.size} not stored; acked ok ${byAck(lostIds, 'ok')}, ` +
        `ack error/timeout ${byAck(lostIds, 'error')}, never acked ${byAck(lostIds, 'pending')}` +
        (lostIds.length > 0 ? `; e.g. ${lostIds.slice(0, 5).join(', ')}` : ''),
      `ack errors ${[...acks.values()].filter((s) => s === 'error').length}`,
    ];
    if (duplicates.length > 0) lines.push(`duplicated: e.g. ${duplicates.slice(0, 5).join(', ')}`);
    const statuses = await client.query<{ status: string; assigned: string; count: string }>(
      `select status, (agent_id is not null)::text as assigned, count(*) from conversations group by 1, 2`,
    );
    lines.push(
      `conversations: ${statuses.rows.map((r) => `${r.status}${r.assigned === 'true' ? '' : ' (no agent)'} ${r.count}`).join(', ')}`,
    );
    return lines;
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Scenarios

async function baseline(adminUrl: string): Promise<LoadResult> {
  return withCleanup(async (defer) => {
    const databaseUrl = await createDatabase(adminUrl, 'xiaoer_bench');
    const node = await startBenchNode('bench-solo', { DATABASE_URL: databaseUrl, AGENTS: String(AGENTS) });
    defer(() => node.stop());
    return load('baseline', node.url, [node], databaseUrl);
  });
}

async function cluster(adminUrl: string): Promise<LoadResult> {
  return withCleanup(async (defer) => {
    const redis = await startRedis();
    const killRedis = () => void redis.kill();
    process.once('exit', killRedis);
    defer(async () => {
      process.off('exit', killRedis);
      await redis.stop();
    });
    const databaseUrl = await createDatabase(adminUrl, 'xiaoer_bench');
    const env = { DATABASE_URL: databaseUrl, REDIS_URL: redis.url, AGENTS: String(AGENTS) };
    // The first node seeds the bench shop; the second starts on it.
    const a = await startBenchNode('bench-a', { ...env, SEED: 'true' });
    defer(() => a.stop());
    const b = await startBenchNode('bench-b', { ...env, SEED: 'false' });
    defer(() => b.stop());
    const nginx = await startNginx({ web: [a.address, b.address] });
    defer(() => nginx.stop());
    return load('cluster', nginx.url, [a, b], databaseUrl);
  });
}

/** Runs the cluster benchmark and prints its table. */
export async function run(): Promise<void> {
  checkSystemDeps();
  // Ctrl-C or a kill: stop what the scenario started (15 s at most), then exit through
  // process.exit, whose hooks kill whatever is left (node processes, nginx, PostgreSQL, Redis).
  // Ctrl-C reaches us twice under `npx tsx` (from the terminal, and relayed by tsx): stay on the
  // signals, and act on the first only.
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    console.error('bench/cluster: interrupted, stopping what it started');
    const timeout = new Promise((r) => setTimeout(r, 15_000));
    void Promise.race([Promise.all([...pendingCleanups].map((c) => c())), timeout]).finally(() =>
      process.exit(130),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.once('exit', killLiveChildren);
  try {
    const pgServer = await startPostgres();
    let one: LoadResult;
    let two: LoadResult;
    try {
      one = await baseline(pgServer.url);
      two = await cluster(pgServer.url);
    } finally {
      pgServer.stop();
    }
    report(one, two);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', killLiveChildren);
    killLiveChildren();
  }
}

function report(one: LoadResult, two: LoadResult): void {
  const spread = two.spread
    .map((s, i) => `node ${'ab'[i]}: ${s.buyers} buyers, ${s.agents} agents`)
    .join('; ');
  console.log(
    `${BUYERS} buyers, ${AGENTS} agents (cap 500), ${RATE} msgs/s for ${SECONDS} s, saturation ` +
      `${SATURATE_SECONDS} s (${LANES} lanes); PostgreSQL (fsync off) on loopback. ` +
      `baseline: 1 node, clients direct. xiaoer: 2 nodes + Redis behind nginx (deploy/nginx/xiaoer.conf), ` +
      `clients through nginx — ${spread}; ${fmt(two.cross.share * 100, 0)}% of the paced messages ` +
      `crossed from the buyer's node to the agent's through Redis (p50 / p99 ${fmt(two.cross.p50)} / ` +
      `${fmt(two.cross.p99)} ms; same node ${fmt(two.same.p50)} / ${fmt(two.same.p99)} ms)`,
  );
  for (const [name, r] of [
    ['baseline', one],
    ['cluster', two],
  ] as const) {
    for (const line of r.diagnosis) console.log(`${name}: ${line}`);
  }
  const ratio = (a: number, b: number) => (b > 0 ? `${fmt(a / b, 2)}×` : 'n/a');
  printTable('cluster: 2 nodes + nginx + Redis vs 1 node, buyer send → agent receive', [
    { label: 'p50 latency (ms)', ours: fmt(two.p50), baseline: fmt(one.p50), ratio: ratio(two.p50, one.p50) },
    {
      label: 'p99 latency (ms)',
      ours: fmt(two.p99),
      baseline: fmt(one.p99),
      ratio: ratio(two.p99, one.p99),
      note: 'target < 100 ms',
    },
    {
      label: 'p99 latency, buyer and agent on different nodes (ms)',
      ours: fmt(two.cross.p99),
      baseline: fmt(one.p99),
      ratio: ratio(two.cross.p99, one.p99),
      note: 'through Redis; baseline: all on its one node',
    },
    {
      label: 'paced msgs/s delivered',
      ours: fmt(two.pacedPerSecond, 0),
      baseline: fmt(one.pacedPerSecond, 0),
      ratio: ratio(two.pacedPerSecond, one.pacedPerSecond),
      note: `offered ${RATE}/s`,
    },
    {
      label: 'saturated msgs/s',
      ours: fmt(two.saturatedPerSecond, 0),
      baseline: fmt(one.saturatedPerSecond, 0),
      ratio: ratio(two.saturatedPerSecond, one.saturatedPerSecond),
      note: 'ratio (2 nodes ÷ 1 node) = cost of the cluster path on one machine, not a scaling figure',
    },
    {
      label: 'node CPU s per 1000 paced msgs',
      ours: fmt(two.cpuPerThousand, 2),
      baseline: fmt(one.cpuPerThousand, 2),
      ratio: ratio(two.cpuPerThousand, one.cpuPerThousand),
      note: 'xiaoer processes only (not nginx, Redis, PostgreSQL)',
    },
    {
      label: 'node RSS under load (MB, all nodes)',
      ours: fmt(two.rssLoadedMb),
      baseline: fmt(one.rssLoadedMb),
      ratio: ratio(two.rssLoadedMb, one.rssLoadedMb),
    },
    {
      label: 'messages sent (paced + saturation)',
      ours: String(two.sent),
      baseline: String(one.sent),
      ratio: '',
    },
    { label: 'lost', ours: String(two.lost), baseline: String(one.lost), ratio: '', note: 'must be 0' },
    {
      label: 'duplicated',
      ours: String(two.duplicated),
      baseline: String(one.duplicated),
      ratio: '',
      note: 'must be 0',
    },
    { label: 'ack errors', ours: String(two.ackErrors), baseline: String(one.ackErrors), ratio: '' },
  ]);
}
