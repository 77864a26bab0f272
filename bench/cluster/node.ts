/**
 * A xiaoer node for bench/cluster, run as its own process: the real `createServer` on the
 * PostgreSQL of DATABASE_URL, in cluster mode when REDIS_URL is set. With SEED (default true) it
 * first seeds the bench shop as bench/chat's server does: AGENTS online agents of cap 500,
 * password "benchpass1" (only the first node of a cluster seeds; the others start after it).
 *
 * Prints `{"port": N}` once listening. Over IPC it answers `'stats'` with the sockets it holds
 * per namespace, its RSS and its CPU time, so the bench can tell how nginx spread the clients.
 * SIGTERM closes it (sockets drained, Redis and PostgreSQL connections ended) and exits.
 */
import { WS_AGENT_NAMESPACE, WS_BUYER_NAMESPACE } from '@xiaoer/protocol';
import { createServer } from '../../packages/server/src/app';
import { openStorage } from '../../packages/server/src/storage';
import { benchConfig, seedBenchShop } from '../lib/bench-shop';

export interface NodeStats {
  buyers: number;
  agents: number;
  rssMb: number;
  /** User + system CPU time since start, in seconds. */
  cpuSeconds: number;
  /** Ids of the sockets held (the client sees the same id), to tell which node serves whom. */
  buyerIds: string[];
  agentIds: string[];
}

const AGENTS = Number(process.env.AGENTS ?? 20);
const DATABASE_URL = process.env.DATABASE_URL;
if (!DATABASE_URL?.startsWith('postgres'))
  throw new Error('bench/cluster/node.ts needs a postgres:// DATABASE_URL');

const storage = await openStorage(DATABASE_URL);
if (process.env.SEED !== 'false') await seedBenchShop(storage, AGENTS);

const config = benchConfig({
  HOST: '127.0.0.1',
  DEMO: 'false',
  DATABASE_URL,
  ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
  ...(process.env.NODE_ID ? { NODE_ID: process.env.NODE_ID } : {}),
});
const server = await createServer(config, { storage });
const url = await server.listen();

process.on('message', (msg) => {
  if (msg !== 'stats') return;
  const cpu = process.cpuUsage();
  const buyers = server.io.of(WS_BUYER_NAMESPACE).sockets;
  const agents = server.io.of(WS_AGENT_NAMESPACE).sockets;
  const stats: NodeStats = {
    buyers: buyers.size,
    agents: agents.size,
    buyerIds: [...buyers.keys()],
    agentIds: [...agents.keys()],
    rssMb: process.memoryUsage().rss / 1024 / 1024,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
  process.send?.({ stats });
});

let closing = false;
process.on('SIGTERM', () => {
  if (closing) return;
  closing = true;
  // At most 5 s for a graceful close; the process goes either way.
  setTimeout(() => process.exit(0), 5000).unref();
  server
    .close({ drainMs: 0 })
    .then(() => storage.close())
    .catch((error) => console.error('node close failed', error))
    .finally(() => process.exit(0));
});

console.log(JSON.stringify({ port: Number(new URL(url).port) }));
